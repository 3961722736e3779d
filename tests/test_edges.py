"""Edges new users hit: negated filters, empty ids and fields, TSV in `while read`, CSV that runs nothing."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest

from .conftest import JNAP, Run, jnap
from .registers import set_field, small, write


@pytest.fixture
def register(tmp_path: Path) -> str:
    return str(write(tmp_path / "actions.toml", small()))


def test_not_status_is_everything_else(run: Run, register: str) -> None:
    result = run("list", "-r", register, "--not-status", "complete", "--format", "ids")
    assert result.stdout == "R2\nR3\n"
    both = run("list", "-r", register, "-S", "complete", "-S", "ongoing", "-f", "ids")
    assert both.stdout == "R3\n"
    combined = run("list", "-r", register, "--status", "ongoing", "--not-status", "ongoing", "-f", "ids")
    assert (combined.exit_code, combined.stdout) == (1, "")


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "markdown", "table", "ids"])
def test_a_field_given_twice_is_refused_in_every_format(run: Run, register: str, fmt: str) -> None:
    result = run("list", "-r", register, "--fields", "id,status,id", "--format", fmt)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "jnap: error: field 'id' given twice; name each field once\n"


@pytest.mark.parametrize("ids", [[""], ["R1", " "]])
def test_an_empty_id_is_a_usage_error(run: Run, register: str, ids: list[str]) -> None:
    result = run("show", "-r", register, *ids)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("jnap: error: an empty id names no action;")


def test_empty_cells_can_be_shown_for_while_read(register: str, tmp_path: Path) -> None:
    """bash merges adjacent tabs (tab is IFS white space): `--empty -` keeps every field in place."""
    loop = "while IFS=$'\\t' read -r id refs status; do echo \"$id|$refs|$status\"; done"
    fields = "--fields id,continues,status"
    plain = subprocess.run(
        ["bash", "-c", f"'{JNAP}' list -r '{register}' {fields} | {loop}"], capture_output=True, text=True, check=True
    )
    assert plain.stdout.splitlines()[0] == "R1|complete|"  # the status slid into the wrong variable
    safe = subprocess.run(
        ["bash", "-c", f"'{JNAP}' list -r '{register}' {fields} --empty - | {loop}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert safe.stdout.splitlines()[:2] == ["R1|-|complete", "R2|O2|ongoing"]


def test_empty_leaves_json_alone(run: Run, register: str) -> None:
    result = run("show", "R1", "-r", register, "--format", "jsonl", "--fields", "id,continues", "--empty", "-")
    assert result.stdout == '{"id": "R1", "continues": []}\n'


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 call", "'+1 call"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("first line\n::error::pwned", "first line\n'::error::pwned"),
        ("##[error]pwned", "#'#[error]pwned"),
        ("a = b, not a formula", "a = b, not a formula"),
    ],
)
def test_csv_cells_run_nothing(run: Run, tmp_path: Path, text: str, cell: str) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "theme", text))
    result = run("show", "R1", "-r", str(path), "--format", "csv", "--fields", "id,theme")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [["id", "theme"], ["R1", cell]]
    assert not any(line.startswith(("::", "##[", "=")) for line in result.stdout.splitlines())
    # TSV and JSON stay literal: scripts get the exact text.
    tsv = run("show", "R1", "-r", str(path), "--format", "tsv", "--fields", "theme").stdout
    assert tsv == text.replace("\t", "\\t").replace("\n", "\\n") + "\n"


def complete(words: str, cwd: Path, **env: str) -> list[str]:
    """What bash would offer for the last of `words`, through jnap's completion protocol."""
    import shlex

    cword = str(len(shlex.split(words)) - 1)
    variables = {"COMP_WORDS": words, "COMP_CWORD": cword, "_JNAP_COMPLETE": "complete_bash"}
    result = jnap(cwd=cwd, env={**variables, **env})
    assert (result.returncode, result.stderr) == (0, "")
    return result.stdout.split("\n")[:-1] if result.stdout else []


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("jnap list --theme Our", ["Our\\ People", "Our\\ People\\ and\\ Expertise"]),  # one word for bash
        ("jnap list --theme Our\\ Peo", ["Our\\ People", "Our\\ People\\ and\\ Expertise"]),  # and again
        ("jnap list --fields id,", [f"id,{f}" for f in ("plan", "number", "theme", "text", "commentary", "status")]),
        ("jnap glossary IS", ["ISVA"]),
        ("jnap diff or", ["original"]),
        ("jnap check --format gi", ["github"]),
    ],
)
def test_completion(tmp_path: Path, words: str, expected: list[str]) -> None:
    assert complete(words, tmp_path)[: len(expected)] == expected


def test_completion_reads_the_register_given_with_r(tmp_path: Path, register: str) -> None:
    assert complete(f"jnap -r {register} show R", tmp_path) == ["R1", "R2", "R3"]
    assert complete(f"jnap show --register {register} O", tmp_path) == ["O1", "O2", "O3"]


def test_a_failure_to_build_the_command_line_is_one_line() -> None:
    import sys

    script = (
        "import typer.main\n"
        "def broken(app): raise RuntimeError('no command')\n"
        "typer.main.get_command = broken\n"
        "from jnap_cli.entry import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stderr) == (
        70, "jnap: error: internal error: RuntimeError: no command (cannot start)\n",
    )  # fmt: skip


def test_a_table_starts_no_line_with_a_workflow_command(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "theme", "::error::pwned and more words"))
    for width in ("20", "200"):
        result = run("list", "-r", str(path), "--fields", "theme,id", "-f", "table", env={"COLUMNS": width})
        assert not any(line.startswith(("::", "##[")) for line in result.stdout.splitlines()), width
        assert "'::error::pwned" in result.stdout
