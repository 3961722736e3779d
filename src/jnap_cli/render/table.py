"""Records as tables for a terminal: every word shown, none cut, register text shown literally.

jnap lays the table out itself and hands Rich lines that already fit, so that no cell is ever cropped:
each column is at least as wide as its longest word; short columns (ids, statuses, numbers) get their
natural width first, then the prose columns share what is left. When even the longest words cannot
sit side by side, every record becomes a labelled block, as `jnap show` prints one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from jnap_cli.render.cells import flat
from jnap_cli.render.terminal import console_width, print_renderables
from jnap_cli.render.views import View
from jnap_cli.text import defuse_ci, escape_unsafe

if TYPE_CHECKING:
    from rich.text import Text

GAP = 3  # the space Rich's SIMPLE_HEAD box puts between two columns
LABEL_GAP = 2  # between a block's labels and values
HIGHLIGHT = "bold reverse"
ITEMS = ", "  # what separates the items of an atomic column

Spans = Sequence[tuple[int, int]]


def styled(value: Any, spans: Spans | None = None, separator: str = ", ") -> Text:
    """A Rich `Text` of the value as a table shows it, with `spans` (offsets in the raw value) highlighted.

    Escaped (`escape_unsafe`), a tab shown as a space (Rich would widen it past the column), and no
    word that a CI log would run as a workflow command (`defuse_ci`). Each piece is prepared on its
    own, so highlights stay on the right characters.
    """
    from rich.text import Text

    raw = flat(value, separator)
    text = Text()
    position = 0
    for start, end in sorted(spans or ()):
        if start < position:
            continue
        text.append(_shown(raw, position, start))
        text.append(_shown(raw, start, end), style=HIGHLIGHT)
        position = end
    text.append(_shown(raw, position, len(raw)))
    return text


def _shown(raw: str, start: int, end: int) -> str:
    after_space = start == 0 or raw[start - 1].isspace()
    return defuse_ci(escape_unsafe(raw[start:end]).replace("\t", " "), after_space)


def table(
    rows: Sequence[Mapping[str, Any]],
    fields: Sequence[str],
    view: View,
    stream: IO[str],
    *,
    color: bool,
    highlights: Sequence[Mapping[str, Spans]] | None = None,
) -> None:
    """One row per record, every requested column, wrapped to the terminal; blocks when they cannot fit."""
    from rich import box
    from rich.table import Table

    cells = [
        [styled(row[f], (highlights[n] if highlights else {}).get(f)) for f in fields] for n, row in enumerate(rows)
    ]
    width = console_width(stream)
    separators = [ITEMS if name in view.atomic else " " for name in fields]
    widths = layout(fields, cells, view, width, separators)
    if widths is None:
        _blocks(fields, cells, view, stream, color=color, width=width)
        return
    grid = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False)
    for name, column in zip(fields, widths, strict=True):
        grid.add_column(name, width=column, no_wrap=True, overflow="fold")  # fold, never crop, if ever too wide
    for row in cells:
        wrapped = [wrap(cell, column, sep) for cell, column, sep in zip(row, widths, separators, strict=True)]
        grid.add_row(*wrapped)
    print_renderables(stream, color, grid, width=width)


def blocks(
    rows: Sequence[Mapping[str, Any]], fields: Sequence[str], view: View, stream: IO[str], *, color: bool
) -> None:
    """One labelled block per record, a line per field: `jnap show` on a terminal."""
    cells = [[styled(row.get(name)) for name in fields] for row in rows]
    _blocks(fields, cells, view, stream, color=color, width=console_width(stream))


def _blocks(
    fields: Sequence[str],
    cells: Sequence[Sequence[Text]],
    view: View,
    stream: IO[str],
    *,
    color: bool,
    width: int,
) -> None:
    """A block per record, a line per field; when the value column beside the labels is narrower than a
    record's longest word, that record's values go under their labels, indented."""
    from rich.table import Table
    from rich.text import Text

    label = max(len(name) for name in fields)
    value = width - label - LABEL_GAP
    separators = [ITEMS if name in view.atomic else " " for name in fields]
    renderables: list[Any] = []
    for row in cells:
        if value >= max(_longest_word(cell, sep) for cell, sep in zip(row, separators, strict=True)):
            grid = Table.grid(padding=(0, LABEL_GAP, 0, 0))
            grid.add_column(style="bold", no_wrap=True, width=label)
            grid.add_column(no_wrap=True, width=value, overflow="fold")
            for name, cell, sep in zip(fields, row, separators, strict=True):
                grid.add_row(name, wrap(cell, value, sep))
            renderables.append(grid)
            continue
        lines: list[Text] = []
        for name, cell, sep in zip(fields, row, separators, strict=True):
            lines.append(Text(name, style="bold"))
            lines.extend(Text("  ") + line for line in wrap(cell, max(width - 2, 1), sep).split("\n") if line.plain)
        renderables.append(Text("\n").join(lines))
    print_renderables(stream, color, *renderables, separate=True, width=width)


def layout(
    fields: Sequence[str], cells: Sequence[Sequence[Text]], view: View, width: int, separators: Sequence[str]
) -> list[int] | None:
    """Column widths that fit `width` with no word cut, or None when the longest words alone do not fit.

    Every column starts at its longest word (or its header); short columns then grow to their natural
    width, and the prose columns (the view's wide and medium ones) share the rest evenly.
    """
    columns = list(zip(*cells, strict=True)) if cells else [() for _ in fields]
    natural = [
        max([len(name), *(_longest_line(cell) for cell in column)])
        for name, column in zip(fields, columns, strict=True)
    ]
    least = [
        max([len(name), *(_longest_word(cell) for cell in column)])
        for name, column in zip(fields, columns, strict=True)
    ]
    room = width - GAP * (len(fields) - 1) - sum(least)
    if room < 0:
        return None
    widths = list(least)
    prose = {i for i, name in enumerate(fields) if name in view.wide or name in view.medium}
    short = [i for i in range(len(fields)) if i not in prose]
    for group in (short, sorted(prose)):
        room = _share(widths, natural, group, room)
    return widths


def _share(widths: list[int], natural: Sequence[int], group: Sequence[int], room: int) -> int:
    """Grow the columns of `group` toward their natural width, evenly (water-filling); the room left."""
    wanting = sorted((i for i in group if widths[i] < natural[i]), key=lambda i: natural[i] - widths[i])
    while wanting and room > 0:
        share = max(room // len(wanting), 1)
        i = wanting.pop(0)
        grant = min(natural[i] - widths[i], share, room)
        widths[i] += grant
        room -= grant
    return room


def wrap(text: Text, width: int, separator: str = " ") -> Text:
    """`text` broken into lines of at most `width` cells at `separator`s; a word longer than a line is folded."""
    from rich.text import Text

    lines: list[Text] = []
    for paragraph in text.split("\n", allow_blank=True):
        offsets = line_breaks(paragraph.plain, width, separator)
        pieces = paragraph.divide(offsets) if offsets else [paragraph]
        for piece in pieces:
            piece.rstrip()  # the space a line was broken at
            lines.append(piece)
    return Text("\n").join(lines)


def line_breaks(plain: str, width: int, separator: str = " ", first_width: int | None = None) -> list[int]:
    """Where lines start, after the first, when `plain` is wrapped at `separator`s to `width` cells
    (`first_width` for the first line, when it differs)."""
    from rich.cells import cell_len

    offsets: list[int] = []
    line_start, used, position = 0, 0, 0
    room = width if first_width is None else first_width
    gap = cell_len(separator)
    residue = cell_len(separator.rstrip())  # what a line broken after a word keeps of the separator: ","
    for word in plain.split(separator):
        end = position + len(word)
        needed = used + gap + cell_len(word) if position > line_start else cell_len(word)
        while needed + (residue if end < len(plain) else 0) > room:
            if position > line_start or (not offsets and room < width and needed <= width):
                # Start the word on a line of its own (also the first word, when only the first line,
                # shortened by a prefix, is too short for it).
                line_start = position
            else:  # a word longer than a line: fold it
                line_start += _fold_point(plain[line_start:end], room)
            offsets.append(line_start)
            room = width
            needed = cell_len(plain[line_start:end])
        used = needed
        position = end + len(separator)
    return offsets


def _fold_point(word: str, width: int) -> int:
    from rich.cells import cell_len

    cut = 1
    while cut < len(word) and cell_len(word[: cut + 1]) <= width:
        cut += 1
    return cut


def _longest_line(text: Text) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.plain.split("\n")), default=0)


def _longest_word(text: Text, separator: str = " ") -> int:
    """The widest unbreakable piece: a word, or an item with the separator's "," that follows it."""
    from rich.cells import cell_len

    residue = cell_len(separator.rstrip())
    return max(
        (cell_len(word.strip()) + residue for line in text.plain.split("\n") for word in line.split(separator)),
        default=0,
    )
