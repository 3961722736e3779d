"""The one renderer: records → table / json / jsonl / csv / tsv / markdown / ids.

Every command hands its result here as a list of records (dicts with the same keys), so all formats
carry the same data. Register text is untrusted: human-readable formats escape control, bidi and
zero-width characters, and the Rich table is built from `Text` objects so that markup (`[bold]`)
and emoji codes (`:smile:`) are never interpreted. JSON keeps the exact text.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any, Literal

from jnap_cli.findings import Finding
from jnap_cli.text import UNSAFE, escape_unsafe

Format = Literal["table", "json", "jsonl", "csv", "tsv", "markdown", "ids"]
FORMATS: tuple[str, ...] = ("table", "json", "jsonl", "csv", "tsv", "markdown", "ids")

Record = dict[str, Any]


def default_format(stream: IO[str]) -> Format:
    """A table on a terminal; TSV (one record a line, nothing decorative) for pipes and files."""
    return "table" if _isatty(stream) else "tsv"


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def use_color(stream: IO[str], no_color_flag: bool) -> bool:
    """Colour on a terminal unless --no-color, NO_COLOR or TERM=dumb; FORCE_COLOR forces it on."""
    if no_color_flag or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return _isatty(stream)


def flat(value: Any, separator: str = ",") -> str:
    """A cell's text: lists joined, None empty, numbers as digits."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return separator.join(flat(v) for v in value)
    return str(value)


def tsv_cell(value: Any) -> str:
    """A TSV cell: backslash, tab, newline and carriage return escaped, unsafe characters too."""
    text = flat(value)
    text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return escape_unsafe(text)


def _markdown_cell(value: Any) -> str:
    text = escape_unsafe(flat(value, ", ")).replace("&", "&amp;")
    for ch in "\\|`*_[]<>~":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n\n", "<br><br>").replace("\n", "<br>")


def to_json(value: Any, indent: int | None = None) -> str:
    """JSON that keeps the exact text, with every character that could fool a terminal as a `\\uXXXX` escape.

    Such characters can only occur inside JSON strings, so escaping them keeps the document valid.
    """
    return UNSAFE.sub(_json_escape, json.dumps(value, ensure_ascii=False, indent=indent))


def _json_escape(match: re.Match[str]) -> str:
    """`\\uXXXX`, or a surrogate pair for a character beyond U+FFFF, as JSON requires."""
    return json.dumps(match.group())[1:-1] if ord(match.group()) > 0xFFFF else f"\\u{ord(match.group()):04x}"


def check_fields(fields: str | None, available: Sequence[str], default: Sequence[str]) -> list[str]:
    """`--fields a,b` validated against `available`; `default` when not given."""
    from jnap_cli.errors import UsageError

    if fields is None:
        return list(default)
    chosen = [f.strip() for f in fields.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in available]
    if not chosen:
        raise UsageError("no field given", f"fields: {', '.join(available)}")
    if unknown:
        raise UsageError(f"unknown field {', '.join(map(repr, unknown))}", f"fields: {', '.join(available)}")
    return chosen


def check_format(fmt: str | None, stream: IO[str]) -> Format:
    """The `--format` asked for, or the default for `stream`; unknown formats are a usage error."""
    from jnap_cli.errors import UsageError

    if fmt is None:
        return default_format(stream)
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    return fmt  # type: ignore[return-value]


def emit(
    records: Sequence[Record],
    *,
    fmt: str | None,
    fields: str | None,
    available: Sequence[str],
    summary: Sequence[str],
    no_color: bool,
    blocks: bool = False,
    highlights: Sequence[Mapping[str, Sequence[tuple[int, int]]]] | None = None,
) -> None:
    """Validate `--format` and `--fields`, then render to stdout.

    Tabular formats (table, csv, tsv, markdown) show the `summary` fields unless `--fields` says
    otherwise; json and jsonl carry every field. `blocks` renders the table format as one labelled
    block per record (for `jnap show`).
    """
    stream = sys.stdout
    chosen_format = check_format(fmt, stream)
    full = chosen_format in ("json", "jsonl") or blocks
    chosen = check_fields(fields, available, available if full else summary)
    color = use_color(stream, no_color)
    if blocks and chosen_format == "table":
        render_record_blocks(records, chosen, out=stream, color=color)
    else:
        render(records, chosen, chosen_format, out=stream, color=color, highlights=highlights)


def render(
    records: Sequence[Record],
    fields: Sequence[str],
    fmt: Format,
    *,
    out: IO[str] | None = None,
    color: bool = False,
    title: str | None = None,
    highlights: Sequence[Mapping[str, Sequence[tuple[int, int]]]] | None = None,
) -> None:
    """Write `records` (only `fields`, in that order) to `out` in `fmt`."""
    stream = out if out is not None else sys.stdout
    rows = [{f: record.get(f) for f in fields} for record in records]
    if fmt == "json":
        stream.write(to_json(rows, indent=2) + "\n")
    elif fmt == "jsonl":
        stream.writelines(to_json(row) + "\n" for row in rows)
    elif fmt == "csv":
        _csv(rows, fields, stream)
    elif fmt == "tsv":
        stream.writelines("\t".join(tsv_cell(row[f]) for f in fields) + "\n" for row in rows)
    elif fmt == "markdown":
        stream.write("| " + " | ".join(fields) + " |\n")
        stream.write("|" + "|".join(" --- " for _ in fields) + "|\n")
        stream.writelines("| " + " | ".join(_markdown_cell(row[f]) for f in fields) + " |\n" for row in rows)
    elif fmt == "ids":
        key = "id" if not records or "id" in records[0] else fields[0]
        stream.writelines(tsv_cell(record.get(key)) + "\n" for record in records)
    else:
        _table(rows, fields, stream, color=color, title=title, highlights=highlights)


def _csv(rows: Sequence[Record], fields: Sequence[str], stream: IO[str]) -> None:
    import csv

    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        # CSV quotes newlines itself; only the characters that could fool a terminal are escaped.
        writer.writerow([escape_unsafe(flat(row[f])) for f in fields])


MIN_WIDTH = 60


def console(stream: IO[str], color: bool) -> Any:
    """A Rich console on `stream`: no markup, emoji or highlighting of its own; colour only if asked."""
    from rich.console import Console

    # Rich turns colour off for TERM=dumb even when forced; FORCE_COLOR wins here, as documented.
    system: Literal["auto", "standard"] | None = None
    if color:
        system = "standard" if os.environ.get("TERM") == "dumb" else "auto"
    width = Console(file=stream).width
    return Console(
        file=stream,
        width=max(width, MIN_WIDTH),  # COLUMNS=0 or a tiny terminal would drop or cut columns
        color_system=system,
        force_terminal=color or None,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
    )


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


def _table(
    rows: Sequence[Record],
    fields: Sequence[str],
    stream: IO[str],
    *,
    color: bool,
    title: str | None,
    highlights: Sequence[Mapping[str, Sequence[tuple[int, int]]]] | None,
) -> None:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, title=title, header_style="bold", show_edge=False, pad_edge=False)
    for name in fields:
        if name in WIDE_FIELDS:
            table.add_column(name, overflow="fold", ratio=1, min_width=24)
        elif name in MEDIUM_FIELDS:
            table.add_column(name, overflow="fold", max_width=30)
        else:
            table.add_column(name, no_wrap=True, min_width=len(name))
    for number, row in enumerate(rows):
        marks = highlights[number] if highlights else {}
        table.add_row(*(styled(row[f], marks.get(f)) for f in fields))
    _print(stream, color, table)


WIDE_FIELDS = frozenset({"text", "commentary", "status_evidence", "snippet", "description", "title", "by_status"})
MEDIUM_FIELDS = frozenset({"theme", "expansion", "ids", "continues", "continued_by", "references"})


def render_record_blocks(
    records: Sequence[Record], fields: Sequence[str], *, out: IO[str] | None = None, color: bool = False
) -> None:
    """The whole record of each action, one labelled block per field: `jnap show` on a terminal."""
    from rich.table import Table

    stream = out if out is not None else sys.stdout
    grids = []
    for record in records:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for name in fields:
            grid.add_row(name, styled(record.get(name)))
        grids.append(grid)
    _print(stream, color, *grids, separate=True)


def _print(stream: IO[str], color: bool, *renderables: Any, separate: bool = False) -> None:
    """Print Rich renderables; without colour, trailing padding is trimmed from every line."""
    term = console(stream, color)
    with term.capture() as captured:
        for number, renderable in enumerate(renderables):
            if number and separate:
                term.print()
            term.print(renderable)
    text = captured.get()
    if not color:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    stream.write(text)


CheckFormat = Literal["text", "json", "github"]
CHECK_FORMATS: tuple[str, ...] = ("text", "json", "github")


def render_findings(findings: Sequence[Finding], fmt: CheckFormat, *, out: IO[str] | None = None) -> None:
    """Findings as compiler-style lines, a JSON document, or GitHub Actions annotations."""
    stream = out if out is not None else sys.stdout
    if fmt == "json":
        document = {
            "findings": [finding_record(f) for f in findings],
            "errors": sum(f.severity == "error" for f in findings),
            "warnings": sum(f.severity == "warning" for f in findings),
        }
        stream.write(to_json(document, indent=2) + "\n")
    elif fmt == "github":
        stream.writelines(github_annotation(f) + "\n" for f in findings)
    else:
        stream.writelines(escape_unsafe(f.describe()) + "\n" for f in findings)


def finding_record(finding: Finding) -> Record:
    """A finding's stable JSON shape."""
    return {
        "code": finding.code,
        "severity": finding.severity,
        "message": finding.message,
        "action": finding.action_id,
        "field": finding.field,
        "file": finding.path,
        "line": finding.line,
    }


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(finding: Finding) -> str:
    """`::error file=…,line=…,title=…::message`, escaped as GitHub's workflow commands require."""
    properties = []
    if finding.path:
        properties.append(f"file={_escape_property(finding.path)}")
    if finding.line:
        properties.append(f"line={finding.line}")
    properties.append(f"title={_escape_property(finding.code)}")
    subject = ": ".join(p for p in (f"action {finding.action_id}" if finding.action_id else "", finding.field) if p)
    message = f"{subject}: {finding.message}" if subject else finding.message
    return f"::{finding.severity} {','.join(properties)}::{_escape_data(escape_unsafe(message))}"
