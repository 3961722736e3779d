"""`jnap stats` on a terminal: the counts of each plan and theme, with the completed share drawn as a bar.

Every other format, and a table with `--fields`, is the one renderer's (`records.emit`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import IO, Any

from jnap_cli.model.vocab import STATUSES, RecordFormat
from jnap_cli.render.records import Output, emit
from jnap_cli.render.table import GAP, ITEMS, layout, styled, wrap
from jnap_cli.render.terminal import console_width, print_renderables
from jnap_cli.render.views import TALLY, View

Record = Mapping[str, Any]

COLUMNS: tuple[str, ...] = ("plan", "theme", "total", "by_status", "share")
_BARS = View(
    "tally",
    COLUMNS,
    COLUMNS,
    wide=frozenset({"theme"}),
    medium=frozenset({"by_status"}),
    atomic=frozenset({"by_status"}),
)
WIDE_BAR, NARROW_BAR = 20, 10  # a bar's cells from 100 columns up, and below


def emit_tallies(records: Sequence[Record], output: Output) -> None:
    """The tallies as `output` says: a table with bars when no `--fields` are given, else the records, as
    `emit` prints them."""
    if output.chosen_format() is RecordFormat.TABLE and output.fields is None:
        bars(records, output.stream, color=output.color, empty=output.empty)
    else:
        emit(records, TALLY, output)


def by_status(record: Record) -> str:
    """`12 complete, 3 in-progress`: the statuses a row counts, in vocabulary order, none that is zero."""
    return ITEMS.join(f"{record[status]} {status}" for status in STATUSES if record[status])


def bars(records: Sequence[Record], stream: IO[str], *, color: bool, empty: str | None = None) -> None:
    """A row per plan (bold), then one per theme under it: total, counts by status, the completed share and its bar.

    The columns are laid out as every table is (no word cut); when the bar does not fit it is left out,
    and when the text alone does not fit each row becomes a labelled block.
    """
    from rich import box
    from rich.bar import Bar
    from rich.table import Table

    width = console_width(stream)
    values = [
        {
            "plan": record["plan"] if record["scope"] == "plan" else "",  # a theme sits under its plan's row
            "theme": record["theme"] if record["theme"] is not None else (empty or ""),
            "total": record["total"],
            "by_status": by_status(record) or (empty or ""),
            "share": f"{round(record['share'] * 100)}%",
        }
        for record in records
    ]
    cells = [[styled(row[name], separator=ITEMS) for name in COLUMNS] for row in values]
    separators = [ITEMS if name in _BARS.atomic else " " for name in COLUMNS]
    bar = WIDE_BAR if width >= 100 else NARROW_BAR
    widths = layout(COLUMNS, cells, _BARS, width - GAP - bar, separators)
    if widths is None:
        bar = 0
        widths = layout(COLUMNS, cells, _BARS, width, separators)
    if widths is None:
        emit(records, TALLY, Output(RecordFormat.TABLE, ",".join(TALLY.summary), stream=stream, empty=empty))
        return
    grid = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False)
    for name, column in zip(COLUMNS, widths, strict=True):
        grid.add_column(
            name, width=column, no_wrap=True, overflow="fold", justify="right" if name == "share" else "left"
        )
    if bar:
        grid.add_column("", width=bar, no_wrap=True)
    for record, row in zip(records, cells, strict=True):
        wrapped = [wrap(cell, column, sep) for cell, column, sep in zip(row, widths, separators, strict=True)]
        extra = [Bar(1.0, 0.0, float(record["share"]), width=bar, color="green")] if bar else []
        grid.add_row(*wrapped, *extra, style="bold" if record["scope"] == "plan" else None)
    print_renderables(stream, color, grid, width=width)
