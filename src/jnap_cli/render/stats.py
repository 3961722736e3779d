"""`jnap stats` on a terminal: a row per plan and theme, a column per status count, and the completed share
with a bar on a track, so that 60% and 100% compare at a glance.

Every other format, and a table with `--fields`, is the one renderer's (`records.emit`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from jnap_cli.model.vocab import STATUSES, RecordFormat
from jnap_cli.render.records import Output, emit
from jnap_cli.render.table import plain_lines, styled
from jnap_cli.render.terminal import console_width, write_lines
from jnap_cli.render.views import TALLY

if TYPE_CHECKING:
    from rich.text import Text

Record = Mapping[str, Any]

LABEL = "plan / theme"
INDENT = "  "  # a theme sits under its plan's row
LABEL_GAP, GAP = 3, 2  # after the labels; between the number columns and before the bar
LABEL_FLOOR = 20  # a label column narrower than this wraps most themes: take a shorter header or bar first
LABEL_ROOMY = 32  # ... and one this wide wraps a theme onto two lines at most: worth initials or a shorter bar
# The layouts to try, richest first: status headers in words or as initials, and the bar's cells.
EIGHTHS = " ▏▎▍▌▋▊▉"  # a bar's last, partly filled cell
FILLED, TRACK = "█", "░"
ZERO = "·"  # a count of none: the counts that are there stand out


def emit_tallies(records: Sequence[Record], output: Output) -> None:
    """The tallies as `output` says: a table with bars when no `--fields` are given, else the records, as
    `emit` prints them."""
    if output.chosen_format() is RecordFormat.TABLE and output.fields is None:
        bars(records, output.stream, color=output.color, empty=output.empty)
    else:
        emit(records, TALLY, output)


@dataclass(frozen=True)
class _Shape:
    """One way to lay the table out: the status headers in words or as initials, and the bar's cells."""

    initials: bool
    bar: int


SHAPES = (_Shape(False, 20), _Shape(False, 10), _Shape(True, 10), _Shape(True, 5), _Shape(True, 0))


def bars(records: Sequence[Record], stream: IO[str], *, color: bool, empty: str | None = None) -> None:
    """A row per plan (bold), then one per theme under it (indented): a column per status that any row
    counts (as the report's table), the total, the completed share and its bar on a track.

    The status columns are headed by their names when they fit, else by their initials with a key under
    the table; the bar shrinks, then goes, before a label column would drop under `LABEL_FLOOR`, and the
    richest layout that gives the labels `LABEL_ROOMY` is taken before one that wraps them more; when
    even that does not fit, the records are a table (or blocks) as `emit` prints them.
    """
    width = console_width(stream)
    statuses = [status for status in STATUSES if any(record[status] for record in records)]
    labels = [_label(record, empty) for record in records]
    natural = max([len(LABEL), *(_cells(label) for label in labels)])
    longest = max([len(LABEL), *(_longest_word(label) for label in labels)])
    laid = [(shape, _columns(records, statuses, shape)) for shape in SHAPES]
    fitting = [
        (shape, columns, min(natural, _room(width, columns, shape)))
        for shape, columns in laid
        if min(natural, _room(width, columns, shape)) >= max(min(natural, LABEL_FLOOR), longest)
    ]
    if not fitting:
        emit(records, TALLY, Output(RecordFormat.TABLE, ",".join(TALLY.summary), stream=stream, empty=empty))
        return
    roomy = [fit for fit in fitting if fit[2] >= min(natural, LABEL_ROOMY)]
    shape, columns, label = (roomy or fitting)[0]  # the richest layout whose themes wrap least
    lines = _table(records, labels, statuses, columns, label, shape, color)
    if shape.initials:
        lines.extend(_key(statuses, width, color))
    write_lines(stream, lines, color=color, width=width)


def _room(width: int, columns: Mapping[str, int], shape: _Shape) -> int:
    """What the label column may take at `width`, beside these number columns and the bar."""
    return width - LABEL_GAP - sum(columns.values()) - GAP * (len(columns) - 1) - (GAP + shape.bar) * bool(shape.bar)


def _label(record: Record, empty: str | None) -> str:
    """A row's label as the table shows it (escaped): its plan, or its theme indented under the plan."""
    if record["scope"] == "plan":
        return styled(record["plan"]).plain
    return INDENT + styled(record["theme"] or empty or "").plain


def _columns(records: Sequence[Record], statuses: Sequence[str], shape: _Shape) -> dict[str, int]:
    """The number columns, header → width: a column per status, the total and the share."""
    digits = max((len(str(record["total"])) for record in records), default=1)
    columns = {(status[0].upper() if shape.initials else status): digits for status in statuses}
    columns.update(total=digits, share=len("100%"))
    return {header: max(len(header), cells) for header, cells in columns.items()}


def _table(
    records: Sequence[Record],
    labels: Sequence[str],
    statuses: Sequence[str],
    columns: Mapping[str, int],
    label: int,
    shape: _Shape,
    color: bool,
) -> list[Text]:
    """The header, its rule and a row per record (a label too long for its column wraps onto more lines)."""
    from rich.text import Text

    numbers = [(header, cells) for header, cells in columns.items()]
    head = LABEL.ljust(label) + " " * LABEL_GAP + (" " * GAP).join(h.rjust(c) for h, c in numbers)
    table_width = len(head) + (GAP + shape.bar) * bool(shape.bar)
    lines = [Text(head.rstrip(), style="bold" if color else ""), Text("─" * table_width)]
    for record, text in zip(records, labels, strict=True):
        counts = [
            *(_count(record[status]) for status in statuses),
            str(record["total"]),
            f"{round(record['share'] * 100)}%",
        ]
        wrapped = _wrap_label(text, label, record["scope"] == "theme")
        first = Text(wrapped[0])
        first.pad_right(label - first.cell_len)
        first.append(" " * LABEL_GAP + (" " * GAP).join(n.rjust(c) for n, (_, c) in zip(counts, numbers, strict=True)))
        if record["scope"] == "plan":
            first.stylize("bold")
        if shape.bar:
            first.append(" " * GAP)
            first.append_text(_bar(record["share"], shape.bar, color))
        lines.append(first)
        lines.extend(Text(rest) for rest in wrapped[1:])
    return lines


def _count(count: int) -> str:
    return str(count) if count else ZERO


def _wrap_label(text: str, width: int, indented: bool) -> list[str]:
    """A label's lines; a theme's continuation lines are indented as its first."""
    body = text[len(INDENT) :] if indented else text
    room = width - len(INDENT) if indented else width
    return [(INDENT if indented else "") + line for line in plain_lines(body, room)]


def _bar(share: float, cells: int, color: bool) -> Text:
    """The completed share as a bar `cells` wide on a track: `██████░░░░` is 60%."""
    from rich.text import Text

    eighths = round(share * cells * 8)
    full, part = divmod(eighths, 8)
    filled = FILLED * full + (EIGHTHS[part] if part else "")
    bar = Text(filled, style="green" if color else "")
    bar.append(TRACK * (cells - len(filled)), style="bright_black" if color else "")
    return bar


def _key(statuses: Sequence[str], width: int, color: bool) -> list[Text]:
    """What the initials stand for, under the table after a blank line (`C complete   I in-progress   …`),
    wrapped to the width."""
    from rich.text import Text

    key = "   ".join(f"{status[0].upper()} {status}" for status in statuses)
    return [Text(""), *(Text(line.strip(), style="dim" if color else "") for line in plain_lines(key, width, "   "))]


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _longest_word(text: str) -> int:
    """The widest word of a label, with the indent of a theme's first line."""
    from rich.cells import cell_len

    words = text.split()
    return max((cell_len(word) for word in words), default=0) + (len(INDENT) if text.startswith(INDENT) else 0)
