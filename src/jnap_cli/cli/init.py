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
    no_schema: Annotated[
        bool,
        typer.Option("--no-schema", help="Write no schema file beside PATH, and no #:schema line for editors."),
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the file on stdout; write nothing.")] = False,
) -> None:
    """Start a new register for another action plan: its plans, no actions yet, and a commented example
    action to copy. It passes `jnap check` as written. Exit 3 if PATH exists (without --force) or cannot
    be written; nothing is changed then. Beside it goes jnap-register.schema.json (`jnap schema`), which
    the register's first line, `#:schema`, names: editors with taplo (Even Better TOML) then check and
    complete the register as it is typed.

    Examples:
      # A register for a new plan
      $ jnap init next.toml --plan next:"Action plan 2025":2025
      # Two plans, printed instead of written
      $ jnap init both.toml --plan a:"First":2021 --plan b:"Second":2023 --dry-run
    """
    from jnap_cli.writing import init as new

    chosen = settings(ctx)
    new_plans = new.parse_plans(plans or [])
    if not no_schema:
        new.refuse_schema_name(path)
    text = new.register_text(new_plans, title, source, schema=not no_schema)
    new.checked(text, str(path))
    counts = f"{len(new_plans)} plan{'s' if len(new_plans) != 1 else ''}, 0 actions"
    if dry_run:
        new.refuse_unwritable(path, force)  # the preview says what the write would say
        chosen.out.write(text)
        note(f"would write {path}: {counts} (dry run: nothing written)")
        if not no_schema:
            note(f"would write {new.schema_path(path)}: the JSON Schema its #:schema line names")
        return
    for warning in new.write_atomically(path, text, force):
        note(f"warning: {warning}")
    note(f"wrote {path}: {counts}")
    if not no_schema:
        _write_schema(path)


def _write_schema(path: Path) -> None:
    """The schema beside the register; the register is written already, so a failure is a warning."""
    from jnap_cli.errors import WriteRefused
    from jnap_cli.writing.init import schema_path, write_schema

    try:
        schema, written, warnings = write_schema(path)
    except WriteRefused as exc:
        note(f"warning: {exc.message}; then write it with `jnap schema -o {schema_path(path)}`")
        return
    for warning in warnings:
        note(f"warning: {warning}")
    if written:
        note(f"wrote {schema}: the JSON Schema its #:schema line names")
    else:
        note(f"kept {schema}: it is the current JSON Schema already")
