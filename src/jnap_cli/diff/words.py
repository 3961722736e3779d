"""Word diffs of prose: tokens (words and paragraph breaks), and the runs that turn one text into another."""

from __future__ import annotations

import re
from collections.abc import Sequence

BREAK = "\n\n"
"""The token of a paragraph break in `tokenize` and `word_diff`."""

_PARAGRAPHS = re.compile(r"\n\s*\n")
_SEGMENT_TOKENS = re.compile(r"\n\n|\S+")


def tokenize(text: str) -> list[str]:
    """The whitespace-separated words of `text`, with `BREAK` between paragraphs (blank-line separated)."""
    tokens: list[str] = []
    for paragraph in _PARAGRAPHS.split(text):
        words = paragraph.split()
        if not words:
            continue
        if tokens:
            tokens.append(BREAK)
        tokens.extend(words)
    return tokens


def join_tokens(tokens: Sequence[str]) -> str:
    """Words joined by one space; a `BREAK` joined without spaces around it."""
    out: list[str] = []
    for index, token in enumerate(tokens):
        if index and token != BREAK and tokens[index - 1] != BREAK:
            out.append(" ")
        out.append(token)
    return "".join(out)


def segment_tokens(segment: str) -> list[str]:
    """The tokens of one `word_diff` segment (its words and `BREAK`s): the inverse of `join_tokens`."""
    return _SEGMENT_TOKENS.findall(segment)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """`(op, text)` runs turning `old` into `new` word by word; op is "equal", "delete" or "insert".

    Words are compared exactly; differences in the amount of whitespace between them are not changes.
    A paragraph break is the token `"\\n\\n"` and is compared like a word, so a merged or split
    paragraph shows as a deleted or inserted break. A replacement is a delete followed by an insert.
    """
    from difflib import SequenceMatcher

    before, after = tokenize(old), tokenize(new)
    runs: list[tuple[str, list[str]]] = []

    def add(op: str, tokens: list[str]) -> None:
        if not tokens:
            return
        if runs and runs[-1][0] == op:
            runs[-1][1].extend(tokens)
        else:
            runs.append((op, list(tokens)))

    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", before[i1:i2])
        else:
            add("delete", before[i1:i2])
            add("insert", after[j1:j2])
    return [(op, join_tokens(tokens)) for op, tokens in runs]
