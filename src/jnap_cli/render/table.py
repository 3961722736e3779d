"""Records as Rich tables for a terminal: columns laid out by the view, register text shown literally."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import IO, Any

from jnap_cli.render.cells import flat
from jnap_cli.render.terminal import print_renderables
from jnap_cli.render.views import View
from jnap_cli.text import escape_unsafe


def styled(value: Any, spans: Sequence[tuple[int, int]] | None = None, separator: str = ", ") -> Any:
    """A Rich `Text` of the escaped value, with `spans` (offsets in the raw value) highlighted.

    Each piece is escaped on its own, so highlights stay on the right characters after escaping.
    """
    from rich.text import Text

    raw = flat(value, separator)
    if not spans:
        return Text(escape_unsafe(raw))
    text = Text()
    position = 0
    for start, end in sorted(spans):
        if start < position:
            continue
        text.append(escape_unsafe(raw[position:start]))
        text.append(escape_unsafe(raw[start:end]), style="bold reverse")
        position = end
    text.append(escape_unsafe(raw[position:]))
    return text


def table(
    rows: Sequence[Mapping[str, Any]],
    fields: Sequence[str],
    view: View,
    stream: IO[str],
    *,
    color: bool,
    highlights: Sequence[Mapping[str, Sequence[tuple[int, int]]]] | None = None,
) -> None:
    """One row per record; the view says which columns wrap."""
    from rich import box
    from rich.table import Table

    grid = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False)
    for name in fields:
        if name in view.wide:
            grid.add_column(name, overflow="fold", ratio=1, min_width=24)
        elif name in view.medium:
            grid.add_column(name, overflow="fold", max_width=30)
        else:
            grid.add_column(name, no_wrap=True, min_width=len(name))
    for number, row in enumerate(rows):
        marks = highlights[number] if highlights else {}
        grid.add_row(*(styled(row[f], marks.get(f)) for f in fields))
    print_renderables(stream, color, grid)


def blocks(
    rows: Sequence[Mapping[str, Any]], fields: Sequence[str], view: View, stream: IO[str], *, color: bool
) -> None:
    """One labelled block per record, a line per field: `jnap show` on a terminal."""
    from rich.table import Table

    grids = []
    for row in rows:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for name in fields:
            grid.add_row(name, styled(row.get(name)))
        grids.append(grid)
    print_renderables(stream, color, *grids, separate=True)
