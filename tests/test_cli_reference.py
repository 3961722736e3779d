"""docs/cli.md is the `--help` of every command; this test fails when it is stale.

Regenerate it with `JNAP_UPDATE_DOCS=1 pytest tests/test_cli_reference.py`.
"""

from __future__ import annotations

import os

from typer.core import TyperGroup
from typer.main import get_command
from typer.testing import CliRunner

from jnap_cli.cli import app
from jnap_cli.cli.application import COMMANDS

from .conftest import ROOT

REFERENCE = ROOT / "docs" / "cli.md"


def documented() -> list[str]:
    """The application itself (""), then the commands in the order of their table, each group followed by
    its sub-commands."""
    root = get_command(app)
    assert isinstance(root, TyperGroup)
    names = [""]
    for command in COMMANDS:
        built = root.commands[command.name]
        names.append(command.name)
        if isinstance(built, TyperGroup):
            names.extend(f"{command.name} {name}" for name in built.commands)
    return names


def reference() -> str:
    parts = [
        "# jnap command reference\n\n"
        "Generated from `jnap --help` and each command's `--help` by `tests/test_cli_reference.py`\n"
        "(`JNAP_UPDATE_DOCS=1 pytest tests/test_cli_reference.py` rewrites it).\n"
        "Each command's help ends with examples, which tests/test_help_examples.py runs; the task pages in\n"
        "docs/ have more.\n"
    ]
    for command in documented():
        title = f"jnap {command}".strip()
        parts.append(f"\n## `{title}`\n\n```text\n{help_text(command)}```\n")
    return "".join(parts)


def help_text(command: str, width: int | None = None) -> str:
    """`jnap COMMAND --help`: what docs/cli.md and the man page (man/jnap.1, at its own `width`) hold."""
    args = [*command.split(), "--help"]
    env = {"COLUMNS": "100", "TERM": "dumb"}
    result = CliRunner().invoke(app, args, env=env, prog_name="jnap", terminal_width=width)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_reference_is_current() -> None:
    expected = reference()
    if os.environ.get("JNAP_UPDATE_DOCS"):
        REFERENCE.write_text(expected, encoding="utf-8")
    assert REFERENCE.read_text(encoding="utf-8") == expected, "docs/cli.md is stale: run JNAP_UPDATE_DOCS=1 pytest"


def test_the_application_has_exactly_the_commands_of_the_table() -> None:
    root = get_command(app)
    assert isinstance(root, TyperGroup)
    assert sorted(root.commands) == sorted(command.name for command in COMMANDS)
    assert documented()[-4:] == ["cache dir", "cache info", "cache prune", "cache clear"]
