"""One cell's text in each format: lists joined, TSV escapes, Markdown escapes, JSON that fools no terminal."""

from __future__ import annotations

import json
import re
from typing import Any

from jnap_cli.text import UNSAFE, defuse_ci, defuse_mentions, escape_unsafe


def flat(value: Any, separator: str = ",") -> str:
    """A cell's text: lists joined, None empty, numbers as digits, a boolean as yes or no (JSON keeps
    true and false); a link `O10 (why)`, a provenance `annex: text, …; register: status, …`."""
    if type(value) is str:  # most cells: nothing to convert
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return separator.join(flat(v) for v in value)
    if isinstance(value, dict):
        if "id" in value:  # a builds_on link
            return f"{value['id']} ({value['reason']})" if value.get("reason") else str(value["id"])
        return "; ".join(f"{key}: {', '.join(map(str, items))}" for key, items in value.items())
    return str(value)


def tsv_cell(value: Any) -> str:
    """A TSV cell: backslash, tab, newline and carriage return escaped, unsafe characters too."""
    text = flat(value)
    if text.isascii() and text.isprintable() and "\\" not in text:  # an id, a number: nothing to escape
        return text
    text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return escape_unsafe(text)


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A CSV cell: list items one per line; a formula start neutralised with a leading `'` (as OWASP
    recommends), and no word that a CI log would run as a workflow command (`defuse_ci`)."""
    text = defuse_ci(escape_unsafe(flat(value, "\n")))
    if not isinstance(value, int) and text.startswith(FORMULA_STARTS):  # -1 is a number, not a formula
        text = "'" + text
    return text


def markdown_cell(value: Any) -> str:
    """A Markdown table cell: markup escaped, newlines as `<br>`, and no live GitHub mention or issue
    reference (`text.defuse_mentions`), since tables are pasted into pull requests."""
    text = escape_unsafe(flat(value, ", ")).replace("&", "&amp;")
    for ch in "\\|`*_[]<>~":
        text = text.replace(ch, "\\" + ch)
    return defuse_mentions(text.replace("\n\n", "<br><br>").replace("\n", "<br>"))


def to_json(value: Any, indent: int | None = None) -> str:
    """JSON that keeps the exact text, with every character that could fool a terminal as a `\\uXXXX` escape.

    Such characters can only occur inside JSON strings, so escaping them keeps the document valid.
    """
    return UNSAFE.sub(_json_escape, json.dumps(value, ensure_ascii=False, indent=indent))


def _json_escape(match: re.Match[str]) -> str:
    """`\\uXXXX`, or a surrogate pair for a character beyond U+FFFF, as JSON requires."""
    return json.dumps(match.group())[1:-1] if ord(match.group()) > 0xFFFF else f"\\u{ord(match.group()):04x}"
