"""`--format xlsx` and `-o FILE`: every record-printing command writes an Excel workbook, read back here with
openpyxl (and opened once in LibreOffice Calc) and compared with the command's own JSON records."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from jnap_cli.model.vocab import STATUSES
from jnap_cli.render.cells import flat

from .conftest import DATA, JNAP, Run
from .registers import set_field, small, write
from .test_pager import on_terminal

EPOCH = "1700000000"  # 2023-11-14 22:13:20 UTC
HOSTILE = '=HYPERLINK("http://evil.example","click") to claim.'


@pytest.fixture
def register(tmp_path: Path) -> Path:
    """The small register (two plans), with one finding for `check`: R1's evidence is not in its commentary."""
    return write(tmp_path / "actions.toml", set_field(small(), "R1", "status_evidence", "Words found nowhere."))


def book(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def rows_of(sheet: Worksheet) -> list[dict[str, Any]]:
    """A sheet's rows as records keyed by its header."""
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(map(str, header), row, strict=True)) for row in rows]


def as_cells(record: dict[str, Any]) -> dict[str, Any]:
    """A JSON record as its cells read back: numbers and booleans kept, lists one item a line (as CSV),
    nothing (null, "", [], {}) an empty cell."""
    return {
        key: None
        if value in (None, "", [], {})
        else value
        if isinstance(value, bool | int | float)
        else flat(value, "\n")
        for key, value in record.items()
    }


def jsonl(run: Run, *args: str) -> list[dict[str, Any]]:
    result = run(*args, "--format", "jsonl")
    return [json.loads(line) for line in result.stdout.splitlines()]


COMMANDS = [
    ("list",),
    ("filter", "ongoing", "in-progress"),
    ("show", "R1", "O3"),
    ("search", "victim"),
    ("plans",),
    ("themes",),
    ("stats",),
    ("graph",),
    ("check",),
    ("diff", "original", "refresh"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_each_command_s_workbook_holds_its_json_records(
    run: Run, register: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    target = tmp_path / "out.xlsx"
    result = run(*command, "-r", str(register), "--format", "xlsx", "-o", str(target))
    assert result.exit_code == (1 if command[0] == "check" else 0), result.output
    assert result.stdout == ""
    assert result.stderr.endswith(f"jnap: wrote {target}\n")
    expected = [as_cells(record) for record in jsonl(run, *command, "-r", str(register))]
    workbook = book(target)
    assert expected
    assert rows_of(workbook.worksheets[0]) == expected
    assert workbook.properties.title == f"jnap {command[0]}"
    assert workbook.properties.creator == "jnap"


def test_glossary_and_a_whole_json_document(run: Run, tmp_path: Path) -> None:
    run("glossary", "-o", str(tmp_path / "terms.xlsx"))
    expected = [as_cells(record) for record in json.loads(run("glossary", "--format", "json").stdout)]
    assert rows_of(book(tmp_path / "terms.xlsx").worksheets[0]) == expected
    assert book(tmp_path / "terms.xlsx").sheetnames == ["Glossary term"]


def test_a_sheet_per_plan_after_all_of_them(run: Run, register: Path, tmp_path: Path) -> None:
    target = tmp_path / "actions.xlsx"
    run("list", "-r", str(register), "-o", str(target), "--fields", "id,status")
    workbook = book(target)
    assert workbook.sheetnames == ["All", "refresh", "original"]
    records = [as_cells(r) for r in jsonl(run, "list", "-r", str(register), "--fields", "id,status")]
    assert rows_of(workbook["All"]) == records
    assert [r["id"] for r in rows_of(workbook["refresh"])] == ["R1", "R2", "R3"]
    assert [r["id"] for r in rows_of(workbook["original"])] == ["O1", "O2", "O3"]
    run("list", "-r", str(register), "-o", str(target), "--plan", "refresh")
    assert book(target).sheetnames == ["Action"]  # one plan: one sheet


def test_the_layout_an_analyst_expects(run: Run, register: Path, tmp_path: Path) -> None:
    target = tmp_path / "actions.xlsx"
    run("list", "-r", str(register), "-o", str(target))
    for sheet in book(target).worksheets:
        header = [cell.value for cell in sheet[1]]
        assert header[:7] == ["id", "plan", "number", "theme", "text", "commentary", "status"]
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.freeze_panes == "B2"  # below the header, right of the id
        assert sheet.auto_filter.ref == f"A1:S{sheet.max_row}"
        widths = {name: sheet.column_dimensions[chr(ord("A") + i)].width for i, name in enumerate(header)}
        assert widths["id"] == 6
        assert widths["text"] == widths["commentary"] == 70
        longest = max(len(record["theme"]) for record in rows_of(sheet))
        assert widths["theme"] == longest + 2  # room for the filter's button
        assert sheet["E2"].alignment.wrap_text and sheet["F2"].alignment.wrap_text
        assert not sheet["A2"].alignment.wrap_text
        assert sheet["C2"].value == 1 and sheet["C2"].data_type == "n"
        (rule,) = sheet.data_validations.dataValidation
        assert rule.type == "list"
        assert rule.formula1 == '"' + ",".join(STATUSES) + '"'
        assert str(rule.sqref) == f"G2:G{sheet.max_row}"


def test_panes_keep_a_narrow_key_column_in_view_never_prose(run: Run, register: Path, tmp_path: Path) -> None:
    run("check", "-r", str(register), "-o", str(tmp_path / "findings.xlsx"))
    sheet = book(tmp_path / "findings.xlsx").worksheets[0]
    assert (sheet["A1"].value, sheet.freeze_panes, sheet.auto_filter.ref) == ("code", "B2", "A1:G2")
    run("list", "-r", str(register), "--fields", "text,id", "-o", str(tmp_path / "prose.xlsx"))
    assert book(tmp_path / "prose.xlsx")["All"].freeze_panes == "A2"  # only the header


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    data = set_field(small(), "R1", "commentary", HOSTILE)
    data = set_field(data, "R1", "status_evidence", "to claim")
    data = set_field(data, "R3", "commentary", "Work\x01 is \x1b[31m under\u202eway \ufffe in every area.")
    data = set_field(data, "R3", "status_evidence", "in every area")
    data = set_field(data, "O1", "theme", "@SUM(A1)")
    data = set_field(data, "O2", "theme", "-2+3")
    return write(tmp_path / "hostile.toml", data)


def test_text_that_looks_like_a_formula_stays_text(run: Run, hostile: Path, tmp_path: Path) -> None:
    target = tmp_path / "hostile.xlsx"
    assert run("list", "-r", str(hostile), "-o", str(target)).exit_code == 0
    workbook = book(target)
    assert all(cell.data_type != "f" for sheet in workbook for row in sheet.iter_rows() for cell in row)
    sheet = workbook["All"]
    records = {r["id"]: r for r in rows_of(sheet)}
    assert records["R1"]["commentary"] == HOSTILE
    assert records["O1"]["theme"] == "@SUM(A1)"
    assert records["O2"]["theme"] == "-2+3"
    formula_like = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value in (HOSTILE, "@SUM(A1)")]
    assert len(formula_like) == 2
    assert all(cell.quotePrefix and cell.data_type == "s" for cell in formula_like)
    with zipfile.ZipFile(target) as archive:
        assert all(b"<f>" not in archive.read(name) for name in archive.namelist())


def test_control_and_bidi_characters_are_shown_not_written(run: Run, hostile: Path, tmp_path: Path) -> None:
    target = tmp_path / "hostile.xlsx"
    assert run("list", "-r", str(hostile), "-o", str(target)).exit_code == 0
    records = {r["id"]: r for r in rows_of(book(target)["All"])}
    assert records["R3"]["commentary"] == r"Work\x01 is \x1b[31m under<U+202E>way <U+FFFE> in every area."


def test_a_terminal_is_refused_a_binary(tmp_path: Path, register: Path) -> None:
    seen = on_terminal(tmp_path, "list", "-r", str(register), "--format", "xlsx", env={})
    assert (seen.code, seen.screen) == (2, "")
    assert seen.stderr == (
        "jnap: error: --format xlsx writes a binary file, which a terminal cannot show; "
        "give -o FILE, or redirect standard output to a file\n"
    )
    seen = on_terminal(tmp_path, "check", "-r", str(register), "--format", "xlsx", env={})
    assert (seen.code, seen.screen) == (2, "")
    seen = on_terminal(tmp_path, "list", "-r", str(register), "-o", "on-disk.xlsx", env={})
    assert (seen.code, seen.screen, seen.stderr) == (0, "", "jnap: wrote on-disk.xlsx\n")
    assert rows_of(book(tmp_path / "on-disk.xlsx").worksheets[0])[0]["id"] == "R1"


def jnap(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    environment = {k: v for k, v in os.environ.items() if k not in ("JNAP_REGISTER", "SOURCE_DATE_EPOCH")}
    return subprocess.run([JNAP, *args], cwd=cwd, env={**environment, **env}, capture_output=True, check=False)


def test_piped_stdout_takes_the_same_workbook_as_a_file(tmp_path: Path, register: Path) -> None:
    piped = jnap("list", "-r", str(register), "--format", "xlsx", cwd=tmp_path, SOURCE_DATE_EPOCH=EPOCH)
    filed = jnap("list", "-r", str(register), "-o", "actions.xlsx", cwd=tmp_path, SOURCE_DATE_EPOCH=EPOCH)
    assert (piped.returncode, piped.stderr, filed.returncode, filed.stdout) == (0, b"", 0, b"")
    assert filed.stderr == b"jnap: wrote actions.xlsx\n"
    assert piped.stdout[:2] == b"PK"
    assert piped.stdout == (tmp_path / "actions.xlsx").read_bytes()


def test_the_same_register_makes_the_same_bytes(tmp_path: Path, register: Path) -> None:
    made = [
        jnap("list", "-r", str(register), "-f", "xlsx", cwd=tmp_path, SOURCE_DATE_EPOCH=EPOCH, PYTHONHASHSEED=seed)
        for seed in ("1", "2")
    ]
    assert made[0].stdout == made[1].stdout
    (tmp_path / "a.xlsx").write_bytes(made[0].stdout)
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    properties = book(tmp_path / "a.xlsx").properties
    assert str(properties.created) == str(properties.modified) == "2023-11-14 22:13:20"


def test_a_fifo_is_written_into(run: Run, register: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("list", "-r", str(register), "--format", "xlsx", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert fifo.exists() and not fifo.is_file()  # still the FIFO, never replaced
    (tmp_path / "read.xlsx").write_bytes(received[0])
    assert len(rows_of(book(tmp_path / "read.xlsx")["All"])) == 6


def test_the_name_of_the_file_chooses_the_format(run: Run, register: Path, tmp_path: Path) -> None:
    run("list", "-r", str(register), "-o", str(tmp_path / "a.csv"), "--fields", "id,status")
    assert (tmp_path / "a.csv").read_text(encoding="utf-8").splitlines()[:2] == ["id,status", "R1,complete"]
    run("list", "-r", str(register), "-o", str(tmp_path / "a.json"), "--fields", "id")
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))[0] == {"id": "R1"}
    assert run("check", "-r", str(register), "-o", str(tmp_path / "f.xlsx")).exit_code == 1
    assert rows_of(book(tmp_path / "f.xlsx").worksheets[0])[0]["code"] == "evidence-not-found"
    run("diff", "original", "refresh", "-r", str(register), "--format", "json", "-o", str(tmp_path / "d.xlsx"))
    assert "links" in json.loads((tmp_path / "d.xlsx").read_text(encoding="utf-8"))  # --format wins
    run("list", "-r", str(register), "-o", str(tmp_path / "a.txt"), "--fields", "id")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8").startswith("R1\nR2\n")  # unknown: as piped, TSV


def test_output_options_and_exit_codes(run: Run, register: Path, tmp_path: Path) -> None:
    before = register.read_bytes()
    refused = run("list", "-r", str(register), "-o", str(register))
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"jnap: error: {register}: that is the register (or one of its files); write the output elsewhere\n"
    )
    assert register.read_bytes() == before
    nothing = run("list", "-r", str(register), "--status", "deferred", "-o", str(tmp_path / "none.xlsx"))
    assert (nothing.exit_code, nothing.stderr) == (1, "jnap: no actions match\n")
    assert not (tmp_path / "none.xlsx").exists()  # a command that fails writes nothing
    stdout = run("list", "-r", str(register), "-o", "-", "--format", "ids")
    assert stdout.stdout == "R1\nR2\nR3\nO1\nO2\nO3\n"
    missing = run("list", "-r", str(register), "-o", str(tmp_path / "no" / "such.xlsx"))
    assert missing.exit_code == 2
    assert "no such directory" in missing.stderr


def test_start_up_does_not_import_openpyxl(tmp_path: Path) -> None:
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('openpyxl' in sys.modules, file=sys.stderr))\n"
        "from jnap_cli.entry import main\n"
        f"sys.argv = ['jnap', 'list', '-r', {str(DATA)!r}, '--format', 'json']\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "False\n")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (Debian: libreoffice-calc)")
def test_libreoffice_reads_the_workbook_and_runs_no_formula(run: Run, hostile: Path, tmp_path: Path) -> None:
    target = tmp_path / "hostile.xlsx"
    run("list", "-r", str(hostile), "-o", str(target), "--fields", "id,plan,number,theme,commentary,status")
    profile = (tmp_path / "lo-profile").as_uri()  # LibreOffice's settings in the test's own directory
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "csv", "--outdir",
         str(tmp_path / "csv"), str(target)],
        capture_output=True, text=True, timeout=180, check=False, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with (tmp_path / "csv" / "hostile.csv").open(encoding="utf-8", newline="") as converted:
        header, *rows = csv.reader(converted)
    assert header == ["id", "plan", "number", "theme", "commentary", "status"]
    shown = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert list(shown) == ["R1", "R2", "R3", "O1", "O2", "O3"]
    assert shown["R1"]["commentary"] == HOSTILE  # the text, not "click"
    assert shown["O1"]["theme"] == "@SUM(A1)"
    assert shown["O2"]["theme"] == "-2+3"  # not 1
    assert shown["R2"]["number"] == "2"


def test_history_s_workbook_holds_its_json_records(run: Run, git_env: None, tmp_path: Path) -> None:
    from .conftest import git

    register = write(tmp_path / "actions.toml", small())
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "First")
    write(register, set_field(small(), "R3", "status", "complete"))
    git(tmp_path, "commit", "-q", "-am", "=cmd|' /C calc'!A0")  # a subject that looks like a formula
    result = run("history", "R3", "-r", str(register), "-o", str(tmp_path / "history.xlsx"))
    assert result.exit_code == 0, result.output
    expected = [as_cells(record) for record in jsonl(run, "history", "R3", "-r", str(register))]
    rows = rows_of(book(tmp_path / "history.xlsx").worksheets[0])
    assert rows == expected
    assert rows[0]["subject"] == "=cmd|' /C calc'!A0"
