"""`jnap diff PLAN PLAN` at its edges: the plans given newest first, texts that share little, and the
width of a terminal.

The registers are small ones built as data (`tests/registers.py`): its `refresh` plan (2022) is
listed before `original` (2021), and R2 continues O2. The shipped register is used only where its
links are the point (which of them are word-diffed).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import tomli_w
from rich.cells import cell_len
from rich.text import Text

from jnap_cli.diff.plans import WORD_DIFF_THRESHOLD, Link, PlanDiff, PlanSummary, diff_plans
from jnap_cli.diff.words import word_diff
from jnap_cli.model.schema import Register
from jnap_cli.model.vocab import DiffFormat
from jnap_cli.register.load import load_text
from jnap_cli.register.source import load
from jnap_cli.render.diff_text import HANG, emit_diff, wrap
from jnap_cli.render.records import Output

from .conftest import DATA, Run
from .registers import Data, set_field, set_plan_field, small, write

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Terminal(io.StringIO):
    """An output stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def model(data: Data) -> Register:
    return load_text(tomli_w.dumps(data), "small.toml")


def rendered(diff: PlanDiff, *, out: io.StringIO | None = None, color: bool = False) -> str:
    out = out if out is not None else io.StringIO()
    emit_diff(diff, DiffFormat.TEXT, Output(color=color, stream=out))
    return out.getvalue()


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return write(tmp_path / "small.toml", small())


# --- the plans given newest first --------------------------------------------------------------

REVERSED_TEXT = """\
refresh from original
  refresh: Refresh plan (2022)
  original: Original plan (2021)

themes of refresh (2):
  Our People (2): R1, R3
  Working with victims (1): R2

themes of original (2):
  Supporting Victims (2): O1, O2
  Casework Quality (1): O3

links (1): refresh actions that continue original actions
  R2 continues O2: similarity: 65%
  R2 continues O2: status: O2 complete; R2 ongoing
  R2 continues O2: text: [-Hold-]{+Continue the+} victim liaison meetings with advocates.

new in refresh, continuing nothing (2): R1, R3

not continued from original (2): O1, O3

1 link, 2 new, 2 not continued
"""


def test_reversed_plan_diff_says_the_same_facts_from_the_other_side(run: Run, register: Path) -> None:
    forward = run("diff", "original", "refresh", "-r", str(register))
    reversed_ = run("diff", "refresh", "original", "-r", str(register))
    assert reversed_.exit_code == 0, reversed_.output
    assert reversed_.stderr == ""
    assert reversed_.stdout == REVERSED_TEXT
    # Forward, only the order of the plans and the header's wording differ: the facts are the same.
    assert forward.stdout.startswith("original to refresh\n  original: Original plan (2021)\n")
    facts = REVERSED_TEXT.split("links (1)", 1)[1]
    assert forward.stdout.split("links (1)", 1)[1] == facts


def test_reversed_plan_json_means_the_same(run: Run, register: Path) -> None:
    forward = json.loads(run("diff", "original", "refresh", "-r", str(register), "-f", "json").stdout)
    reversed_ = json.loads(run("diff", "refresh", "original", "-r", str(register), "-f", "json").stdout)
    assert reversed_ == forward
    assert (reversed_["old_plan"]["id"], reversed_["new_plan"]["id"]) == ("original", "refresh")
    # new: of the newer plan, continuing nothing; not_continued: of the older plan, continued by nothing.
    assert (reversed_["new"], reversed_["not_continued"]) == (["R1", "R3"], ["O1", "O3"])
    link = reversed_["links"][0]
    assert [link[k] for k in ("old_id", "new_id", "old_status", "new_status")] == ["O2", "R2", "complete", "ongoing"]
    # The record formats say the same in both orders too.
    csv = run("diff", "refresh", "original", "-r", str(register), "-f", "csv").stdout
    assert csv == run("diff", "original", "refresh", "-r", str(register), "-f", "csv").stdout
    assert "continues,O2,R2,complete,ongoing,,,0.652\nnew,,R1,,,,,\nnew,,R3,,,,,\nnot-continued,O1,,,,,,\n" in csv
    stat = run("diff", "refresh", "original", "-r", str(register), "--stat").stdout
    assert stat == "1 link, 2 new, 2 not continued\n"


def test_reversed_shipped_plans(run: Run) -> None:
    forward = json.loads(run("diff", "original", "refresh", "-f", "json", "--suggest").stdout)
    reversed_ = json.loads(run("diff", "refresh", "original", "-f", "json", "--suggest").stdout)
    assert reversed_ == forward
    assert reversed_["new"][:3] == ["R1", "R2", "R3"]
    assert reversed_["not_continued"][:3] == ["O3", "O4", "O5"]
    text = run("diff", "refresh", "original").stdout
    assert text.startswith(
        "refresh from original\n"
        "  refresh: JNAP Refresh (2022ʳ), statuses as of 2024\n"
        "  original: Police-CPS Joint National RASSO Action Plan 2021ʳ (2021ʳ), statuses as of 2022\n"
        "  ʳ supplied by the register, not printed in the annex\n\n"
    )
    assert "links (9): refresh actions that continue original actions\n  R4 continues O23: similarity: 87%\n" in text
    assert "\nnew in refresh, continuing nothing (13): R1, R2, R3, R9, R10," in text
    assert "\nnot continued from original (15): O3, O4, O5, O8," in text
    assert text.endswith("\n9 links, 13 new, 15 not continued, 2 builds on\n")


def test_plans_of_one_year_keep_the_order_given() -> None:
    register = model(set_plan_field(small(), "refresh", "year", 2021))
    diff = diff_plans(register, "refresh", "original")
    assert (diff.old_plan.id, diff.new_plan.id, diff.newer_first) == ("refresh", "original", False)
    assert [(link.old_id, link.new_id) for link in diff.links] == [("R2", "O2")]
    assert (diff.new, diff.not_continued) == (("O1", "O3"), ("R1", "R3"))


# --- texts that share little are shown whole ---------------------------------------------------


def _rewritten() -> Data:
    """R2 restated so that it shares only "Hold" and "with" with O2 (and its commentary nothing)."""
    data = set_field(small(), "R2", "text", "Hold quarterly reviews of the charter with partners.")
    data = set_field(data, "R2", "commentary", "The charter is reviewed every quarter.")
    return set_field(data, "R2", "status_evidence", "The charter is reviewed every quarter.")


def test_texts_that_share_little_are_shown_whole(run: Run, tmp_path: Path) -> None:
    register = write(tmp_path / "rewritten.toml", _rewritten())
    document = json.loads(run("diff", "original", "refresh", "-r", str(register), "-f", "json").stdout)
    assert document["links"][0]["similarity"] < WORD_DIFF_THRESHOLD
    # JSON keeps the word diff; only the text output changes.
    assert document["links"][0]["text"][0] == {"op": "equal", "text": "Hold"}
    text = run("diff", "original", "refresh", "-r", str(register)).stdout
    assert (
        "  R2 continues O2: status: O2 complete; R2 ongoing\n"
        "  R2 continues O2: O2 text: Hold victim liaison meetings with advocates.\n"
        "  R2 continues O2: R2 text: Hold quarterly reviews of the charter with partners.\n"
        "\n"
    ) in text
    assert "[-" not in text and "{+" not in text


def _link(similarity: float, old: str = "Publish the data.", new: str = "Publish the data every month.") -> PlanDiff:
    plan = PlanSummary("p", "Plan", 2021, ())
    link = Link("A1", "B1", "complete", "complete", similarity, tuple(word_diff(old, new)))
    return PlanDiff(plan, PlanSummary("q", "Plan", 2022, ()), (link,), (), (), None)


def test_the_threshold_is_inclusive() -> None:
    at = rendered(_link(WORD_DIFF_THRESHOLD))
    assert "  B1 continues A1: text: Publish the [-data.-]{+data every month.+}\n" in at
    below = rendered(_link(WORD_DIFF_THRESHOLD - 0.001))
    assert (
        "  B1 continues A1: A1 text: Publish the data.\n  B1 continues A1: B1 text: Publish the data every month.\n"
    ) in below


def test_whole_texts_keep_paragraphs_and_escape_control_characters() -> None:
    text = rendered(_link(0.1, "First part.\n\nSecond \x1b[31m part.", ""))
    assert "  B1 continues A1: A1 text: First part. ¶ Second \\x1b[31m part.\n" in text
    assert "  B1 continues A1: B1 text: (empty)\n" in text


def test_whole_texts_are_coloured_as_removed_and_added() -> None:
    coloured = rendered(_link(0.1), color=True)
    assert re.search(r"A1 text: \x1b\[31mPublish the data\.\x1b\[0m", coloured)
    assert re.search(r"B1 text: \x1b\[32mPublish the data every month\.\x1b\[0m", coloured)


def test_the_shipped_links_that_are_word_diffed() -> None:
    text = rendered(diff_plans(load(DATA), "original", "refresh"))
    word_diffed = re.findall(r"^  (\S+ continues \S+): text: ", text, re.MULTILINE)
    whole = re.findall(r"^  (\S+ continues (\S+)): \2 text: ", text, re.MULTILINE)
    assert word_diffed == ["R4 continues O23", "R5 continues O20"]
    assert [pair for pair, _ in whole] == [
        "R6 continues O6",
        "R6 continues O7",
        "R7 continues O11",
        "R8 continues O18",
        "R13 continues O15",
        "R15 continues O1",
        "R15 continues O2",
    ]


# --- one way to read a link ---------------------------------------------------------------------

ID_ARROW_ID = re.compile(r"\b[A-Za-z]+\d+\s*[→←]\s*[A-Za-z]+\d+\b")


def test_links_read_in_words_with_the_continuing_action_first(run: Run) -> None:
    """`graph` draws R4 → O23 (R4 continues O23): the diff says so in words, never with an arrow between ids."""
    text = run("diff", "refresh", "original", "--suggest").stdout
    assert "\n  R4 continues O23: similarity: 87%\n" in text
    assert "\n  R2 builds on O9: puts reflective practice into " in text
    assert "\n  R5 may continue O23: similarity: 22% (suggestion)\n" in text
    assert ID_ARROW_ID.findall(text) == []
    graph = json.loads(run("graph", "--format", "json").stdout)
    assert {("R4", "O23"), ("R2", "O9")} <= {(edge["source"], edge["target"]) for edge in graph}


def test_a_link_stored_on_the_older_action_reads_the_same() -> None:
    """`continues` written on the older plan's action (O2 continues R2) is still the newer continuing the older."""
    data = set_field(set_field(small(), "R2", "continues", []), "O2", "continues", ["R2"])
    text = rendered(diff_plans(model(data), "original", "refresh"))
    assert "  R2 continues O2: similarity: 65%\n" in text
    assert ID_ARROW_ID.findall(text) == []


# --- colour --------------------------------------------------------------------------------------


def test_an_unchanged_status_is_not_coloured() -> None:
    same = rendered(_link(0.9), color=True)
    status = next(line for line in same.split("\n") if "status:" in line)
    assert status == "  B1 continues A1: status: A1 complete; B1 complete"
    changed = rendered(diff_plans(model(small()), "original", "refresh"), color=True)
    status = next(line for line in changed.split("\n") if "status:" in line)
    assert ANSI.search(status)
    assert ANSI.sub("", status) == "  R2 continues O2: status: O2 complete; R2 ongoing"


# --- the width of a terminal -----------------------------------------------------------------------

LONG_OLD = "Hold quarterly meetings with members of the JNAP Senior Steering Group and the Commissioners."
LONG_NEW = "Continue to hold quarterly discussions with the Senior Responsible Officers and the Commissioners."


def test_on_a_terminal_lines_wrap_under_their_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    text = rendered(_link(0.9, LONG_OLD, LONG_NEW), out=Terminal())
    assert text == (
        "p to q\n"
        "  p: Plan (2021)\n"
        "  q: Plan (2022)\n"
        "\n"
        "themes of p (0):\n"
        "\n"
        "themes of q (0):\n"
        "\n"
        "links (1): q actions that continue p actions\n"
        "  B1 continues A1: similarity: 90%\n"
        "  B1 continues A1: status: A1 complete; B1 complete\n"
        "  B1 continues A1: text: [-Hold-]{+Continue to hold+}\n"
        "                         quarterly\n"
        "                         [-meetings-]{+discussions+} with\n"
        "                         [-members of-] the [-JNAP-] Senior\n"
        "                         [-Steering Group-]{+Responsible\n"
        "                         Officers+} and the Commissioners.\n"
        "\n"
        "new in q, continuing nothing (0):\n"
        "\n"
        "not continued from p (0):\n"
        "\n"
        "1 link, 0 new, 0 not continued\n"
    )


def test_piped_lines_are_never_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    text = rendered(_link(0.9, LONG_OLD, LONG_NEW))
    assert (
        "  B1 continues A1: text: [-Hold-]{+Continue to hold+} quarterly [-meetings-]{+discussions+} with "
        "[-members of-] the [-JNAP-] Senior [-Steering Group-]{+Responsible Officers+} and the Commissioners.\n"
    ) in text
    whole = rendered(_link(0.1, LONG_OLD, LONG_NEW))
    assert f"  B1 continues A1: A1 text: {LONG_OLD}\n  B1 continues A1: B1 text: {LONG_NEW}\n" in whole


def test_piped_cli_output_keeps_one_line_per_fact(run: Run) -> None:
    lines = run("diff", "original", "refresh", env={"COLUMNS": "40"}).stdout.split("\n")
    assert lines[19:23] == [
        "  R4 continues O23: similarity: 87%",
        "  R4 continues O23: status: O23 (as of 2022) ongoing; R4 (as of 2024) ongoing",
        "  R4 continues O23: text: [-Hold-]{+Continue to hold+} quarterly [-meetings-]{+discussions+} with "
        "[-members of-] the [-JNAP-] Senior [-Steering Group including-]{+Responsible Officers and+} the "
        "Victims’ Commissioner, Domestic Abuse Commissioner …",
        "  R5 continues O20: similarity: 64%",
    ]


@pytest.mark.parametrize("width", [20, 33, 60, 100])
def test_no_terminal_line_is_wider_than_the_terminal(monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    diff = diff_plans(load(DATA), "original", "refresh", suggest=True)
    for color in (False, True):
        text = ANSI.sub("", rendered(diff, out=Terminal(), color=color))
        assert max(cell_len(line) for line in text.split("\n")) <= width
        # Wrapping only moves words between rows (and cuts one wider than a row): nothing is lost.
        assert "".join(text.split()) == "".join(ANSI.sub("", rendered(diff, color=color)).split())


def test_wrap_hangs_a_long_prefix_by_a_few_columns() -> None:
    line = Text("  a long prefix of a line: one two three four")
    assert [row.plain for row in wrap(line, len("  a long prefix of a line: "), 36)] == [
        "  a long prefix of a line: one two",
        " " * HANG + "three four",
    ]


def test_wrap_breaks_a_prefix_wider_than_the_row_and_cuts_a_long_word() -> None:
    line = Text("  prefix wider than the row: x")
    assert [row.plain for row in wrap(line, len("  prefix wider than the row: "), 20)] == [
        "  prefix wider than",
        "    the row: x",
    ]
    word = Text("  id: " + "a" * 30)
    assert [row.plain for row in wrap(word, 6, 20)] == ["  id: " + "a" * 14, "      " + "a" * 14, "      aa"]


def test_wrap_keeps_styles() -> None:
    line = Text("  id: ")
    line.append("red words here", "red")
    line.append(" plain words")
    rows = wrap(line, 6, 18)
    assert [row.plain for row in rows] == ["  id: red words", "      here plain", "      words"]
    assert [(span.start, span.end, span.style) for span in rows[0].spans] == [(6, 15, "red")]
    assert [(span.start, span.end, span.style) for span in rows[1].spans] == [(6, 10, "red")]
