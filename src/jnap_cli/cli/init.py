"""`jnap init`: start a new register, with its plans, for another action plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jnap_cli.cli.boundary import note
from jnap_cli.cli.settings import settings


def init(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The register file to create.", metavar="PATH")],
    title: Annotated[
        str | None, typer.Option("--title", metavar="TEXT", help="The register's title (default: the plans' titles).")
    ] = None,
    source: Annotated[
        str, typer.Option("--source", metavar="TEXT", help="The publication its text is copied from.")
    ] = "",
    plans: Annotated[
        list[str] | None,
        typer.Option(
            "--plan",
            metavar="ID:TITLE:YEAR",
            help="A plan of the register (repeatable; at least one). The title may contain ':'.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the file on stdout; write nothing.")] = False,
) -> None:
    """Start a new register for another action plan: its plans, no actions yet, and a commented example
    action to copy. It passes `jnap check` as written. Exit 3 if PATH exists (without --force) or cannot
    be written; nothing is changed then.

    Examples:
      # A register for a new plan
      $ jnap init next.toml --plan next:"Action plan 2025":2025
      # Two plans, printed instead of written
      $ jnap init both.toml --plan a:"First":2021 --plan b:"Second":2023 --dry-run
    """
    from jnap_cli.writing.init import checked, parse_plans, refuse_unwritable, register_text, write_atomically

    chosen = settings(ctx)
    new_plans = parse_plans(plans or [])
    text = register_text(new_plans, title, source)
    checked(text, str(path))
    counts = f"{len(new_plans)} plan{'s' if len(new_plans) != 1 else ''}, 0 actions"
    if dry_run:
        refuse_unwritable(path, force)  # the preview says what the write would say
        chosen.out.write(text)
        note(f"would write {path}: {counts} (dry run: nothing written)")
        return
    for warning in write_atomically(path, text, force):
        note(f"warning: {warning}")
    note(f"wrote {path}: {counts}")
