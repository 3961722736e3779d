"""docs/cli.md is the `--help` of every command; this test fails when it is stale.

Regenerate it with `JNAP_UPDATE_DOCS=1 pytest tests/test_cli_reference.py`.
"""

from __future__ import annotations

import os

from typer.testing import CliRunner

from jnap_cli.cli import app

from .conftest import ROOT

REFERENCE = ROOT / "docs" / "cli.md"
COMMANDS = [
    "", "list", "filter", "show", "search", "plans", "themes", "stats", "graph", "glossary", "check", "diff",
    "set-status", "comment", "link", "add", "edit", "history", "init",
    "report", "cache", "cache dir", "cache info", "cache prune", "cache clear",
]  # fmt: skip


def reference() -> str:
    runner = CliRunner()
    parts = [
        "# jnap command reference\n\n"
        "Generated from `jnap --help` and each command's `--help` by `tests/test_cli_reference.py`\n"
        "(`JNAP_UPDATE_DOCS=1 pytest tests/test_cli_reference.py` rewrites it). See the README for examples.\n"
    ]
    for command in COMMANDS:
        args = [*command.split(), "--help"]
        result = runner.invoke(app, args, env={"COLUMNS": "100", "TERM": "dumb"}, prog_name="jnap")
        assert result.exit_code == 0, result.output
        title = f"jnap {command}".strip()
        parts.append(f"\n## `{title}`\n\n```text\n{result.stdout}```\n")
    return "".join(parts)


def test_reference_is_current() -> None:
    expected = reference()
    if os.environ.get("JNAP_UPDATE_DOCS"):
        REFERENCE.write_text(expected, encoding="utf-8")
    assert REFERENCE.read_text(encoding="utf-8") == expected, "docs/cli.md is stale: run JNAP_UPDATE_DOCS=1 pytest"


def test_every_command_is_in_the_reference() -> None:
    registered = {command.name or command.callback.__name__ for command in app.registered_commands if command.callback}
    for group in app.registered_groups:  # `jnap cache` and its sub-commands
        commands = group.typer_instance.registered_commands if group.typer_instance else []
        registered |= {f"{group.name}", *(f"{group.name} {command.name}" for command in commands)}
    assert registered == set(COMMANDS) - {""}
