"""`jnap history` as people read it: each commit, then what it changed, text word by word.

The table format (a terminal's default) groups the records by commit: a header line (short hash,
date, author, subject), then one line per change, as `jnap diff` writes them: `status: ongoing →
complete`, text, commentary and evidence as a word diff (`… the RASSO area. {+¶ The Steering Group
agreed …+}`), `added: TEXT` and `removed: TEXT` for an action that appeared or went, `O3 renamed to
O9` for a new id, `skipped: WHY` for a version that could not be read. Lines wrap to the width
under their prefix, as a table is laid out (the terminal's, or `COLUMNS` when piped). Every other
format, and a table with `--fields`, is the records as they are: JSON keeps each old and new value whole.
Commit authors and subjects, like register text, are untrusted: escaped, and never read as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import TYPE_CHECKING, Any

from jnap_cli.diff.versions import PROSE_FIELDS, FieldValue
from jnap_cli.diff.words import word_diff
from jnap_cli.model.vocab import RecordFormat
from jnap_cli.render.diff_text import HEADING, NEW, OLD, Line, old_new, print_lines, renamed_pair, words
from jnap_cli.render.records import Output, emit
from jnap_cli.render.terminal import console_width
from jnap_cli.render.views import HISTORY
from jnap_cli.text import one_line

if TYPE_CHECKING:
    from rich.text import Text

COMMIT = "yellow"  # as git colours a commit's hash
AUTHOR_WIDTH = 24  # authors are padded to the longest, up to this, so that subjects line up
DATE = 10  # `YYYY-MM-DD` of the ISO 8601 author date; JSON keeps the time and offset


def emit_history(records: Sequence[Mapping[str, Any]], output: Output) -> None:
    """The records grouped by commit for people (a table without `--fields`), else in their format."""
    if output.chosen_format() is not RecordFormat.TABLE or output.fields is not None:
        emit(records, HISTORY, output)
        return
    print_lines(history_lines(records, output.color), output.stream, output.color, console_width(output.stream))


def history_lines(records: Sequence[Mapping[str, Any]], color: bool) -> list[Line]:
    """A header line per commit (records come grouped by commit, newest first), its changes under it,
    and a blank line between commits."""
    authors = [one_line(str(record["author"])) for record in records]
    width = min(max((len(author) for author in authors), default=0), AUTHOR_WIDTH)
    lines: list[Line] = []
    for _, group in groupby(records, key=lambda record: record["commit"]):
        changes = list(group)
        if lines:
            lines.append(Line(_text("")))
        lines.append(_header(changes[0], width, color))
        lines.extend(_change(record, color) for record in changes)
    return lines


def _text(plain: str = "", style: str = "") -> Text:
    from rich.text import Text

    return Text(plain, style=style)


def _header(record: Mapping[str, Any], author_width: int, color: bool) -> Line:
    """`c9610a9  2024-03-12  Ben Board  R4: record the new terms of reference`; a long subject wraps under itself."""
    line = _text()
    line.append(one_line(str(record["commit"])), COMMIT if color else "")
    line.append(f"  {one_line(str(record['date']))[:DATE]}  {one_line(str(record['author'])).ljust(author_width)}  ")
    indent = len(line.plain)
    line.append(one_line(str(record["subject"])), HEADING if color else "")
    return Line(line, indent)


def _change(record: Mapping[str, Any], color: bool) -> Line:
    """One change of a commit, as `jnap diff` writes it, under the commit's header."""
    change, field, old, new = record["change"], record["field"], record["old"], record["new"]
    if change == "skipped":
        return _labelled("skipped: ", _text(one_line(str(record["note"]))))
    if change in ("added", "removed"):
        style = (NEW if change == "added" else OLD) if color else ""
        value = new if change == "added" else old
        mark = _text()
        mark.append(change, f"bold {style}" if style else "")
        mark.append(": ")
        return _labelled(mark, _text(one_line(str(value)), style))
    if change == "renamed" and field == "id":
        return _labelled(renamed_pair(str(old), str(new)), _text())
    name = f"{one_line(str(field))}: "
    if field in PROSE_FIELDS and isinstance(old, str) and isinstance(new, str):
        return _labelled(name, words(word_diff(old, new), color))
    return _labelled(name, old_new(_value(old), _value(new), color))


def _labelled(label: str | Text, body: Text) -> Line:
    """`  LABEL BODY`: on a terminal, the body wraps under its start."""
    line = _text("  ")
    line.append(label)
    indent = len(line.plain)
    line.append(body)
    return Line(line, indent)


def _value(value: Any) -> FieldValue:
    """A record's value as the diff renderer shows it (a list as a tuple)."""
    return tuple(value) if isinstance(value, list) else value
