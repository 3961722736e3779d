"""File names reach a CI log as text: `jnap check`'s findings escape a hostile file name (GitHub's
workflow-command escaping, terminal escapes, no line a runner would run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jnap_cli.model.vocab import FindingFormat

from .conftest import Run, line_of
from .registers import set_field, small, write

# An ANSI colour, a right-to-left override, the workflow-command separators, a percent sign, and a newline
# after which a line of output could start `::error::`.
HOSTILE_NAME = "a\x1b[31m\u202eb,c:d%e\n::error::f.toml"
MESSAGE = "action R1: status_evidence: status_evidence 'nope' is not in the commentary"


@pytest.fixture
def hostile_path(tmp_path: Path) -> Path:
    assert not set(str(tmp_path)) & set(",:%\n"), "the expected lines below assume a plain temporary folder"
    return write(tmp_path / HOSTILE_NAME, set_field(small(), "R1", "status_evidence", "nope"))


def check(run: Run, path: Path | str, fmt: str) -> str:
    result = run("check", "-r", str(path), "-f", fmt, "--select", "evidence-not-found")
    assert result.exit_code == 1, result.output
    return result.stdout


def test_github_annotation_escapes_a_hostile_file_name(run: Run, hostile_path: Path) -> None:
    line = line_of(hostile_path, "status_evidence = ")
    assert check(run, hostile_path, "github") == (
        f"::error file={hostile_path.parent}/a\\x1b[31m<U+202E>b%2Cc%3Ad%25e%0A%3A%3Aerror%3A%3Af.toml,"
        f"line={line},title=evidence-not-found::{MESSAGE}\n"
    )


def test_text_finding_is_one_line_whatever_the_file_name(run: Run, hostile_path: Path) -> None:
    line = line_of(hostile_path, "status_evidence = ")
    assert check(run, hostile_path, "text") == (
        f"{hostile_path.parent}/a\\x1b[31m<U+202E>b,c:d%e\\n::error::f.toml:{line}: action R1: status_evidence: "
        "error: status_evidence 'nope' is not in the commentary [evidence-not-found]\n"
    )


def test_a_file_name_starting_with_a_workflow_command(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "::error::x.toml", set_field(small(), "R1", "status_evidence", "nope"))
    monkeypatch.chdir(tmp_path)
    line = line_of(tmp_path / "::error::x.toml", "status_evidence = ")
    assert check(run, "::error::x.toml", "text") == (
        f"'::error::x.toml:{line}: action R1: status_evidence: error: status_evidence 'nope' is not in the "
        "commentary [evidence-not-found]\n"
    )
    assert check(run, "::error::x.toml", "github") == (
        f"::error file=%3A%3Aerror%3A%3Ax.toml,line={line},title=evidence-not-found::{MESSAGE}\n"
    )


@pytest.mark.parametrize("fmt", list(FindingFormat))
def test_no_finding_format_lets_a_hostile_file_name_through(run: Run, hostile_path: Path, fmt: str) -> None:
    output = check(run, hostile_path, fmt)
    assert "\x1b" not in output and "\u202e" not in output
    commands = [line for line in output.splitlines() if line.lstrip().startswith("::")]
    assert commands == ([output.rstrip("\n")] if fmt == "github" else []), "a line a CI runner would run"
