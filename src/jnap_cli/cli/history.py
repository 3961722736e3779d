"""`jnap history`: every commit that changed an action, newest first, read from git."""

from __future__ import annotations

from typing import Annotated

import typer

from jnap_cli.cli.options import (
    EmptyOpt,
    FormatOpt,
    NoColorOpt,
    OutputOpt,
    RegisterOpt,
    complete_from_register,
    fields_option,
)
from jnap_cli.cli.settings import settings
from jnap_cli.errors import NoMatch, UsageError
from jnap_cli.render.views import HISTORY


def history(
    ctx: typer.Context,
    action_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="An action id (R4, o23), of the current register or one that was removed or renamed.",
            autocompletion=complete_from_register("id"),
        ),
    ],
    register: RegisterOpt = None,
    fmt: FormatOpt = None,
    fields: Annotated[str | None, fields_option(HISTORY)] = None,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Every commit that changed an action (status, text, commentary, links, any field), newest first.

    Read from the git history of the register file: who changed what, and when (the author date).
    As a table (on a terminal): each commit, then its changes, text and commentary word by word.
    Other formats: one row per changed field, old and new values whole; an added or removed action
    shows its text.

    Examples:
      # Every commit that changed R4
      $ jnap history R4
      # As JSON, one record per changed field
      $ jnap history R4 --format json
    """
    from jnap_cli.diff.history import history as changes_of
    from jnap_cli.query.select import resolve
    from jnap_cli.render.history_text import emit_history

    chosen = settings(ctx, register=register, no_color=no_color)
    try:  # an id of the current register, in any case; else perhaps one that is gone
        wanted, unknown = resolve(chosen.load(), [action_id])[0].id, None
    except UsageError as exc:
        wanted, unknown = action_id.strip(), exc
    records = changes_of(chosen.register_path(), wanted)
    if not any(record["change"] != "skipped" for record in records):
        if unknown is not None:
            raise unknown
        raise NoMatch(f"no commit changed {wanted}")
    emit_history(records, chosen.output(fmt, fields, empty, output_file))
