"""`jnap stats`: progress at a glance, counts by plan × status and theme × status; and what changed status."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jnap_cli.cli.options import (
    BasisOpt,
    EmptyOpt,
    Filters,
    FormatOpt,
    NoColorOpt,
    NotStatusOpt,
    OutputOpt,
    PlanOpt,
    RegisterOpt,
    StatusOpt,
    ThemeOpt,
    complete_versions,
)
from jnap_cli.cli.settings import settings
from jnap_cli.errors import NoMatch
from jnap_cli.text import one_line

if TYPE_CHECKING:
    from jnap_cli.model.schema import Action, Register
    from jnap_cli.render.records import Output


def stats(
    ctx: typer.Context,
    register: RegisterOpt = None,
    plan: PlanOpt = None,
    theme: ThemeOpt = None,
    status: StatusOpt = None,
    not_status: NotStatusOpt = None,
    basis: BasisOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="REV",
            help="What changed status since this version (a git revision, REV:path or a register file), per plan.",
            autocompletion=complete_versions,
        ),
    ] = None,
    fmt: FormatOpt = None,
    fields: Annotated[
        str | None,
        typer.Option(
            "--fields",
            metavar="FIELDS",
            help="Comma-separated fields to show, in order (every format; a table with fields has no bars).",
        ),
    ] = None,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Counts by plan and status and by theme and status, with the completed share of each.

    A plan's row comes first, then its themes'. On a terminal the completed share is drawn as a bar.
    With --since, what changed status since that version instead: a row per plan and move (from → to).

    Examples:
      # Counts by plan and theme, with the completed share
      $ jnap stats
      # One plan, as Markdown for a report
      $ jnap stats --plan original --format markdown
      # What changed status since the last commit
      $ jnap stats --since HEAD~1
    """
    from jnap_cli.query.stats import tallies, tally_records
    from jnap_cli.render.stats import emit_tallies

    chosen = settings(ctx, register=register, no_color=no_color)
    filters, output = Filters(plan, theme, status, not_status, basis), chosen.output(fmt, fields, empty, output_file)
    loaded = chosen.load()
    actions = filters.select(loaded) if filters.given() else None  # None: every action
    if since is not None:
        _changes_since(since, chosen.register_path(), loaded, actions, output)
        return
    if actions is not None and not actions:
        raise NoMatch("no actions match")
    emit_tallies(tally_records(tallies(loaded, actions)), output)


def _changes_since(since: str, path: Path, loaded: Register, actions: list[Action] | None, output: Output) -> None:
    """`--since`: the status changes of `actions` (None: of every action) since that version."""
    from jnap_cli.diff.revisions import read_version
    from jnap_cli.diff.status import change_records, status_changes
    from jnap_cli.render.records import emit
    from jnap_cli.render.views import STATUS_CHANGE

    old = read_version(since, path)
    changes = change_records(status_changes(old, loaded, None if actions is None else {a.id for a in actions}))
    if not changes:
        raise NoMatch(f"no status changed since {one_line(since)}")
    emit(changes, STATUS_CHANGE, output)
