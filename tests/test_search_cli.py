"""`jnap search` and `jnap glossary` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Run
from .registers import Data, find, set_field, small, write


def searchable() -> Data:
    """`small()` with the words the tests search for; every status_evidence is still in its commentary.

    ISVA: O2's text twice (as the expansion's plural and as ISVAs), R2's commentary three times, and once in the
    commentaries of R1 (spelt out only) and O1 (as the acronym). PRFI: R3's text, spelt out only. Early advice: R3.
    ABE, and a long commentary with a typo for the regex ("take pace"): O3. Soteria: O2.
    """
    data = small()
    find(data, "R1").update(
        text="Deliver training on the needs of victims.",
        commentary="Training 1 has been delivered to every team and to each Independent Sexual Violence Advisor.",
    )
    find(data, "R2")["commentary"] = (
        "Victim liaison meetings take place every month.\n\n"
        "An ISVA chairs them, an ISVA from each area attends, and the ISVAs report back to the board."
    )
    find(data, "R3").update(
        text="Reduce the number of cases pending response further investigation.",
        commentary="Work is under way in every area. Early advice is now sought in each case.",
    )
    find(data, "O1")["commentary"] = "Training 1 has been delivered to every team and to each ISVA."
    find(data, "O2").update(
        text="Hold victim liaison meetings with Independent Sexual Violence Advisors (ISVAs).",
        commentary="Victim liaison meetings were held. They covered every Operation Soteria area.",
    )
    find(data, "O3")["commentary"] = (
        "Training 3 has been delivered to every team. ABE interviews were reviewed, and bi-monthly meetings take pace "
        "with the steering group to discuss, agree and progress the actions of the plan in every area."
    )
    return data


@pytest.fixture
def register(tmp_path: Path) -> str:
    """The path of `searchable()`, written."""
    return str(write(tmp_path / "actions.toml", searchable()))


def test_search_ranks_and_snippets(run: Run, register: str) -> None:
    result = run("search", "ISVA", "-r", register, "--fields", "id,score,matched")
    assert result.exit_code == 0
    # Those that write "ISVA" by field (R2's three in the commentary are below O2's in the text), then R1,
    # which spells it out only; O2's expansion counts half.
    assert result.stdout.splitlines() == [
        "O2\t4.5\ttext",
        "R2\t3.0\tcommentary",
        "O1\t1.0\tcommentary",
        "R1\t0.5\tcommentary",
    ]
    assert result.stderr == ""


def test_acronym_finds_expansion_and_back(run: Run, register: str) -> None:
    by_acronym = run("search", "PRFI", "-r", register, "-f", "ids").stdout.split()
    assert by_acronym == ["R3"]
    spelled = run("search", '"Independent Sexual Violence Adviser"', "-r", register, "-f", "ids").stdout.split()
    assert spelled == ["O2", "R2", "R1", "O1"]  # nobody writes "Adviser": by score
    # Without the glossary, only the actions that write the acronym itself (R1 spells it out).
    assert run("search", "ISVA", "--no-expand", "-r", register, "-f", "ids").stdout.split() == ["O2", "R2", "O1"]
    assert run("search", "Achieving", "Best", "Evidence", "--no-expand", "-r", register).exit_code == 1
    assert run("search", "Achieving", "Best", "Evidence", "-r", register, "-f", "ids").stdout.split() == ["O3"]


def test_words_are_anded_and_phrases_kept(run: Run, register: str) -> None:
    both = run("search", "early", "advice", "-r", register, "-f", "ids").stdout.split()
    phrase = run("search", '"early advice"', "-r", register, "-f", "ids").stdout.split()
    assert set(phrase) <= set(both)
    assert "R3" in phrase
    assert run("search", '"advice early"', "-r", register).exit_code == 1


def test_case_and_accent_insensitive(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "text", "Deliver training at the café."))
    assert run("search", "CAFE", "-r", str(path), "-f", "ids").stdout == "R1\n"


def test_field_and_plan_restrict(run: Run, register: str) -> None:
    # "victims" is also in R1's text and in the themes of the original plan's O1 and O2.
    restricted = run("search", "victims", "-r", register, "--field", "theme", "--plan", "refresh", "-f", "ids")
    assert restricted.stdout.split() == ["R2"]
    result = run("search", "x", "-r", register, "--field", "status")
    assert (result.exit_code, result.stderr) == (
        2, "jnap: error: unknown field 'status' for --field; choose from text, commentary, theme\n",
    )  # fmt: skip


def test_regex(run: Run, register: str) -> None:
    result = run(
        "search", "--regex", r"take p[a-z]ce", "-r", register, "--format", "json", "--fields", "id,matched,snippet"
    )
    assert json.loads(result.stdout) == [
        {
            "id": "O3",
            "matched": "commentary",
            "snippet": "…were reviewed, and bi-monthly meetings take pace with the steering group to discuss, agree "
            "and progress the actions of…",
        }
    ]
    bad = run("search", "-E", "(", "-r", register)
    assert bad.exit_code == 2
    assert bad.stderr.startswith("jnap: error: invalid regular expression: missing ), unterminated subpattern")


def test_no_match_suggests_and_exits_1(run: Run, register: str) -> None:
    result = run("search", "soteira", "-r", register)
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", "jnap: no actions match 'soteira'; did you mean Soteria?\n",
    )  # fmt: skip
    assert run("search", "   ", "-r", register).exit_code == 2


def test_highlight_on_a_terminal_and_hostile_snippets(run: Run, tmp_path: Path) -> None:
    text = "[bold]x[/] \x1b[2J needle Deliver training number 1."
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "text", text))
    env = {"FORCE_COLOR": "1", "COLUMNS": "200"}
    result = run("search", "needle", "-r", str(path), "-f", "table", env=env)
    assert "\x1b[1;7mneedle\x1b[0m" in result.stdout
    assert "[bold]x[/] \\x1b[2J " in result.stdout
    assert "\x1b[2J" not in result.stdout


def test_glossary(run: Run) -> None:
    result = run("glossary", "isva", "--format", "json")
    found = json.loads(result.stdout)
    assert [each["term"] for each in found] == ["ISVA", "National ISVA Framework"]  # exact, then containing
    entry = found[0]
    # The annex's own form first; the spelling it never uses is an other form, which lookup still finds.
    assert (entry["term"], entry["expansion"], entry["source"]) == (
        "ISVA",
        "Independent Sexual Violence Advisor",
        "annex",
    )
    assert entry["aliases"] == ["ISVAs", "Independent Sexual Violence Advisors"]
    assert entry["other_forms"] == ["Independent Sexual Violence Adviser"]
    assert json.loads(run("glossary", "independent sexual violence adviser", "-f", "json").stdout) == [entry]
    everything = run("glossary", "-f", "ids").stdout.split("\n")
    assert everything[:4] == ["JNAP", "JNAP Refresh", "CPS", "NPCC"]
    assert len(everything) == 74  # 73 terms and the final newline
    missing = run("glossary", "nope")
    assert (missing.exit_code, missing.stderr) == (1, "jnap: no glossary entry for 'nope'\n")


def test_runaway_regex_is_stopped(run: Run, register: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from jnap_cli.query import search

    monkeypatch.setattr(search, "REGEX_SECONDS", 0.3)
    result = run("search", "--regex", r"(\w+\s?)+$", "-r", register)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "jnap: error: the regular expression did not finish within 0.3 s; "
        "simplify it: nested repeats such as (a+)+ backtrack exponentially\n"
    )


def test_empty_field_is_an_error(run: Run, register: str) -> None:
    assert run("search", "x", "-r", register, "--field", "").exit_code == 2


# --- what a search shows --------------------------------------------------------------------------

EARLY_ADVICE_80 = """\
id   status        theme                snippet
────────────────────────────────────────────────────────────────────────────────
R6   complete      Building a strong    Early advice and case conferences take
                   case as early as     place across police forces and CPS Areas
                   possible             to drive our commitment to building…
O7   transferred   Casework Quality     …This includes the evaluation of ongoing
                   and Progression      early advice pilots in the South East
                                        and London and the increased use of…
O6   complete      Casework Quality     Jointly with the police, an Early Advice
                   and Progression      Memorandum of Understanding was launched
                                        in July 2021, which sets out the…
R7   complete      Building a strong    …have established a new PRFI process for
                   case as early as     early advice referrals and have
                   possible             disaggregated PRFI data for charging
                                        decision…
"""


def test_table_shows_each_hits_status_and_theme(run: Run) -> None:
    result = run("search", "early", "advice", "--format", "table", env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout == EARLY_ADVICE_80


def test_score_and_matched_stay_in_json_and_fields(run: Run) -> None:
    piped = run("search", "early", "advice", "--limit", "1").stdout
    assert piped == (
        "R6\tcomplete\tBuilding a strong case as early as possible\tEarly advice and case conferences take place"
        " across police forces and CPS Areas to drive our commitment to building…\n"
    )
    [hit] = json.loads(run("search", "early", "advice", "--limit", "1", "-f", "json").stdout)
    assert (hit["id"], hit["score"], hit["matched"], hit["status"], hit["theme"]) == (
        "R6",
        4.0,
        "text",
        "complete",
        "Building a strong case as early as possible",
    )
    assert run("search", "early", "advice", "--limit", "1", "--fields", "id,score,matched").stdout == "R6\t4.0\ttext\n"


def test_a_hostile_theme_is_escaped_in_the_table(run: Run, tmp_path: Path) -> None:
    data = set_field(small(), "R1", "theme", "Red\x1b[31m \u202eevil")
    data = set_field(data, "R1", "text", "Deliver the widget.")
    path = str(write(tmp_path / "actions.toml", data))
    result = run("search", "widget", "-r", path, "-f", "table", env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2] == "R1   complete   Red\\x1b[31m <U+202E>evil   Deliver the widget."
