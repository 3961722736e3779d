"""Every command that prints records takes every record format, and each format parses as what it says."""

from __future__ import annotations

import csv
import io
import json

import pytest

from jnap_cli.model.vocab import FindingFormat, RecordFormat

from .conftest import Run

COMMANDS: dict[str, list[str]] = {
    "list": ["list", "--plan", "refresh", "--status", "ongoing"],
    "filter": ["filter", "transferred"],
    "show": ["show", "R4", "O7"],
    "search": ["search", "ISVA"],
    "plans": ["plans"],
    "themes": ["themes"],
    "glossary": ["glossary", "ISVA"],
    "check": ["check"],
    "diff plans": ["diff", "original", "refresh", "--suggest"],
    "diff versions": ["diff", "data/actions.toml", "data/actions.toml"],
}
# What each command's first record is, for the record formats that carry ids.
FIRST_ID = {
    "list": "R4",
    "filter": "R3",
    "show": "R4",
    "search": "O2",
    "plans": "refresh",
    "themes": "R1",
    "glossary": "ISVA",
    "check": "O14",
    "diff plans": "R4",
}


def output(run: Run, command: str, fmt: str) -> str:
    result = run(*COMMANDS[command], "--format", fmt, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("fmt", [member.value for member in RecordFormat])
def test_every_command_takes_every_record_format(run: Run, command: str, fmt: str) -> None:
    empty = command == "diff versions"  # a register compared with itself has no rows
    if fmt == "xlsx":  # a workbook: its first sheet holds a header and a row per record
        import openpyxl

        result = run(*COMMANDS[command], "--format", fmt)
        assert result.exit_code == 0, result.output
        sheet = openpyxl.load_workbook(io.BytesIO(result.stdout_bytes)).worksheets[0]
        assert sheet.max_row >= (1 if empty else 2)
        first = [str(cell.value) for cell in sheet[2]] if not empty else []
        assert empty or any(FIRST_ID[command] in value.split("\n") for value in first)
        return
    text = output(run, command, fmt)
    if fmt == "json":
        document = json.loads(text)
        assert isinstance(document, (list, dict)) and document
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
        assert all(isinstance(row, dict) for row in rows) and (empty or rows)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) >= (1 if empty else 2) and all(len(row) == len(rows[0]) for row in rows)
    elif fmt == "tsv":
        lines = text.splitlines()
        assert empty or (lines and len({line.count("\t") for line in lines}) == 1)
    elif fmt == "markdown":
        lines = text.splitlines()
        assert lines[1].startswith("| ---") and all(line.startswith("| ") for line in lines)
    elif fmt == "ids":
        assert text.splitlines()[:1] == ([] if empty else [FIRST_ID[command]])
    elif command == "show":
        assert text.startswith("ID                 R4\n")  # a block per action
    else:
        assert empty or "─" in text  # a table, with its header rule


def test_json_findings_keep_their_document(run: Run) -> None:
    document = json.loads(output(run, "check", "json"))
    assert (document["errors"], document["warnings"], len(document["findings"])) == (0, 2, 2)
    fields = json.loads(output(run, "check", "jsonl").splitlines()[0])
    assert list(fields) == ["code", "severity", "message", "action", "field", "file", "line"]


def test_finding_fields_pick_columns(run: Run) -> None:
    result = run("check", "--format", "csv", "--fields", "action,code")
    assert result.stdout == "action,code\nO14,unresolved-reference\nO15,unresolved-reference\n"
    document = json.loads(run("check", "--format", "json", "--fields", "action").stdout)
    assert document["findings"] == [{"action": "O14"}, {"action": "O15"}]


def test_diff_stat_in_a_record_format_is_one_record(run: Run) -> None:
    header = "relation,old_id,new_id,old_status,new_status,old_as_of,new_as_of,similarity\n"
    assert output(run, "diff plans", "csv").startswith(header)
    result = run("diff", "original", "refresh", "--stat", "--format", "tsv")
    assert result.stdout == "9\t13\t15\t\t2\n"  # links, new, not continued, suggestions (none asked), builds on


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_finding_only_formats(run: Run, fmt: str) -> None:
    assert fmt in {member.value for member in FindingFormat}
    assert len(output(run, "check", fmt).splitlines()) == 2


def test_diff_text_is_the_default(run: Run) -> None:
    assert run("diff", "original", "refresh").stdout.endswith("\n9 links, 13 new, 15 not continued, 2 builds on\n")
