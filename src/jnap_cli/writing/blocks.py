"""Where one action's `[[actions]]` table is in a register file's text, found fast and proven.

An edit changes one action, so it needs the text of that action's table and nothing else. Scanning
the whole file token by token (`register.sourcemap`) costs two to three parses of a 10,000-action
file; instead, every line that starts with `[` is a candidate header (a real header always starts its
line), a candidate that does not parse alone as a header is none, and the answer is proven:

- the text before the first `[[actions]]` candidate parses alone and defines no `actions`: that
  candidate is a real header (a cut inside a string or an array would not parse), so the actions
  are `[[actions]]` tables and not an inline array (TOML allows no mix of the two);
- the `[[actions]]` candidates are then exactly as many as the parsed document's actions, so they are
  its headers (every header is a candidate, so equal counts leave no room for a false one);
- the table's text, parsed alone, is exactly the document's action (a cut inside a string or an
  array would not parse; a table missing a part, or with a foreign one, would differ).

A table's text runs from its header to the next header that is not one of its own sub-tables
(`[actions.x]`), or to the end; its body leaves out the blank and comment lines before the next
header, which head what follows (proven the same way). When the proof fails (a header written inside
a multi-line string, say), the token scan finds the table and the caller verifies the whole new text
(`Span.exact` false).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

from jnap_cli.errors import WriteRefused

# A line that starts with `[` (after blanks), found from its line break: a literal start is searched
# for with memchr, several times faster than `^` in MULTILINE mode on a 10,000-action file.
_CANDIDATE = re.compile(r"\n[ \t]*\[[^\n]*")
# The usual spellings of a header, read without a parse: `[[actions]]`, `[plans.x]  # why`. Anything
# else that starts with `[` is parsed alone to know what it is.
_KEY = r"[ \t]*([A-Za-z0-9_-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_-]+)*)[ \t]*"
_PLAIN_HEADERS = (
    re.compile(rf"[ \t]*\[\[{_KEY}\]\][ \t]*(?:#.*)?\r?"),
    re.compile(rf"[ \t]*\[{_KEY}\][ \t]*(?:#.*)?\r?"),
)


@dataclass(frozen=True)
class Span:
    """An action's table: `text[start:end]`, of which `text[start:body_end]` is its own lines (without
    the blank and comment lines before the next table); `exact` when proven without the token scan."""

    start: int
    end: int
    body_end: int
    exact: bool


def locate(text: str, actions: list[Any], index: int, origin: str) -> Span:
    """The table of the `index`-th action of `actions` (the parsed document's) in `text`."""
    headers = _headers(text)
    starts = [start for start, path in headers if path == ("actions",)]
    if len(starts) == len(actions) and starts and _defines_no_actions(text[: starts[0]]):
        start = starts[index]
        following = [(at, path) for at, path in headers if at > start]
        for end in _ends(following, len(text)):
            if _is_table_of(text[start:end], actions[index]):
                return Span(start, end, _body_end(text, start, end, actions[index]), exact=True)
    return _scanned(text, actions, index, origin)


def _defines_no_actions(before: str) -> bool:
    try:
        return "actions" not in tomllib.loads(before)
    except tomllib.TOMLDecodeError:
        return False


def _body_end(text: str, start: int, end: int, action: Any) -> int:
    """Where the table's own lines end (after a line break): blank and comment lines before the next
    table are left out while the table still parses alone to `action`; else only the blank ones."""
    trimmed = _trim(text, start, end, comments=True)
    if trimmed == end or _is_table_of(text[start:trimmed], action):
        return trimmed
    return _trim(text, start, end, comments=False)


def _trim(text: str, start: int, end: int, *, comments: bool) -> int:
    while end > start:
        line_start = max(text.rfind("\n", start, end - 1) + 1, start)
        line = text[line_start:end].strip()
        if line and not (comments and line.startswith("#")):
            return end
        end = line_start
    return end


def _headers(text: str) -> list[tuple[int, tuple[str, ...]]]:
    """(offset, key path) of every line that parses alone as a table header; `[[x]]` and `[x]` alike."""
    found: list[tuple[int, tuple[str, ...]]] = []
    for start, line in _lines_starting_with_a_bracket(text):
        path = _header_path(line)
        if path is not None:
            found.append((start, path))
    return found


def _lines_starting_with_a_bracket(text: str) -> list[tuple[int, str]]:
    """(offset, text) of every line whose first character after blanks is `[`."""
    lines = [(match.start() + 1, match.group()[1:]) for match in _CANDIDATE.finditer(text)]
    if text.lstrip(" \t").startswith("["):
        lines.insert(0, (0, text.split("\n", 1)[0]))
    return lines


def _header_path(line: str) -> tuple[str, ...] | None:
    """The key path that `line` heads, or None when it is no header (a line of a string or an array)."""
    for pattern in _PLAIN_HEADERS:
        plain = pattern.fullmatch(line)
        if plain is not None:
            return tuple(part.strip() for part in plain[1].split("."))
    try:
        parsed = tomllib.loads(line.removesuffix("\r"))
    except tomllib.TOMLDecodeError:
        return None
    path: list[str] = []
    node: Any = parsed
    while isinstance(node, (dict, list)) and node:
        if isinstance(node, list):
            node = node[-1]
            continue
        if len(node) != 1:
            return None
        key, node = next(iter(node.items()))
        path.append(key)
    return tuple(path) if path and node in ({}, []) else None


def _ends(following: list[tuple[int, tuple[str, ...]]], length: int) -> list[int]:
    """Where the table may end: each later header that is not one of its sub-tables, up to and
    including the next `[[actions]]`, then the end of the text."""
    ends: list[int] = []
    for at, path in following:
        if path[:1] == ("actions",) and len(path) > 1:
            continue  # `[actions.x]` or `[[actions.x]]`: part of the action (or a string's line)
        ends.append(at)
        if path == ("actions",):
            return ends
    return [*ends, length]


def _is_table_of(block: str, action: Any) -> bool:
    try:
        return tomllib.loads(block) == {"actions": [action]}
    except tomllib.TOMLDecodeError:
        return False


def _scanned(text: str, actions: list[Any], index: int, origin: str) -> Span:
    """The table as the token scan finds it; it must still parse alone to the action."""
    from jnap_cli.register.sourcemap import scan

    source = scan(text)
    header = source.line("actions", index, None)
    action_id = actions[index].get("id") if isinstance(actions[index], dict) else None
    if header is None:
        raise WriteRefused(f"{origin}: action {action_id} is not an [[actions]] table that jnap can edit")
    later = [line for (table, _, key), line in source.lines.items() if not key and table and line > header]
    own = [
        line
        for (table, _, key), line in source.lines.items()
        if not key and table.startswith("actions.") and line > header
    ]
    ends = sorted(set(later) - set(own))
    offsets = _line_offsets(text)
    start = offsets[header - 1]
    end = offsets[ends[0] - 1] if ends else len(text)
    if not _is_table_of(text[start:end], actions[index]):
        raise WriteRefused(
            f"{origin}: action {action_id}: its table cannot be located for a safe edit", "edit it by hand"
        )
    return Span(start, end, _body_end(text, start, end, actions[index]), exact=False)


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    position = text.find("\n")
    while position >= 0:
        offsets.append(position + 1)
        position = text.find("\n", position + 1)
    return offsets
