"""Where keys are in a TOML file: a light line scan of its text, run only when a finding needs a line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# `[[actions]]`, `[["actions"]]` or `[['actions']]`: the name is group 1, 2 or 3.
_TABLE = re.compile(r"""^\s*\[\[\s*(?:([A-Za-z0-9_-]+)|"([^"\\]*)"|'([^']*)')\s*\]\]\s*(#.*)?$""")
# A table header (`[table]`, `[[table]]`, quoted or dotted): its brackets open no value.
_HEADER = re.compile(r"""^\s*\[\[?(?:[^\]"']|"[^"]*"|'[^']*')*\]\]?""")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')\s*[=.]")


@dataclass
class SourceMap:
    """Line numbers of tables and keys in a TOML file, found by a light scan of its text."""

    # (table, index, key) → line; key "" is the table header, table "" the top level.
    lines: dict[tuple[str, int, str], int] = field(default_factory=dict)

    def line(self, table: str, index: int | None, key: str | None) -> int | None:
        """The line of `key` in the `index`-th `[[table]]`, else of the table header."""
        idx = -1 if index is None else index
        if key and (table, idx, key) in self.lines:
            return self.lines[(table, idx, key)]
        return self.lines.get((table, idx, ""))


def scan(text: str) -> SourceMap:
    """Map `[[table]]` headers and `key =` lines to line numbers, skipping multi-line strings and the
    lines inside arrays and inline tables that span lines."""
    source = SourceMap()
    counts: dict[str, int] = {}
    table, index = "", -1
    closer: str | None = None  # the delimiter that ends the multi-line string we are in
    depth = 0  # open [ and { of a value that spans lines
    # TOML ends lines at \n only; str.splitlines() would also split at U+2028, \x0c and the like.
    for number, line in enumerate(text.split("\n"), start=1):
        if closer is not None:
            end = _closing(line, closer)
            if end >= 0:
                closer, change = _open_string(line[end:])
                depth += change
            continue
        if depth <= 0:
            header = _TABLE.match(line)
            if header:
                table = next(name for name in header.group(1, 2, 3) if name is not None)
                index = counts.get(table, 0)
                counts[table] = index + 1
                source.lines.setdefault((table, index, ""), number)
                continue
            key = _KEY.match(line)
            if key:
                name = key.group(1)
                source.lines.setdefault((table, index, name[1:-1] if name[0] in "\"'" else name), number)
        closer, change = _open_string(line)
        depth = max(depth + change, 0)
    return source


def _closing(line: str, closer: str) -> int:
    """The position just after the delimiter that closes a multi-line string on `line`, or -1."""
    position = 0
    while True:
        found = line.find(closer, position)
        if found < 0:
            return -1
        if closer == "'''" or _unescaped(line, found):
            end = found + 3
            while line[end : end + 1] == closer[0]:  # up to two quotes may end the string's content
                end += 1
            return end
        position = found + 1


def _unescaped(line: str, at: int) -> bool:
    """True when the character at `at` is not escaped by an odd run of backslashes."""
    run = 0
    while at - run - 1 >= 0 and line[at - run - 1] == "\\":  # only the run of backslashes, not a copy of the line
        run += 1
    return run % 2 == 0


def _open_string(line: str) -> tuple[str | None, int]:
    """The delimiter of a multi-line string that `line` leaves open (or None), and how many brackets
    (`[`, `{`) it leaves open (negative when it closes more than it opens).

    One-line strings and comments are skipped, so that quotes and brackets inside them do not count.
    A `[` that starts a line is a table header, which opens nothing.
    """
    position = 0
    depth = 0
    if line.lstrip().startswith("["):
        header = _HEADER.match(line)
        if header:
            position = header.end()
    while position < len(line):
        ch = line[position]
        if ch == "#":
            return None, depth
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if line.startswith(('"""', "'''"), position):
            delim = line[position : position + 3]
            end = _closing(line[position + 3 :], delim)
            if end < 0:
                return delim, depth
            position += 3 + end
            continue
        if ch in "\"'":
            position = _string_end(line, position)
        position += 1
    return None, depth


def comment_start(line: str) -> int | None:
    """Where the comment of a one-line key-value begins (its `#`), skipping strings; None if none."""
    position = 0
    while position < len(line):
        ch = line[position]
        if ch == "#":
            return position
        if ch in "\"'":
            position = _string_end(line, position)
        position += 1
    return None


def _string_end(line: str, start: int) -> int:
    """The position of the quote that closes the one-line string opening at `start` (or the line's end)."""
    if line[start] == "'":  # a literal string has no escapes
        closing = line.find("'", start + 1)
        return len(line) if closing < 0 else closing
    position = start + 1
    while position < len(line) and not (line[position] == '"' and _unescaped(line, position)):
        position += 1
    return position
