"""The one renderer: records → table / json / jsonl / csv / tsv / markdown / ids / xlsx.

Every command hands its result here as a list of records (dicts with the same keys), so all formats
carry the same data. Register text is untrusted: human-readable formats escape control, bidi and
zero-width characters, and the Rich table is built from `Text` objects so that markup (`[bold]`)
and emoji codes (`:smile:`) are never interpreted. JSON keeps the exact text.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import IO, Any

from jnap_cli.errors import OutputFailed, UsageError
from jnap_cli.model.vocab import SUFFIXES, RecordFormat
from jnap_cli.render.cells import csv_cell, flat, markdown_cell, to_json, tsv_cell
from jnap_cli.render.terminal import isatty
from jnap_cli.render.views import View
from jnap_cli.text import closest

Record = Mapping[str, Any]
Highlights = Sequence[Mapping[str, Sequence[tuple[int, int]]]]


def _csv(rows: Sequence[Record], fields: Sequence[str], stream: IO[str], empty: str | None) -> None:
    import csv

    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        # The user's own --empty placeholder is written as given, never neutralised like register text.
        writer.writerow([empty if empty is not None and row[f] in (None, "", []) else csv_cell(row[f]) for f in fields])


def default_format(stream: IO[str]) -> RecordFormat:
    """A table on a terminal; TSV (one record a line, nothing decorative) for pipes and files."""
    return RecordFormat.TABLE if isatty(stream) else RecordFormat.TSV


@dataclass(frozen=True)
class Output:
    """How a command prints its records, built once from its options: `--format` (None: the stream's
    default), `--fields` (`choose_fields`), colour, the stream, and `--empty`, what an empty cell (no value,
    empty text, empty list) shows in the text formats, so that `while IFS=$'\\t' read -r a b c` (which
    merges adjacent tabs) keeps every field; JSON keeps null and []."""

    format: RecordFormat | None = None
    fields: str | None = None
    color: bool = False
    stream: IO[str] = field(default_factory=lambda: sys.stdout)
    empty: str | None = None
    title: str = "jnap"  # what a document format (xlsx) is titled: the command that made it
    suffix: str = ""  # the `-o FILE`'s suffix (`.xlsx`): the format it asks for when --format does not say

    def chosen_format(self) -> RecordFormat:
        """`--format`, else the format `-o FILE`'s name asks for (`SUFFIXES`), else the stream's default."""
        if self.format is not None:
            return self.format
        return SUFFIXES.get(self.suffix.lower()) or default_format(self.stream)

    def using(self, fmt: RecordFormat) -> Output:
        """The same output in `fmt`: for the record formats of a command with formats of its own (check, diff)."""
        return replace(self, format=fmt)


def choose_fields(view: View, fields: str | None, fmt: RecordFormat) -> list[str]:
    """`--fields a,b` checked against the view; without it, every field for json/jsonl/xlsx and blocks, else the
    summary."""
    if fields is None:
        full = fmt in (RecordFormat.JSON, RecordFormat.JSONL, RecordFormat.XLSX) or (
            view.blocks and fmt is RecordFormat.TABLE
        )
        return list(view.fields if full else view.summary)
    chosen = [f.strip() for f in fields.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in view.fields]
    if not chosen:
        raise UsageError("no field given", f"fields: {', '.join(view.fields)}")
    if unknown:
        close = closest(unknown[0], view.fields) if len(unknown) == 1 else []
        hint = f"did you mean {', '.join(close)}?" if close else f"fields: {', '.join(view.fields)}"
        raise UsageError(f"unknown field {', '.join(map(repr, unknown))}", hint)
    twice = sorted({f for f in chosen if chosen.count(f) > 1})
    if twice:  # every format would show it differently (two CSV columns, one JSON key): refuse in all
        raise UsageError(f"field {', '.join(map(repr, twice))} given twice", "name each field once")
    return chosen


def emit(records: Sequence[Record], view: View, output: Output, *, highlights: Highlights | None = None) -> None:
    """Records of one view, as `output` says: its format, only its fields, to its stream; `highlights`
    mark spans of a table's cells (search hits)."""
    stream, empty, color = output.stream, output.empty, output.color
    chosen_format = output.chosen_format()
    if chosen_format is RecordFormat.XLSX:
        refuse_terminal(stream, chosen_format)
    chosen = choose_fields(view, output.fields, chosen_format)
    if chosen_format is RecordFormat.IDS:
        # Each id once, in order: a diff lists an action once per changed field, `jnap show -` wants it once.
        found = dict.fromkeys(key for record in records for key in _ids_of(record, view))
        stream.writelines(tsv_cell(key) + "\n" for key in found)
        return
    rows = [{f: record.get(f) for f in chosen} for record in records]
    if chosen_format is RecordFormat.XLSX:  # a sheet per plan needs each record's plan, even when not a field
        from jnap_cli.render import xlsx

        sheet_rows = [{**row, "plan": record.get("plan")} for row, record in zip(rows, records, strict=True)]
        write_binary(stream, xlsx.workbook(sheet_rows, chosen, view, title=output.title))
        return
    if empty is not None and chosen_format not in (RecordFormat.JSON, RecordFormat.JSONL, RecordFormat.CSV):
        rows = [{f: empty if value in (None, "", []) else value for f, value in row.items()} for row in rows]
    if chosen_format is RecordFormat.JSON:
        stream.write(to_json(rows, indent=2) + "\n")
    elif chosen_format is RecordFormat.JSONL:
        stream.writelines(to_json(row) + "\n" for row in rows)
    elif chosen_format is RecordFormat.CSV:
        _csv(rows, chosen, stream, empty)
    elif chosen_format is RecordFormat.TSV:
        stream.writelines("\t".join(tsv_cell(row[f]) for f in chosen) + "\n" for row in rows)
    elif chosen_format is RecordFormat.MARKDOWN:
        stream.write("| " + " | ".join(chosen) + " |\n")
        stream.write("|" + "|".join(" --- " for _ in chosen) + "|\n")
        stream.writelines("| " + " | ".join(markdown_cell(row[f]) for f in chosen) + " |\n" for row in rows)
    else:
        from jnap_cli.render import table

        if view.blocks:
            table.blocks(rows, chosen, view, stream, color=color, named=output.fields is not None)
        else:
            table.table(rows, chosen, view, stream, color=color, highlights=highlights)


def _ids_of(record: Record, view: View) -> list[str]:
    """What `--format ids` prints for a record, a line each: the first non-empty of the view's id fields."""
    for name in view.ids:
        value = record.get(name)
        if value not in (None, "", []):
            return [flat(item) for item in value] if isinstance(value, list | tuple) else [flat(value)]
    return []


def refuse_terminal(stream: IO[str], fmt: RecordFormat) -> None:
    """A binary format is not for a terminal: refuse it (exit 2) before any work is done."""
    if isatty(stream):
        raise UsageError(
            f"--format {fmt.value} writes a binary file, which a terminal cannot show",
            "give -o FILE, or redirect standard output to a file",
        )


def write_binary(stream: IO[str], data: bytes) -> None:
    """`data` to the bytes under the text stream `stream` (standard output's, or an `-o FILE`'s)."""
    target = getattr(stream, "buffer", None)
    if target is None:
        raise UsageError("this output takes text only", "give -o FILE")
    try:
        stream.flush()
        target.write(data)
        target.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputFailed(f"cannot write output: {exc.strerror or exc}") from None
