"""Settings on the context, the one TOML reader, and the source map scanned only when a line is needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from jnap_cli.register import sourcemap

from .conftest import ROOT, Run
from .registers import set_field, small, write


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, Path]:
    """Two registers that differ in R1's status."""
    first = write(tmp_path / "first.toml", small())
    second = write(tmp_path / "second.toml", set_field(small(), "R1", "status", "deferred"))
    return first, second


def test_register_before_or_after_the_command(run: Run, two: tuple[Path, Path]) -> None:
    first, second = two
    before = run("-r", str(second), "list", "--status", "deferred", "--format", "ids")
    after = run("list", "--status", "deferred", "--format", "ids", "-r", str(second))
    assert before.stdout == after.stdout == "R1\n"
    # After the command wins over before it, and both over $JNAP_REGISTER.
    both = run("-r", str(first), "list", "-r", str(second), "-s", "deferred", "-f", "ids", env={"JNAP_REGISTER": "x"})
    assert both.stdout == "R1\n"
    assert run("list", "-s", "deferred", env={"JNAP_REGISTER": str(second)}).stdout.startswith("R1\t")


@pytest.mark.parametrize("args", [["--no-color", "plans"], ["plans", "--no-color"]])
def test_no_color_before_or_after_the_command(run: Run, args: list[str]) -> None:
    result = run(*args, "--format", "table", env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in result.stdout
    assert "\x1b[" in run("plans", "--format", "table", env={"FORCE_COLOR": "1"}).stdout


def test_no_color_after_diff(run: Run) -> None:
    result = run("diff", "original", "refresh", "--no-color", env={"FORCE_COLOR": "1"})
    assert result.exit_code == 0 and "\x1b[" not in result.stdout


def test_another_toml_file_is_named_by_its_keys_not_called_empty(run: Run) -> None:
    glossary = ROOT / "data" / "glossary.toml"
    result = run("list", "-r", str(glossary))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"jnap: {glossary}:15: terms: error: unknown key (misspelt?) [schema]"
    assert "empty" not in result.stderr


def test_the_source_map_is_scanned_only_when_a_finding_needs_a_line(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_: str) -> None:
        raise AssertionError("scanned")

    monkeypatch.setattr(sourcemap, "scan", refuse)  # load.py imports it when a finding needs a line
    path = write(tmp_path / "actions.toml", small())
    assert run("list", "-r", str(path), "--format", "json").exit_code == 0
    assert run("check", "-r", str(path)).exit_code == 0  # a clean register has no finding to place


def test_lines_inside_a_multi_line_array_are_not_keys() -> None:
    """Found by hypothesis: `"\\"."` inside an array read as the dotted key `\\`."""
    from jnap_cli.register.sourcemap import scan

    text = 'title = ""\n\n[[actions]]\nid = "H"\nreferences = [\n    "\\".",\n    "x = 1",\n]\nstatus = "complete"\n'
    lines = scan(text).lines
    assert lines == {
        ("", -1, "title"): 1,
        ("actions", 0, ""): 3,
        ("actions", 0, "id"): 4,
        ("actions", 0, "references"): 5,
        ("actions", 0, "status"): 9,
    }
