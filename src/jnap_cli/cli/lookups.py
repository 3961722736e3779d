"""The look-up commands: list, filter, show, plans, themes."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from jnap_cli.cli.options import (
    BasisOpt,
    EmptyOpt,
    Filters,
    FormatOpt,
    HandedOffOpt,
    LimitOpt,
    NoColorOpt,
    NotStatusOpt,
    OutputOpt,
    PlanOpt,
    RegisterOpt,
    SortOpt,
    StatusOpt,
    ThemeOpt,
    WaitingOpt,
    choices,
    complete_from_register,
    fields_option,
)
from jnap_cli.cli.settings import Settings, settings
from jnap_cli.errors import InputUnreadable, NoMatch, UsageError
from jnap_cli.model.vocab import Status
from jnap_cli.render.views import ACTION, ACTION_DETAIL, PLAN, THEME

if TYPE_CHECKING:
    from jnap_cli.render.records import Output

ActionFieldsOpt = Annotated[str | None, fields_option(ACTION)]
PlanFieldsOpt = Annotated[str | None, fields_option(PLAN)]
ThemeFieldsOpt = Annotated[str | None, fields_option(THEME)]


def list_(
    ctx: typer.Context,
    register: RegisterOpt = None,
    plan: PlanOpt = None,
    theme: ThemeOpt = None,
    status: StatusOpt = None,
    not_status: NotStatusOpt = None,
    basis: BasisOpt = None,
    handed_off: HandedOffOpt = False,
    waiting: WaitingOpt = False,
    sort: SortOpt = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = None,
    fields: ActionFieldsOpt = None,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """List actions in register order; filters combine (AND).

    Examples:
      # What is not finished yet, in the refresh plan
      $ jnap list --plan refresh --not-status complete
      # Statuses the register inferred, with the words they rest on
      $ jnap list --basis inferred --fields id,status,status_evidence
      # What went elsewhere, and to whom (complete actions too)
      $ jnap list --handed-off --fields id,status,handed_to
    """
    chosen = settings(ctx, register=register, no_color=no_color)
    filters = Filters(plan, theme, status, not_status, basis, handed_off, waiting)
    _list_actions(chosen, filters, sort, limit, chosen.output(fmt, fields, empty, output_file))


def filter_(
    ctx: typer.Context,
    statuses: Annotated[
        list[Status],
        typer.Argument(
            metavar="STATUS", case_sensitive=False, help=f"Statuses to keep (any of them): {choices(Status)}."
        ),
    ],
    register: RegisterOpt = None,
    plan: PlanOpt = None,
    theme: ThemeOpt = None,
    sort: SortOpt = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = None,
    fields: ActionFieldsOpt = None,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """List the actions in any of the given statuses.

    Examples:
      # Everything under way: ongoing or in progress
      $ jnap filter in-progress ongoing
      # The same in one plan, as CSV for a spreadsheet
      $ jnap filter in-progress ongoing --plan refresh --format csv
      # An Excel workbook: every action, then a sheet per plan
      $ jnap filter in-progress ongoing -o under-way.xlsx
    """
    chosen = settings(ctx, register=register, no_color=no_color)
    _list_actions(chosen, Filters(plan, theme, statuses), sort, limit, chosen.output(fmt, fields, empty, output_file))


def _list_actions(chosen: Settings, filters: Filters, sort: str | None, limit: int | None, output: Output) -> None:
    """`list` and `filter`: select, sort, limit, render; exit 1 when nothing matches. The first few in
    register order come from the cache when it can give them without reading every action."""
    from jnap_cli.render.records import emit

    rows = None
    if sort is None and limit is not None:
        from jnap_cli.query.listing import first_records

        rows = first_records(chosen.register_path(), filters, limit, cache=chosen.cache)
    if rows is None:
        from jnap_cli.query.records import records
        from jnap_cli.query.select import sort_records

        loaded = chosen.load()
        rows = sort_records(records(loaded, filters.select(loaded)), sort, ACTION.fields)[:limit]
    if not rows:
        raise NoMatch("no actions match")
    emit(rows, ACTION, output)


def show(
    ctx: typer.Context,
    ids: Annotated[
        list[str],
        typer.Argument(
            metavar="ID",
            help="Action ids (R4, o23) or numbers; '-' reads ids from stdin, one per line.",
            autocompletion=complete_from_register("id"),
        ),
    ],
    register: RegisterOpt = None,
    plan: PlanOpt = None,
    fmt: FormatOpt = None,
    fields: ActionFieldsOpt = None,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Show the whole record of one or more actions.

    Examples:
      # One action's whole record
      $ jnap show R4
      # By its number in a plan, as JSON
      $ jnap show 23 --plan original --format json
      # Every action not yet complete, in full
      $ jnap list --not-status complete --format ids | jnap show -
    """
    from jnap_cli.query.records import records
    from jnap_cli.query.select import resolve
    from jnap_cli.render.records import emit

    chosen = settings(ctx, register=register, no_color=no_color)
    loaded = chosen.load()
    actions = resolve(loaded, _expand_stdin(ids), plan=plan)
    if not actions:  # only `-` can give none: an empty argument is refused by resolve()
        raise UsageError("no ids on standard input", "pipe ids into 'jnap show -', one per line")
    emit(records(loaded, actions), ACTION_DETAIL, chosen.output(fmt, fields, empty, output_file))


def _expand_stdin(ids: list[str]) -> list[str]:
    """Replace `-` with the ids read from stdin: one per line, first column of TSV lines."""
    expanded: list[str] = []
    for item in ids:
        if item != "-":
            expanded.append(item)
            continue
        if sys.stdin is None:
            raise UsageError("standard input is closed", "pipe ids into 'jnap show -', one per line")
        try:
            lines = sys.stdin.readlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputUnreadable(f"cannot read standard input: {getattr(exc, 'strerror', None) or exc}") from None
        expanded.extend(line.split("\t", 1)[0].strip() for line in lines if line.strip())
    return expanded


def plans(
    ctx: typer.Context,
    register: RegisterOpt = None,
    fmt: FormatOpt = None,
    fields: PlanFieldsOpt = None,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """The plans, with their action counts by status.

    Examples:
      # Each plan's actions, counted by status
      $ jnap plans
      # The counts as JSON, one key per status
      $ jnap plans --format json --fields id,complete,in-progress
    """
    from jnap_cli.query.records import plan_records
    from jnap_cli.render.records import emit

    chosen = settings(ctx, register=register, no_color=no_color)
    emit(plan_records(chosen.load()), PLAN, chosen.output(fmt, fields, empty, output_file))


def themes(
    ctx: typer.Context,
    register: RegisterOpt = None,
    plan: PlanOpt = None,
    fmt: FormatOpt = None,
    fields: ThemeFieldsOpt = None,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """The themes of each plan, with their action counts.

    Examples:
      # The themes of the refresh plan, with their counts
      $ jnap themes --plan refresh
      # Each theme's action ids
      $ jnap themes --fields plan,theme,ids
    """
    from jnap_cli.query.records import theme_records
    from jnap_cli.render.records import emit

    chosen = settings(ctx, register=register, no_color=no_color)
    emit(theme_records(chosen.load(), plan), THEME, chosen.output(fmt, fields, empty, output_file))
