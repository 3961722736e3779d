"""Records as tables for a terminal: every word shown, none cut, register text shown literally.

jnap lays the table out itself and hands Rich lines that already fit, so that no cell is ever cropped:
each column is at least as wide as its longest word, where a compound in prose (`perpetrator-centric`,
`and/or`) counts as its pieces, since a line may break after its hyphen or slash. Short columns (ids,
statuses, numbers) then get their natural width, but never more than half the room left, and the prose
columns share the rest in proportion to how much wider they would like to be (as a browser lays out an
HTML table), so that no column starves another. When even the longest words cannot sit side by side,
every record becomes a labelled block, as `jnap show` prints one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from jnap_cli.render.cells import flat
from jnap_cli.render.terminal import console_width, print_renderables, write_lines
from jnap_cli.render.views import View
from jnap_cli.text import defuse_ci, escape_unsafe

if TYPE_CHECKING:
    from rich.text import Text

MEASURE = 100  # the widest a block is laid out: longer lines of prose are hard to follow back
PROSE_FLOOR = 20  # a prose column narrower than this reads as a list of words: print blocks instead
GAP = 3  # the space Rich's SIMPLE_HEAD box puts between two columns
LABEL_GAP = 2  # between a block's labels and values
HIGHLIGHT = "bold reverse"
ITEMS = ", "  # what separates the items of an atomic column
# Where a compound may break: after the hyphens or slashes between two letters (`offender-/perpetrator`),
# never in a number, a date or an id (`2024-05-01`, `R4/O23`).
COMPOUND_BREAK = re.compile(r"[^\W\d_][-/]+(?=[^\W\d_])")

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


class _Plain(NamedTuple):
    """A cell's text as shown, without styles: what `_blocks` reads of a `Text` (its `plain`)."""

    plain: str


def _shown_whole(value: Any) -> str:
    raw = flat(value, ", ")
    return _shown(raw, 0, len(raw))


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
    """One row per record, every requested column, wrapped to the terminal; blocks when they cannot fit.

    Without colour the table is written by jnap as plain lines (the same as Rich draws them): of Rich only
    `rich.cells` is imported, to measure wide characters; with colour Rich draws it. The view's `marks`
    column becomes a mark on the values the register supplies, with a key under the table.
    """
    rows, fields, key = _mark_supplied(rows, fields, view)
    cells: list[list[Any]] = [
        [
            styled(row[f], (highlights[n] if highlights else {}).get(f)) if color else _Plain(_shown_whole(row[f]))
            for f in fields
        ]
        for n, row in enumerate(rows)
    ]
    width = console_width(stream)
    separators = [ITEMS if name in view.atomic else " " for name in fields]
    compounds = breaks_compounds(fields, view)
    widths = layout(fields, cells, view, width, separators)
    if widths is None:
        how = list(zip(fields, separators, compounds, strict=True))
        records = [[_Field(n, cell, sep, comp) for cell, (n, sep, comp) in zip(row, how, strict=True)] for row in cells]
        _blocks(records, stream, color=color, width=width, key=key)
        return
    if not color:
        stream.write(_plain_table(fields, cells, widths, separators, compounds))
        _write_key(stream, key, width)
        return
    from rich import box
    from rich.table import Table

    grid = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False)
    for name, column in zip(fields, widths, strict=True):
        grid.add_column(name, width=column, no_wrap=True, overflow="fold")  # fold, never crop, if ever too wide
    for row in cells:
        laid = zip(row, widths, separators, compounds, strict=True)
        grid.add_row(*(wrap(cell, column, separator, compound) for cell, column, separator, compound in laid))
    print_renderables(stream, color, grid, width=width)
    _write_key(stream, key, width)


def _write_key(stream: IO[str], key: str, width: int) -> None:
    """The key to a table's marks, after a blank line (our own words: nothing to escape)."""
    if key:
        stream.write("\n" + "".join(line + "\n" for line in plain_lines(key, width, "   ")))


def _mark_supplied(
    rows: Sequence[Mapping[str, Any]], fields: Sequence[str], view: View
) -> tuple[Sequence[Mapping[str, Any]], list[str], str]:
    """The rows with each value the register supplies marked (`SUPPLIED`: a plan's title or year) in
    place of the view's `marks` column (a provenance), and the key to print under the table.

    Unchanged when the column is not shown, or names only fields that are not shown (it is then the
    one place that says where they come from).
    """
    from jnap_cli.render.views import SUPPLIED

    shown = list(fields)
    if view.marks is None or view.marks not in shown:
        return rows, shown, ""
    named: set[str] = set()
    for row in rows:
        groups = row.get(view.marks)
        named.update(name for names in groups.values() for name in names) if isinstance(groups, Mapping) else None
    if named and not named & set(shown):
        return rows, shown, ""
    shown.remove(view.marks)
    mark, words = SUPPLIED
    marked: list[dict[str, Any]] = []
    used = False
    for row in rows:
        groups = row.get(view.marks)
        supplied = set(groups.get("register", ())) & set(shown) if isinstance(groups, Mapping) else set()
        used = used or bool(supplied)
        marked.append({name: f"{flat(row[name])}{mark}" if name in supplied else row[name] for name in shown})
    return marked, shown, f"{mark} {words}" if used else ""


def breaks_compounds(fields: Sequence[str], view: View) -> list[bool]:
    """Which columns may break a compound after its hyphen or slash: prose, not a column of atomic items."""
    return [(name in view.wide or name in view.medium) and name not in view.atomic for name in fields]


def _plain_table(
    fields: Sequence[str],
    cells: Sequence[Sequence[_Plain]],
    widths: Sequence[int],
    separators: Sequence[str],
    compounds: Sequence[bool],
) -> str:
    """The table as Rich's SIMPLE_HEAD box draws it without an edge: the header, a rule as wide as the
    table, then each row's wrapped lines; columns `GAP` apart, trailing spaces trimmed."""
    gap = " " * GAP
    lines = [gap.join(_padded(name, column) for name, column in zip(fields, widths, strict=True)).rstrip()]
    lines.append("─" * (sum(widths) + GAP * (len(widths) - 1)))
    for row in cells:
        columns = [
            _wrapped(cell, column, sep, False, compound)
            for cell, column, sep, compound in zip(row, widths, separators, compounds, strict=True)
        ]
        for index in range(max(map(len, columns))):
            parts = (col[index] if index < len(col) else "" for col in columns)
            lines.append(gap.join(_padded(part, column) for part, column in zip(parts, widths, strict=True)).rstrip())
    return "".join(line + "\n" for line in lines)


def _padded(text: str, width: int) -> str:
    """`text` followed by spaces to fill `width` cells (a wide character is two)."""
    if text.isascii():
        return text.ljust(width)
    from rich.cells import cell_len

    return text + " " * max(width - cell_len(text), 0)


def blocks(
    rows: Sequence[Mapping[str, Any]],
    fields: Sequence[str],
    view: View,
    stream: IO[str],
    *,
    color: bool,
    named: bool = False,
) -> None:
    """One labelled block per record, a line per field, at most `MEASURE` columns wide: `jnap show` on a
    terminal. Fields are labelled in words; an empty one is left out unless `named` (by `--fields`);
    the view's `marks` field is shown as a mark on the fields it names, with a key."""
    from jnap_cli.render.views import MARKS, label

    # Without colour, the text as it is shown is all a block needs: no Rich `Text` (slow on a long commentary).
    def cell(value: Any) -> Any:
        return styled(value) if color else _Plain(_shown_whole(value))

    separators = dict(zip(fields, (ITEMS if name in view.atomic else " " for name in fields), strict=True))
    compounds = dict(zip(fields, breaks_compounds(fields, view), strict=True))
    records: list[list[_Field]] = []
    used: set[str] = set()  # the groups whose mark is shown
    for row in rows:
        shown = [name for name in fields if named or row.get(name) not in (None, "", [])]
        groups = _marked(row.get(view.marks) if view.marks in shown else None, shown)
        if groups:
            shown.remove(str(view.marks))
            used.update(groups.values())
        labels = {name: f"{label(name)} {MARKS[groups[name]][0]}" if name in groups else label(name) for name in shown}
        records.append([_Field(labels[n], cell(row.get(n)), separators[n], compounds[n]) for n in shown])
    key = "   ".join(f"{mark} {words}" for group, (mark, words) in MARKS.items() if group in used)
    _blocks(records, stream, color=color, width=min(console_width(stream), MEASURE), key=key)


def _marked(groups: Any, shown: Sequence[str]) -> dict[str, str]:
    """Field → the group of `groups` (a provenance: group → fields) that marks it, for the fields shown;
    empty when no shown field is marked (the provenance is then a line of its own)."""
    from jnap_cli.render.views import MARKS

    if not isinstance(groups, Mapping):
        return {}
    return {name: group for group, names in groups.items() if group in MARKS for name in names if name in shown}


class _Field(NamedTuple):
    """A line of a block: its label, its value and how the value wraps."""

    label: str
    cell: Any
    separator: str = " "
    compounds: bool = False


def _blocks(records: Sequence[Sequence[_Field]], stream: IO[str], *, color: bool, width: int, key: str = "") -> None:
    """A block per record, a line per field, then the `key` to its marks; when the value column beside
    the labels is narrower than a record's longest word, that record's values go under their labels,
    indented.

    Laid out line by line here, not as a Rich grid: a 5 MB commentary is some 60,000 lines, which Rich
    measures and wraps one by one (6 s) where this writes them (under a second).
    """
    label = max((_cells(field.label) for record in records for field in record), default=0)
    value = width - label - LABEL_GAP
    lines: list[tuple[str, str, Any]] = []  # the label (bold), the gap, and a line of the value
    for number, record in enumerate(records):
        if number:
            lines.append(("", "", ""))
        beside = value >= max((_longest_word(f.cell, f.separator, f.compounds) for f in record), default=0)
        for field in record:
            if beside:
                for index, line in enumerate(_wrapped(field.cell, value, field.separator, color, field.compounds)):
                    head = _padded(field.label, label) if index == 0 else " " * label
                    lines.append((head, " " * LABEL_GAP, line))
            else:
                lines.append((field.label, "", ""))
                under = _wrapped(field.cell, max(width - 2, 1), field.separator, color, field.compounds)
                lines.extend(("", "  ", line) for line in under if line)
    if key:
        lines.append(("", "", ""))
        lines.extend(("", "", line) for line in plain_lines(key, width, "   "))
    if not color:
        stream.write("".join(f"{head}{gap}{line}".rstrip() + "\n" for head, gap, line in lines))
        return
    write_lines(stream, [_styled_line(head, gap, line) for head, gap, line in lines], color=color, width=width)


def _styled_line(head: str, gap: str, line: Any) -> Text:
    from rich.text import Text

    text = Text(head)
    text.stylize("bold")  # the label only: a base style would embolden the whole line
    text.append(gap)
    text.append(line)
    return text


def _wrapped(cell: Text | _Plain, width: int, separator: str, color: bool, compounds: bool = False) -> list[Any]:
    """`wrap_lines`; as plain strings when there is no colour (the styles are not needed, and strings
    are much quicker than Rich `Text`s on a long commentary)."""
    if not isinstance(cell, _Plain):
        return wrap_lines(cell, width, separator, compounds)
    return plain_lines(cell.plain, width, separator, compounds)


def plain_lines(text: str, width: int, separator: str = " ", compounds: bool = False) -> list[str]:
    """The lines of `wrap_lines` for a plain string: text already shown (escaped), without styles."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        starts = [0, *line_breaks(paragraph, width, separator, compounds=compounds), len(paragraph)]
        lines.extend(paragraph[a:b].rstrip() for a, b in itertools.pairwise(starts) if b > a or a == 0)
    return lines


def layout(
    fields: Sequence[str], cells: Sequence[Sequence[Any]], view: View, width: int, separators: Sequence[str]
) -> list[int] | None:
    """Column widths that fit `width` with no word cut, or None when the longest words alone do not fit,
    or a wide prose column cannot have `PROSE_FLOOR` cells (or its natural width, if less).

    Every column starts at its longest word (or its header), and the wide columns at their floor. Short
    columns grow toward their natural width with at most half the room; the prose columns (the view's
    wide and medium ones) share what is left, evenly or in proportion to how much text each holds,
    whichever makes the table shorter; what they do not take goes back to the short columns.
    """
    columns = list(zip(*cells, strict=True)) if cells else [() for _ in fields]
    compounds = breaks_compounds(fields, view)
    natural = [
        max([len(name), *(_longest_line(cell) for cell in column)])
        for name, column in zip(fields, columns, strict=True)
    ]
    least = [
        max([len(name), *(_longest_word(cell, separator, compound) for cell in column)])
        for name, column, separator, compound in zip(fields, columns, separators, compounds, strict=True)
    ]
    floor = [
        max(least[i], min(natural[i], PROSE_FLOOR)) if name in view.wide else least[i] for i, name in enumerate(fields)
    ]
    room = width - GAP * (len(fields) - 1) - sum(floor)
    if room < 0:
        return None
    widths = list(floor)
    prose = sorted(i for i, name in enumerate(fields) if name in view.wide or name in view.medium)
    short = [i for i in range(len(fields)) if i not in prose]
    kept = room - room // 2 if prose else 0  # what the short columns may not take from the prose
    room = _share(widths, natural, short, room - kept) + kept
    # Evenly, a column that needs a little more to fit its cells on a line gets it; in proportion to its
    # text (a cell many lines long weighing no more than one a few lines long), rows come out about as
    # tall in every column. The shorter table wins; a tie goes to the even share.
    weights = [sum(min(_length(cell), 3 * width) for cell in column) for column in columns]
    evenly, in_proportion = list(widths), list(widths)
    _share(evenly, natural, short, _share(evenly, natural, prose, room))
    _share(in_proportion, natural, short, _proportional(in_proportion, natural, weights, prose, room))
    if evenly == in_proportion:
        return evenly
    shape = (columns, separators, compounds, width)
    return in_proportion if _height(in_proportion, *shape) < _height(evenly, *shape) else evenly


def _height(
    widths: Sequence[int],
    columns: Sequence[Sequence[Any]],
    separators: Sequence[str],
    compounds: Sequence[bool],
    width: int,
) -> int:
    """How many lines the rows of a table take with these column widths (a cell longer than a few lines
    is estimated: it decides its row's height either way)."""
    shapes = list(zip(widths, separators, compounds, strict=True))
    rows = zip(*columns, strict=True) if columns else iter(())
    return sum(
        max(
            _cell_height(cell, column, separator, compound, width)
            for cell, (column, separator, compound) in zip(row, shapes, strict=True)
        )
        for row in rows
    )


def _cell_height(cell: Text | _Plain, column: int, separator: str, compounds: bool, width: int) -> int:
    plain = cell.plain
    if len(plain) > 4 * width:
        return -(-len(plain) * 11 // (10 * column))  # a tenth more than the text over the width
    return sum(len(line_breaks(line, column, separator, compounds=compounds)) + 1 for line in plain.split("\n"))


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


def _proportional(
    widths: list[int], natural: Sequence[int], weights: Sequence[int], group: Sequence[int], room: int
) -> int:
    """Grow the columns of `group` toward their natural width, sharing `room` in proportion to their
    `weights` (in whole cells, the remainders to the largest fractions); what a column cannot take goes
    to the others. The room left."""
    wanting = [i for i in group if widths[i] < natural[i]]
    while wanting and room > 0:
        total = sum(max(weights[i], 1) for i in wanting)
        grants = {i: room * max(weights[i], 1) // total for i in wanting}
        by_remainder = sorted(wanting, key=lambda i: (-(room * max(weights[i], 1) % total), i))
        for i in by_remainder[: room - sum(grants.values())]:
            grants[i] += 1
        full = [i for i in wanting if widths[i] + grants[i] >= natural[i]]
        for i in full or wanting:  # the columns that reach their natural width first, then the rest again
            grant = min(grants[i], natural[i] - widths[i])
            widths[i] += grant
            room -= grant
        wanting = [i for i in wanting if widths[i] < natural[i]]
        if not full:
            break
    return room


def wrap(text: Text, width: int, separator: str = " ", compounds: bool = False) -> Any:
    """`text` broken into lines of at most `width` cells at `separator`s (and, with `compounds`, after the
    hyphen or slash of a compound too long for a line; a word longer than a line is folded), as a Rich
    `Group` of one `Text` per line: Rich splits a single long text at its newlines in time quadratic in
    its length (38 s for a 5 MB commentary), a line at a time in linear time."""
    from rich.console import Group

    return Group(*wrap_lines(text, width, separator, compounds))


def wrap_lines(text: Text, width: int, separator: str = " ", compounds: bool = False) -> list[Text]:
    """The lines of `wrap`."""
    lines: list[Text] = []
    for paragraph in text.split("\n", allow_blank=True):
        offsets = line_breaks(paragraph.plain, width, separator, compounds=compounds)
        pieces = paragraph.divide(offsets) if offsets else [paragraph]
        for piece in pieces:
            piece.rstrip()  # the space a line was broken at
            lines.append(piece)
    return lines


def line_breaks(
    plain: str, width: int, separator: str = " ", first_width: int | None = None, *, compounds: bool = False
) -> list[int]:
    """Where lines start, after the first, when `plain` is wrapped at `separator`s to `width` cells
    (`first_width` for the first line, when it differs). A word too long for a line breaks after a
    compound's hyphen or slash when `compounds` allows, else it is folded."""
    from rich.cells import cell_len as rich_cell_len

    def cell_len(text: str) -> int:
        return len(text) if text.isascii() else rich_cell_len(text)  # an ASCII character is one cell

    offsets: list[int] = []
    line_start, used, position = 0, 0, 0
    room = width if first_width is None else first_width
    end_of_text = len(plain)
    gap = cell_len(separator)
    residue = cell_len(separator.rstrip())  # what a line broken after a word keeps of the separator: ","
    for word in plain.split(separator):
        end = position + len(word)
        needed = used + gap + cell_len(word) if position > line_start else cell_len(word)
        while needed + (residue if end < end_of_text else 0) > room:
            if position > line_start or (not offsets and room < width and needed <= width):
                # Start the word on a line of its own (also the first word, when only the first line,
                # shortened by a prefix, is too short for it).
                line_start = position
            else:  # a word longer than a line: break it after a compound's hyphen, else fold it
                line_start += _break_point(plain[line_start:end], room, compounds)
            offsets.append(line_start)
            room = width
            needed = cell_len(plain[line_start:end])
        used = needed
        position = end + len(separator)
    return offsets


def _break_point(word: str, width: int, compounds: bool) -> int:
    """Where a word longer than a line is broken: after the last hyphen or slash of a compound that
    leaves the line no wider than `width`, else folded at the width."""
    from rich.cells import cell_len

    if compounds:
        fitting = [m.end() for m in COMPOUND_BREAK.finditer(word) if cell_len(word[: m.end()]) <= width]
        if fitting:
            return fitting[-1]
    cut = 1
    while cut < len(word) and cell_len(word[: cut + 1]) <= width:
        cut += 1
    return cut


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return len(text) if text.isascii() else cell_len(text)


def _length(text: Text | _Plain) -> int:
    return len(text.plain)


def _longest_line(text: Text) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.plain.split("\n")), default=0)


def _longest_word(text: Text | _Plain, separator: str = " ", compounds: bool = False) -> int:
    """The widest unbreakable piece: a word, or an item with the separator's "," that follows it; with
    `compounds`, the widest piece of a compound between its hyphens or slashes."""
    from rich.cells import cell_len

    residue = cell_len(separator.rstrip())
    words = [word.strip() for line in text.plain.split("\n") for word in line.split(separator)]
    if compounds:
        words = [piece for word in words for piece in _pieces(word)]
    # A character is at most two cells wide: only words at least half as long as the longest can be widest.
    longest = max(map(len, words), default=0)
    return max((cell_len(word) for word in words if 2 * len(word) >= longest), default=0) + residue


def _pieces(word: str) -> list[str]:
    """A compound's pieces, each with the hyphens or slashes after it: `perpetrator-`, `centric`."""
    if "-" not in word and "/" not in word:
        return [word]
    starts = [0, *(m.end() for m in COMPOUND_BREAK.finditer(word)), len(word)]
    return [word[a:b] for a, b in itertools.pairwise(starts)]
