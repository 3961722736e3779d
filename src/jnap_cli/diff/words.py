"""Word diffs of prose: tokens (words and paragraph breaks), and the runs that turn one text into another."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

BREAK = "\n\n"
"""The token of a paragraph break in `tokenize` and `word_diff`."""

_PARAGRAPHS = re.compile(r"\n\s*\n")
_SEGMENT_TOKENS = re.compile(r"\n\n|\S+")


def shared_ends(before: Sequence[str], after: Sequence[str]) -> tuple[int, int]:
    """How many items the two sequences share at their start, and then at their end: what difflib need
    not match (its matching is quadratic in the items a long text repeats)."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return start, end


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

    before, after = tokenize(old), tokenize(new)
    runs: list[tuple[str, list[str]]] = []

    def add(op: str, tokens: list[str]) -> None:
        if not tokens:
            return
        if runs and runs[-1][0] == op:
            runs[-1][1].extend(tokens)
        else:
            runs.append((op, list(tokens)))

    for tag, i1, i2, j1, j2 in _opcodes(before, after):
        if tag == "equal":
            add("equal", before[i1:i2])
        else:
            add("delete", before[i1:i2])
            add("insert", after[j1:j2])
    return [(op, join_tokens(tokens)) for op, tokens in runs]


MATCH_LIMIT = 1_000_000
"""Word pairs (old words × new words) up to which two texts are matched word by word as a whole.

difflib's matching can take time in proportion to that product; every text in a real register is far
below it. Longer texts are matched paragraph by paragraph first (see `_opcodes`).
"""

Opcode = tuple[str, int, int, int, int]


def _opcodes(before: Sequence[str], after: Sequence[str]) -> list[Opcode]:
    """difflib's opcodes turning `before` into `after`; for long texts, bounded in time.

    Up to `MATCH_LIMIT` word pairs, exactly difflib's. Beyond it, the shared first and last words are
    equal; what lies between is matched as whole paragraphs (unless the same paragraphs repeat
    too often), then word by word inside each replaced run of paragraphs that is within the limit;
    a longer run, or a long single paragraph, is shown as deleted and inserted.
    """
    from difflib import SequenceMatcher

    if len(before) * len(after) <= MATCH_LIMIT:
        return list(SequenceMatcher(None, before, after, autojunk=False).get_opcodes())
    start, end = shared_ends(before, after)
    found: list[Opcode] = [("equal", 0, start, 0, start)] if start else []
    found += _paragraph_opcodes(before, after, start, len(before) - end, start, len(after) - end)
    if end:
        found.append(("equal", len(before) - end, len(before), len(after) - end, len(after)))
    return found


def _paragraph_opcodes(before: Sequence[str], after: Sequence[str], i1: int, i2: int, j1: int, j2: int) -> list[Opcode]:
    """Opcodes for before[i1:i2] → after[j1:j2], matching paragraphs whole (each with its closing break)."""
    from difflib import SequenceMatcher

    def paragraphs(tokens: Sequence[str], lo: int, hi: int) -> list[tuple[int, int]]:
        bounds, begin = [], lo
        for index in range(lo, hi):
            if tokens[index] == BREAK:
                bounds.append((begin, index + 1))
                begin = index + 1
        if begin < hi:
            bounds.append((begin, hi))
        return bounds

    old_paragraphs, new_paragraphs = paragraphs(before, i1, i2), paragraphs(after, j1, j2)
    found: list[Opcode] = []
    if not old_paragraphs or not new_paragraphs:
        if i1 < i2 or j1 < j2:
            found.append(("replace" if i1 < i2 and j1 < j2 else "delete" if i1 < i2 else "insert", i1, i2, j1, j2))
        return found
    old_texts = [tuple(before[a:b]) for a, b in old_paragraphs]
    new_texts = [tuple(after[a:b]) for a, b in new_paragraphs]
    # difflib's work grows with the pairs of equal paragraphs: few, unless paragraphs repeat.
    old_counts, new_counts = Counter(old_texts), Counter(new_texts)
    if sum(count * new_counts[text] for text, count in old_counts.items()) > MATCH_LIMIT:
        return [("replace", i1, i2, j1, j2)]
    matcher = SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    for tag, p1, p2, q1, q2 in matcher.get_opcodes():
        a1 = old_paragraphs[p1][0] if p1 < p2 else (old_paragraphs[p1][0] if p1 < len(old_paragraphs) else i2)
        a2 = old_paragraphs[p2 - 1][1] if p1 < p2 else a1
        b1 = new_paragraphs[q1][0] if q1 < q2 else (new_paragraphs[q1][0] if q1 < len(new_paragraphs) else j2)
        b2 = new_paragraphs[q2 - 1][1] if q1 < q2 else b1
        if tag == "equal":
            found.append(("equal", a1, a2, b1, b2))
        elif tag == "replace" and (a2 - a1) * (b2 - b1) <= MATCH_LIMIT:
            inner = SequenceMatcher(None, before[a1:a2], after[b1:b2], autojunk=False).get_opcodes()
            found += [(op, a1 + x1, a1 + x2, b1 + y1, b1 + y2) for op, x1, x2, y1, y2 in inner]
        else:
            found.append((tag, a1, a2, b1, b2))
    return found
