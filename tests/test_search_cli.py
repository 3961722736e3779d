"""`jnap search` and `jnap glossary` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Run, edit


def test_search_ranks_and_snippets(run: Run) -> None:
    result = run("search", "ISVA", "--fields", "id,score,matched")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "O2\t4.0\ttext",
        "R15\t3.0\tcommentary",
        "O3\t1.0\tcommentary",
        "O21\t1.0\tcommentary",
    ]
    assert result.stderr == ""


def test_acronym_finds_expansion_and_back(run: Run) -> None:
    by_acronym = run("search", "PRFI", "-f", "ids").stdout.split()
    assert by_acronym == ["R7"]
    spelled = run("search", '"Independent Sexual Violence Adviser"', "-f", "ids").stdout.split()
    assert spelled == ["O2", "R15", "O3", "O21"]
    assert run("search", "ISVA", "--no-expand", "-f", "ids").stdout.split() == ["O2", "R15", "O3", "O21"]
    assert run("search", "Achieving", "Best", "Evidence", "--no-expand").exit_code == 1
    assert run("search", "Achieving", "Best", "Evidence", "-f", "ids").stdout.split() == ["R16"]


def test_words_are_anded_and_phrases_kept(run: Run) -> None:
    both = run("search", "early", "advice", "-f", "ids").stdout.split()
    phrase = run("search", '"early advice"', "-f", "ids").stdout.split()
    assert set(phrase) <= set(both)
    assert "O7" in phrase
    assert run("search", '"advice early"').exit_code == 1


def test_case_and_accent_insensitive(run: Run, register_copy: Path) -> None:
    edit(register_copy, "12-month learning", "12-month café learning")
    assert run("search", "CAFE", "-r", str(register_copy), "-f", "ids").stdout == "R1\n"


def test_field_and_plan_restrict(run: Run) -> None:
    assert run("search", "victims", "--field", "theme", "--plan", "refresh", "-f", "ids").stdout.split() == [
        "R14", "R15", "R16", "R17",
    ]  # fmt: skip
    result = run("search", "x", "--field", "status")
    assert (result.exit_code, result.stderr) == (
        2, "jnap: error: cannot search field 'status'; choose from theme, text, commentary\n",
    )  # fmt: skip


def test_regex(run: Run) -> None:
    result = run("search", "--regex", r"take p[a-z]ce", "--format", "json", "--fields", "id,matched,snippet")
    assert json.loads(result.stdout) == [
        {
            "id": "O23",
            "matched": "commentary",
            "snippet": "Bi-monthly meetings take pace with the Joint National Action Plan Steering Group to discuss, "
            "agree and progress the JNAP…",
        }
    ]
    bad = run("search", "-E", "(")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("jnap: error: invalid regular expression: missing ), unterminated subpattern")


def test_no_match_suggests_and_exits_1(run: Run) -> None:
    result = run("search", "soteira")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", "jnap: no actions match 'soteira'; did you mean Soteria?\n",
    )  # fmt: skip
    assert run("search", "   ").exit_code == 2


def test_highlight_on_a_terminal_and_hostile_snippets(run: Run, register_copy: Path) -> None:
    edit(register_copy, "12-month learning", "[bold]x[/] \\u001b[2J needle 12-month learning")
    env = {"FORCE_COLOR": "1", "COLUMNS": "200"}
    result = run("search", "needle", "-r", str(register_copy), "-f", "table", env=env)
    assert "\x1b[1;7mneedle\x1b[0m" in result.stdout
    assert "[bold]x[/] \\x1b[2J " in result.stdout
    assert "\x1b[2J" not in result.stdout


def test_glossary(run: Run) -> None:
    result = run("glossary", "isva", "--format", "json")
    (entry,) = json.loads(result.stdout)
    assert (entry["term"], entry["expansion"]) == ("ISVA", "Independent Sexual Violence Adviser")
    assert "Independent Sexual Violence Advisor" in entry["aliases"]
    everything = run("glossary", "-f", "ids").stdout.split("\n")
    assert everything[:4] == ["JNAP", "CPS", "NPCC", "RASSO"]
    assert len(everything) == 27  # 26 terms and the final newline
    missing = run("glossary", "nope")
    assert (missing.exit_code, missing.stderr) == (1, "jnap: no glossary entry for 'nope'\n")


def test_runaway_regex_is_stopped(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from jnap_cli import search

    monkeypatch.setattr(search, "REGEX_SECONDS", 0.3)
    result = run("search", "--regex", r"(\w+\s?)+$")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "jnap: error: the regular expression did not finish within 0.3 s; "
        "simplify it: nested repeats such as (a+)+ backtrack exponentially\n"
    )


def test_empty_field_is_an_error(run: Run) -> None:
    assert run("search", "x", "--field", "").exit_code == 2
