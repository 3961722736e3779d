"""Search at its edges: hyphens and dashes, parts of glossary phrases, plausible suggestions, very long texts."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jnap_cli.model import validation
from jnap_cli.model.schema import Register
from jnap_cli.query import search as search_module
from jnap_cli.query.glossary import load_glossary
from jnap_cli.query.search import Hit, plausible, search
from jnap_cli.text import PUNCTUATION, fold

from .conftest import Run
from .registers import Data, find, set_field, small, write


def ids(run: Run, *args: str) -> list[str]:
    """The ids `jnap search ARGS -f ids` prints; fails the test on any exit code but 0 and 1."""
    result = run("search", *args, "-f", "ids")
    assert result.exit_code in (0, 1), result.output
    return result.stdout.split()


def texts(**by_id: str) -> Data:
    """`small()` with the texts of the given actions replaced."""
    data = small()
    for action_id, text in by_id.items():
        find(data, action_id)["text"] = text
    return data


def made_up(*action_texts: str, commentary: str = "") -> Register:
    """A register of refresh actions R1, R2, … with these texts (the first with `commentary`)."""
    return validation.register(
        {
            "title": "made up",
            "source": "tests",
            "plans": [{"id": "refresh", "title": "JNAP Refresh", "year": 2022}],
            "actions": [
                {
                    "id": f"R{n}",
                    "plan": "refresh",
                    "number": n,
                    "theme": "",
                    "text": text,
                    "commentary": commentary if n == 1 else "",
                    "status": "complete",
                }
                for n, text in enumerate(action_texts, start=1)
            ],
        }
    )


def marked(hit: Hit) -> list[str]:
    """The highlighted parts of the snippet."""
    return [hit.snippet[start:end] for start, end in hit.spans]


# --- hyphens and dashes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", [["third", "party"], ["third-party"], ['"third party"'], ['"third-party"'], ["Third–Party"]]
)
def test_hyphen_dash_and_space_find_the_same_on_the_shipped_register(run: Run, query: list[str]) -> None:
    """The issue's example: these found O14, O15 and R13; O14 and O15; and R13 alone."""
    assert sorted(ids(run, *query)) == ["O14", "O15", "R13"]


@pytest.fixture
def hyphens(tmp_path: Path) -> str:
    data = texts(
        R1="Explain why third-party material matters.",
        R2="Publish guidance on third party material.",
        R3="Review third–party material (an en dash).",
        O1="A third review by a party of experts.",
        O2="Agree a case-by-case approach.",
    )
    return str(write(tmp_path / "actions.toml", data))


def test_a_hyphenated_word_is_a_phrase_of_its_parts(run: Run, hyphens: str) -> None:
    assert ids(run, "third-party", "-r", hyphens) == ["R1", "R2", "R3"]
    assert ids(run, '"third party"', "-r", hyphens) == ["R1", "R2", "R3"]
    assert ids(run, "third—party", "-r", hyphens) == ["R1", "R2", "R3"]  # an em dash in the query
    # Two words, each anywhere.
    assert ids(run, "third", "party", "-r", hyphens) == ["R1", "R2", "R3", "O1"]
    assert ids(run, "case-by-case", "-r", hyphens) == ids(run, '"case by case"', "-r", hyphens) == ["O2"]
    # A hyphen that joins no two words is kept: "-" alone is a word of its own.
    assert ids(run, "party", "-", "-r", hyphens) == []


def test_hyphenated_matches_are_highlighted_whole(run: Run, hyphens: str) -> None:
    env = {"FORCE_COLOR": "1", "COLUMNS": "200"}
    args = ("search", "third-party", "--no-expand", "-r", hyphens, "-f", "table", "--fields", "id,snippet")
    result = run(*args, env=env)  # without the glossary, whose "third-party material" would widen the match
    for marked in ("third-party", "third party", "third–party"):
        assert f"\x1b[1;7m{marked}\x1b[0m" in result.stdout


def test_hyphens_keep_positions_in_folded_text() -> None:
    register = made_up("Die Straße-Bahn fährt; die re\u0301sume\u0301-Seite.")
    [hit] = search(register, "strasse-bahn resume-seite")
    assert marked(hit) == ["Straße-Bahn", "re\u0301sume\u0301-Seite"]


def test_glossary_forms_ignore_hyphens_too(run: Run, tmp_path: Path) -> None:
    """The glossary writes "offender-centric"; the register may not."""
    path = str(
        write(
            tmp_path / "actions.toml",
            texts(R1="Pilot an offender centric model.", R2="Launch a perpetrator-centric model.", R3="An offender."),
        )
    )
    assert ids(run, "offender-centric", "-r", path) == ["R1", "R2"]
    assert ids(run, "offender", "centric", "-r", path) == ["R1", "R2"]
    assert ids(run, "offender-centric", "--no-expand", "-r", path) == ["R1"]


def test_suggestions_know_hyphenated_words(run: Run, hyphens: str) -> None:
    result = run("search", "caseby-case", "-r", hyphens)
    assert (result.exit_code, result.stderr) == (
        1,
        "jnap: no actions match 'caseby-case'; did you mean case-by-case?\n",
    )


# --- parts of glossary phrases --------------------------------------------------------------------


@pytest.fixture
def glossary_words(tmp_path: Path) -> str:
    """Actions that name an ISVA, or RASSO, in different ways; the bundled glossary knows both."""
    data = texts(
        R1="Meet the ISVA every month.",
        R2="Train independent sexual violence advisers.",
        R3="Publish an independent review of sexual violence in the courts.",
        O1="Reduce violence in every area.",
        O2="Support victims of rape and serious sexual offences.",
    )
    data = set_field(data, "O3", "commentary", "Every RASSO unit has been trained.")
    return str(write(tmp_path / "actions.toml", data))


def test_part_of_an_expansion_also_finds_the_acronym(run: Run, glossary_words: str) -> None:
    # R2 has the words as typed (inside the expansion), R3 has them apart, R1 names only the acronym.
    assert ids(run, "independent", "sexual", "violence", "-r", glossary_words) == ["R2", "R3", "R1"]
    assert ids(run, '"sexual violence"', "-r", glossary_words) == ["R2", "R3", "R1"]
    assert ids(run, "serious", "sexual", "-r", glossary_words) == ["O2", "O3"]
    # Without the glossary, only the words themselves.
    assert ids(run, "independent", "sexual", "violence", "--no-expand", "-r", glossary_words) == ["R2", "R3"]


def test_one_word_or_stop_words_do_not_stand_for_a_glossary_phrase(run: Run, glossary_words: str) -> None:
    assert ids(run, "violence", "-r", glossary_words) == ["R2", "R3", "O1"]
    assert ids(run, "and", "serious", "-r", glossary_words) == ["O2"]  # "and" is a stop word


def test_part_of_an_expansion_ranks_as_its_words() -> None:
    register = made_up(
        "Meet the ISVA and the ISVAs.",
        "Train independent sexual violence advisers.",
        "An independent review of sexual violence.",
    )
    hits = search(register, "sexual violence", glossary=load_glossary())
    # Two terms' worth each: R1's two acronyms at half, R2's expansion (which holds the words) and R3's words.
    assert [(hit.action.id, hit.score) for hit in hits] == [("R2", 12.0), ("R3", 12.0), ("R1", 12.0)]
    assert [marked(hit) for hit in hits] == [
        ["independent sexual violence advisers"],
        ["sexual violence"],
        ["ISVA", "ISVAs"],
    ]


# --- plausible suggestions ------------------------------------------------------------------------


def test_no_implausible_suggestion_on_the_shipped_register(run: Run) -> None:
    result = run("search", "phone")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "jnap: no actions match 'phone'\n")
    result = run("search", "soteira")
    assert result.stderr == "jnap: no actions match 'soteira'; did you mean Soteria?\n"


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("pubilsh", "; did you mean Publish?"),  # two letters swapped
        ("guidence", "; did you mean guidance?"),
        ("thier", ""),  # "their" is a stop word
        ("pln", ""),  # three letters: too short to guess
        ("plna", "; did you mean plan?"),  # four letters: one swap or change, same length
        ("pans", ""),  # not "plans": an insertion is too much for four letters
        ("mothnly", ""),  # not "monthly": two edits in seven letters (0.71)
        ("mnothly", "; did you mean monthly?"),  # one swap in seven letters (0.86)
    ],
)
def test_suggestions_are_plausible(run: Run, tmp_path: Path, query: str, suggestion: str) -> None:
    data = texts(R1="Publish their guidance and the plan.", R2="Update the plans monthly.")
    path = str(write(tmp_path / "actions.toml", data))
    result = run("search", query, "zebra", "-r", path)
    assert result.exit_code == 1
    assert result.stderr == f"jnap: no actions match '{query} zebra'{suggestion}\n"


def test_plausible() -> None:
    assert plausible("soteira", "soteria") == pytest.approx(6 / 7)
    assert plausible("isav", "isva") == 0.75
    assert plausible("phone", "one") is None
    assert plausible("phone", "phones") == pytest.approx(5 / 6)
    assert plausible("prosecusion", "prosecution") == pytest.approx(10 / 11)
    assert plausible("plan", "plan") is None
    assert plausible("onee", "one") is None


def test_id_suggestions_need_more_than_the_letter(run: Run, tmp_path: Path) -> None:
    path = str(write(tmp_path / "actions.toml", small()))
    assert run("show", "1R", "-r", path).stderr == "jnap: error: no action '1R'; did you mean R1, O1?\n"
    assert run("show", "R", "-r", path).stderr == "jnap: error: no action 'R'; run 'jnap list' to see the ids\n"
    assert run("show", "R33", "-r", path).stderr == "jnap: error: no action 'R33'; did you mean R3?\n"


# --- very long texts ------------------------------------------------------------------------------

FILLER = "Victims are supported through the case by well-trained teams, and the work goes on. "
MEGABYTES = 2


def long_commentary(head: str = "") -> str:
    """About MEGABYTES million characters of commentary, with "needle" only at the very end."""
    return head + FILLER * (MEGABYTES * 1_000_000 // len(FILLER)) + "A needle-point needle, needle and needle."


def test_a_long_commentary_is_searched_to_its_end(run: Run, tmp_path: Path) -> None:
    head = "Die Straße, “quoted” and naïve re\u0301sume\u0301s – all before the filler. "
    data = set_field(small(), "R2", "commentary", long_commentary(head))
    path = str(write(tmp_path / "actions.toml", data))
    result = run("search", "needle", "-r", path, "-f", "json", "--fields", "id,score,matched,snippet")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "id": "R2",
            "score": 3.0,  # four occurrences count as three
            "matched": "commentary",
            "snippet": "…are supported through the case by well-trained teams, and the work goes on. "
            "A needle-point needle, needle and needle.",
        }
    ]
    # The accents and the "ß" at the start shift no position at the end.
    env = {"FORCE_COLOR": "1", "COLUMNS": "400"}
    table = run("search", '"needle point"', "-r", path, "-f", "table", "--fields", "id,snippet", env=env).stdout
    assert "\x1b[1;7mneedle-point\x1b[0m needle" in table
    table = run("search", "resume", "-r", path, "-f", "table", "--fields", "id,snippet", env=env).stdout
    assert "naïve \x1b[1;7mre\u0301sume\u0301\x1b[0ms –" in table
    found = run("search", "well trained", "strasse", "-r", path, "-f", "json", "--fields", "id,snippet")
    assert json.loads(found.stdout)[0]["snippet"].startswith("Die Straße, “quoted” and naïve")


@pytest.mark.parametrize("head", ["", "Die Straße, “quoted”, re\u0301sume\u0301 – "], ids=["ascii", "unicode"])
def test_a_long_commentary_needs_memory_for_its_text_not_per_character(head: str) -> None:
    commentary = long_commentary(head)
    register = made_up("A short text.", commentary=commentary)
    search_module._prepare.cache_clear()
    tracemalloc.start()
    try:
        [hit] = search(register, "needle")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert marked(hit) == ["needle", "needle", "needle", "needle"]
    # A copy or two of the text; not a number per character (about 50 bytes a character).
    assert peak < 8 * len(commentary), f"{peak / len(commentary):.1f} bytes a character"


TRICKY = "aAzZ -–’“ßẞİﬁǅÅé\u0301\u0345\u00a0\n\t"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(TRICKY)) | st.characters(codec="utf-8"), max_size=40))
def test_folded_positions_map_back_to_their_characters(raw: str) -> None:
    """Compact origins agree with folding one character at a time."""
    prepared = search_module._prepare(raw)
    assert prepared.text == " ".join(raw.split())
    expected: list[int] = []
    for index, char in enumerate(prepared.text):
        expected += [index] * len(fold(char).translate(PUNCTUATION))
    assert len(prepared.folded) == len(expected)
    assert [prepared.origin(index) for index in range(len(expected))] == expected
    # Hyphens between word characters became spaces; nothing else changed.
    plain = "".join(fold(char).translate(PUNCTUATION) for char in prepared.text)
    assert all(a == b or (a, b) == ("-", " ") for a, b in zip(plain, prepared.folded, strict=True))
