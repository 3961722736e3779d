"""`jnap show` on a terminal: the blocks are laid out by jnap, as plain text or styled, the same words either way."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import Run

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize("columns", ["30", "44", "60", "80", "120"])
def test_colour_changes_no_character(run: Run, columns: str) -> None:
    args = ("show", "R4", "O14", "R13", "-f", "table")
    plain = run(*args, env={"COLUMNS": columns})
    styled = run(*args, env={"COLUMNS": columns, "FORCE_COLOR": "1"})
    assert plain.exit_code == styled.exit_code == 0
    assert "\x1b[1m" in styled.stdout  # the labels are bold
    unstyled = [line.rstrip() for line in ANSI.sub("", styled.stdout).splitlines()]
    assert unstyled == plain.stdout.splitlines()
    assert all(len(line) <= int(columns) for line in plain.stdout.splitlines())


def test_a_long_commentary_is_shown_whole(run: Run, tmp_path: object) -> None:
    from pathlib import Path

    from .registers import set_field, small, write

    paragraphs = [" ".join(f"word{n}x{m}" for m in range(300)) for n in range(40)]
    path = write(Path(str(tmp_path)) / "actions.toml", set_field(small(), "R1", "commentary", "\n\n".join(paragraphs)))
    shown = run("show", "R1", "-f", "table", "-r", str(path), env={"COLUMNS": "70"}).stdout
    words = [word for line in shown.splitlines() for word in line.split()]
    for paragraph in paragraphs:
        assert " ".join(paragraph.split()) in " ".join(words)
    assert max(len(line) for line in shown.splitlines()) <= 70


# `show R4` at each width: fields in words, none empty, provenance as marks with a key, at most 100 wide.
SHOW_R4 = {
    60: """\
ID                 R4
Plan               refresh
Number ᵃ           4
Theme ᵃ            Our People
Text ᵃ             Continue to hold quarterly discussions
                   with the Senior Responsible Officers and
                   the Victims’ Commissioner, Domestic Abuse
                   Commissioner and London Victims’
                   Commissioners - so that senior
                   stakeholders can inform and scrutinise
                   our work.
Commentary ᵃ       Bi-monthly meetings have taken place with
                   the Joint National Action Plan Steering
                   Group to discuss, agree and progress the
                   JNAP work.

                   Regular meetings with the Victims’
                   Commissioner, London’s Victims’
                   Commissioner and the Domestic Abuse
                   Commissioner take place to consult and
                   inform on work in the RASSO area.
Status ʳ           ongoing
Status basis ʳ     inferred
Status evidence ʳ  Regular meetings with the Victims’
                   Commissioner, London’s Victims’
                   Commissioner and the Domestic Abuse
                   Commissioner take place to consult and
                   inform on work in the RASSO area.
As of              2024
Continues ʳ        O23

ᵃ the annex's words   ʳ the register's judgement
""",
    80: """\
ID                 R4
Plan               refresh
Number ᵃ           4
Theme ᵃ            Our People
Text ᵃ             Continue to hold quarterly discussions with the Senior
                   Responsible Officers and the Victims’ Commissioner, Domestic
                   Abuse Commissioner and London Victims’ Commissioners - so
                   that senior stakeholders can inform and scrutinise our work.
Commentary ᵃ       Bi-monthly meetings have taken place with the Joint National
                   Action Plan Steering Group to discuss, agree and progress the
                   JNAP work.

                   Regular meetings with the Victims’ Commissioner, London’s
                   Victims’ Commissioner and the Domestic Abuse Commissioner
                   take place to consult and inform on work in the RASSO area.
Status ʳ           ongoing
Status basis ʳ     inferred
Status evidence ʳ  Regular meetings with the Victims’ Commissioner, London’s
                   Victims’ Commissioner and the Domestic Abuse Commissioner
                   take place to consult and inform on work in the RASSO area.
As of              2024
Continues ʳ        O23

ᵃ the annex's words   ʳ the register's judgement
""",
    200: """\
ID                 R4
Plan               refresh
Number ᵃ           4
Theme ᵃ            Our People
Text ᵃ             Continue to hold quarterly discussions with the Senior Responsible Officers and
                   the Victims’ Commissioner, Domestic Abuse Commissioner and London Victims’
                   Commissioners - so that senior stakeholders can inform and scrutinise our work.
Commentary ᵃ       Bi-monthly meetings have taken place with the Joint National Action Plan Steering
                   Group to discuss, agree and progress the JNAP work.

                   Regular meetings with the Victims’ Commissioner, London’s Victims’ Commissioner
                   and the Domestic Abuse Commissioner take place to consult and inform on work in
                   the RASSO area.
Status ʳ           ongoing
Status basis ʳ     inferred
Status evidence ʳ  Regular meetings with the Victims’ Commissioner, London’s Victims’ Commissioner
                   and the Domestic Abuse Commissioner take place to consult and inform on work in
                   the RASSO area.
As of              2024
Continues ʳ        O23

ᵃ the annex's words   ʳ the register's judgement
""",
}


@pytest.mark.parametrize("columns", sorted(SHOW_R4))
def test_show_labels_fields_in_words_and_marks_their_provenance(run: Run, columns: int) -> None:
    result = run("show", "R4", "-f", "table", env={"COLUMNS": str(columns), "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert result.stdout == SHOW_R4[columns]
    assert max(len(line) for line in result.stdout.splitlines()) == min(columns, 100)


def test_json_keeps_the_empty_fields_and_the_provenance(run: Run) -> None:
    record = json.loads(run("show", "R4", "-f", "json").stdout)[0]
    assert record["builds_on"] == [] and record["annex_marker"] is None
    assert record["provenance"]["register"] == [
        "status", "status_basis", "status_evidence", "handed_to", "waits_on", "continues", "builds_on",
    ]  # fmt: skip
    assert record["handed_to"] is None and record["waits_on"] is None


def test_an_empty_field_shows_when_named_or_given_a_placeholder(run: Run) -> None:
    named = run("show", "R4", "-f", "table", "--fields", "id,builds_on,continues")
    assert named.stdout == "ID         R4\nBuilds on\nContinues  O23\n"
    filled = run("show", "R4", "-f", "table", "--fields", "id,builds_on,provenance", "--empty", "-")
    assert filled.stdout == "ID           R4\nBuilds on ʳ  -\n\nʳ the register's judgement\n"


def test_a_provenance_that_marks_no_field_shown_is_a_line(run: Run) -> None:
    result = run("show", "R4", "-f", "table", "--fields", "id,provenance", env={"COLUMNS": "60"})
    assert result.stdout == (
        "ID          R4\n"
        "Provenance  annex: theme, number, text, commentary,\n"
        "            references, annex_marker; register: status,\n"
        "            status_basis, status_evidence, handed_to,\n"
        "            waits_on, continues, builds_on; derived: as_of,\n"
        "            continued_by, built_on_by\n"
    )
