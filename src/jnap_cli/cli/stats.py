"""`jnap stats`: progress at a glance, counts by plan × status and theme × status; and what changed status."""

from __future__ import annotations

from typing import Annotated

import typer

from jnap_cli.cli.options import (
    BasisOpt,
    EmptyOpt,
    FormatOpt,
    NoColorOpt,
    NotStatusOpt,
    PlanOpt,
    RegisterOpt,
    StatusOpt,
    ThemeOpt,
    complete_versions,
)
from jnap_cli.cli.settings import settings
from jnap_cli.errors import NoMatch
from jnap_cli.text import one_line


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
    no_color: NoColorOpt = False,
) -> None:
    """Counts by plan and status and by theme and status, with the completed share of each.

    A plan's row comes first, then its themes'. On a terminal the completed share is drawn as a bar.
    With --since, what changed status since that version instead: a row per plan and move (from → to).
    """
    from jnap_cli.query.select import select

    chosen = settings(ctx, register=register, no_color=no_color)
    loaded = chosen.load()
    filtered = any((plan, theme, status, not_status, basis))
    actions = select(
        loaded,
        plan=plan,
        theme=theme,
        statuses=status,
        not_statuses=not_status,
        basis=basis,
    )
    if since is not None:
        from jnap_cli.diff.revisions import read_version
        from jnap_cli.diff.status import change_records, status_changes
        from jnap_cli.render.records import emit
        from jnap_cli.render.views import STATUS_CHANGE

        old = read_version(since, chosen.register_path())
        changes = change_records(status_changes(old, loaded, {a.id for a in actions} if filtered else None))
        if not changes:
            raise NoMatch(f"no status changed since {one_line(since)}")
        emit(changes, STATUS_CHANGE, fmt=fmt, fields=fields, color=chosen.color(), out=chosen.out, empty=empty)
        return
    from jnap_cli.query.stats import tallies, tally_records
    from jnap_cli.render.stats import emit_tallies

    if filtered and not actions:
        raise NoMatch("no actions match")
    rows = tally_records(tallies(loaded, actions if filtered else None))
    emit_tallies(rows, fmt=fmt, fields=fields, color=chosen.color(), out=chosen.out, empty=empty)
