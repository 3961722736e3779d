"""Tables lose no word at any width: every word of every cell appears, and no line is wider than the terminal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from jnap_cli.render import views
from jnap_cli.render.cells import flat

from .conftest import Run

VIEWS = {
    "list": views.ACTION,
    "show": views.ACTION_DETAIL,
    "search": views.SEARCH_HIT,
    "plans": views.PLAN,
    "themes": views.THEME,
    "glossary": views.TERM,
    "check": views.FINDING,
}

WIDTHS = [40, 60, 80, 120, 200]
COMMANDS = [
    ["list"],
    ["list", "--fields", "id,plan,number,theme,text,commentary,status,status_evidence,continues,references"],
    ["show", "R4", "O12"],
    ["search", "victims"],
    ["plans"],
    ["themes", "--fields", "plan,theme,actions,ids"],
    ["glossary"],
    ["check", "--fields", "file,line,action,field,severity,code,message"],
]


def words(value: object) -> list[str]:
    """The words of a JSON value as a table shows them (escaped text, lists item by item)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [word for item in value for word in words(item)]
    return re.findall(r"\S+", flat(value))


def split_shown(word: str, shown: set[str]) -> bool:
    """Whether `word` is shown as a run of pieces on successive lines, each but the last ending with the
    hyphen or slash it was broken after (`Suspect-/`, `offender-/`, `perpetrator-centric`)."""
    if word in shown or f"{word}," in shown:
        return True
    return any(
        word[:cut] in shown and split_shown(word[cut:], shown) for cut in range(1, len(word)) if word[cut - 1] in "-/"
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_word_of_every_cell_is_shown(run: Run, command: list[str], width: int) -> None:
    env = {"COLUMNS": str(width)}
    table = run(*command, "--format", "table", env=env)
    assert table.exit_code == 0, table.output
    lines = table.stdout.split("\n")
    assert max(cell_len(line) for line in lines) <= width
    shown = set(re.findall(r"\S+", table.stdout))
    folded = re.sub(r"\n *", "", table.stdout)  # a word longer than a block's line is folded onto the next
    fields = next((command[i + 1] for i, arg in enumerate(command) if arg == "--fields"), None)
    document = json.loads(run(*command, "--format", "json", env=env).stdout)
    records = document["findings"] if isinstance(document, dict) else document
    # Rich marks a cropped cell with an ellipsis: none may appear that the data does not have.
    assert table.stdout.count("…") <= json.dumps(records, ensure_ascii=False).count("…")
    names = fields.split(",") if fields else VIEWS[command[0]].summary
    for record in records:
        for name, value in record.items():
            if name not in names or name == VIEWS[command[0]].marks:  # a provenance is marks, not words
                continue
            for word in words(value):
                # A word may end a line with its list separator, break after a compound's hyphen or slash,
                # or be folded in a block narrower than it.
                assert split_shown(word, shown) or word in folded, (name, word)


# The glossary's hyphenated terms break after their hyphens ("suspect-" / "centric") in the term and
# expansion columns; the table keeps three columns so that the widths are the layout's alone.
GLOSSARY_CENTRIC = {
    60: """\
term             expansion        description
────────────────────────────────────────────────────────────
suspect-         suspect-         The approach whose
centric          centric          delivery and learning
approach         approach         refresh activity 8 set out
                                  to expand through
                                  Operation Soteria, now
                                  incorporated into the
                                  police and CPS adult rape
                                  NOMs.
offender-        offender-        The model original action
centric          centric          18 set out to pilot from a
investigation    investigation    pathfinder in Avon and
model            model            Somerset; its commentary
                                  reports a
                                  perpetrator-centric model
                                  launched in January 2021
                                  with the South West as a
                                  pathfinder area.
""",
    80: """\
term                expansion          description
────────────────────────────────────────────────────────────────────────────────
suspect-centric     suspect-centric    The approach whose delivery and learning
approach            approach           refresh activity 8 set out to expand
                                       through Operation Soteria, now
                                       incorporated into the police and CPS
                                       adult rape NOMs.
offender-centric    offender-centric   The model original action 18 set out to
investigation       investigation      pilot from a pathfinder in Avon and
model               model              Somerset; its commentary reports a
                                       perpetrator-centric model launched in
                                       January 2021 with the South West as a
                                       pathfinder area.
""",
    120: """\
term                     expansion               description
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
suspect-centric          suspect-centric         The approach whose delivery and learning refresh activity 8 set out to
approach                 approach                expand through Operation Soteria, now incorporated into the police and
                                                 CPS adult rape NOMs.
offender-centric         offender-centric        The model original action 18 set out to pilot from a pathfinder in Avon
investigation model      investigation model     and Somerset; its commentary reports a perpetrator-centric model
                                                 launched in January 2021 with the South West as a pathfinder area.
""",
}


@pytest.mark.parametrize("width", sorted(GLOSSARY_CENTRIC))
def test_a_compound_breaks_after_its_hyphens_and_slashes(run: Run, width: int) -> None:
    fields = ("--fields", "term,expansion,description")
    result = run("glossary", "centric", *fields, "--format", "table", env={"COLUMNS": str(width), "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert result.stdout == GLOSSARY_CENTRIC[width]


# The whole glossary: its term column once took 40 of 80 columns (324 lines), leaving 17 for the prose.
# 73 entries and a source column since the glossary was sourced; at 60 columns the prose would get fewer
# than `PROSE_FLOOR`, so the glossary is printed as blocks (below).
@pytest.mark.parametrize(("width", "lines"), [(80, 425), (120, 237), (200, 144)])
def test_no_column_starves_the_prose(run: Run, width: int, lines: int) -> None:
    result = run("glossary", "--format", "table", env={"COLUMNS": str(width), "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == lines
    header = result.stdout.splitlines()[0]
    assert width - header.index("description") >= 0.4 * width  # the description has two fifths or more


def test_a_narrow_glossary_is_blocks(run: Run) -> None:
    result = run("glossary", "-f", "table", env={"COLUMNS": "60", "NO_COLOR": "1"})
    assert result.stdout.splitlines()[:2] == ["term         JNAP", "expansion    Joint National Action Plan"]


def test_an_id_a_status_or_a_date_never_breaks(run: Run, tmp_path: Path) -> None:
    from .registers import set_field, small, write

    evidence = "In-progress since 2024-05-01 (R4/O23): steering-group-minutes-and-board-papers."
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "status_evidence", evidence))
    result = run(
        "list", "-r", str(path), "-n", "1", "--fields", "id,status,status_evidence", "-f", "table",
        env={"COLUMNS": "36"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # The compound too long for its column breaks after hyphens; the date and the ids move whole.
    assert result.stdout == (
        "id   status     status_evidence\n" + "─" * 36 + "\n"
        "R1   complete   In-progress since\n"
        "                2024-05-01 (R4/O23):\n"
        "                steering-group-\n"
        "                minutes-and-board-\n"
        "                papers.\n"
    )
