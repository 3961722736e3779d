"""Text from a register is untrusted: find and escape the characters that could fool a terminal."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

# C0 controls except tab and newline, DEL, C1 controls; bidirectional embeddings, overrides,
# isolates and marks (including the Arabic letter mark); zero-width and invisible characters, the
# line and paragraph separators, the BOM, interlinear annotation controls and tag characters; the
# soft hyphen, combining grapheme joiner, Hangul fillers and variation selectors, which print nothing.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u180e\u3164\uffa0\ufe00-\ufe0f"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000e0000-\U000e007f]"
)


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0xA0 else f"<U+{code:04X}>"


def escape_unsafe(text: str) -> str:
    """Show control, bidi and zero-width characters as visible escapes (`\\x1b`, `<U+202E>`)."""
    return UNSAFE.sub(_escape_char, text)


def one_line(text: str) -> str:
    """`escape_unsafe`, with newlines and tabs as `\\n` and `\\t` too: text quoted inside one line."""
    return escape_unsafe(text).replace("\n", "\\n").replace("\t", "\\t")


def unsafe_characters(text: str) -> list[str]:
    """The unsafe characters in `text`, described (`U+202E RIGHT-TO-LEFT OVERRIDE`), first seen first."""
    seen: dict[str, None] = {}
    for ch in UNSAFE.findall(text):
        seen.setdefault(ch, None)
    return [f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character')}" for ch in seen]


def fold(text: str) -> str:
    """Case- and accent-insensitive form of `text`, for matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# One-to-one, so that positions in folded text map back to the original.
PUNCTUATION = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‛": "'",
        "ʼ": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
    }
)


@functools.lru_cache(maxsize=4096)
def match_form(text: str) -> str:
    """The form in which text is compared: folded (`text.fold`), quotes and dashes made plain, whitespace collapsed."""
    return " ".join(fold(text).translate(PUNCTUATION).split())


# The hyphen first and the look-behind after it: a pattern that starts with a look-behind is tried at every position.
_INNER_HYPHEN = re.compile(r"-(?<=\w-)(?=\w)")


def hyphens_as_spaces(text: str) -> str:
    """`text` (already in match form) with each hyphen between two word characters made a space: "third party".

    One character for one, so that positions still map back to the original.
    """
    return _INNER_HYPHEN.sub(" ", text) if "-" in text else text


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Edits (insert, delete, substitute, or swap two neighbours) that turn `a` into `b`: "soteira" → "soteria" is 1.

    With `limit`, any distance above it is reported as `limit + 1`, which is quicker to find.
    """
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []  # the row two above, for swaps
    above = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        row = [i]
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            best = min(above[j] + 1, row[j - 1] + 1, above[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                best = min(best, before[j - 2] + 1)
            row.append(best)
        if limit is not None and min(row) > limit:
            return limit + 1
        before, above = above, row
    distance = above[-1]
    return distance if limit is None else min(distance, limit + 1)


# A CI log runs a line as a workflow command when it starts with `::` after any spaces (GitHub), or
# holds `##[` or `##vso[` anywhere (GitHub's legacy parser, Azure Pipelines). Any word may start a
# line once text is wrapped, so every word that starts with `::` counts.
# Patterns used on few paths are compiled when first used (`_compiled`): each `re.compile` at import
# costs every run of jnap 0.05–0.3 ms.
_COMMAND_WORD = r"(?m)(?:^|(?<=\s))::"
_LEGACY_COMMAND = r"##(?=\[|vso\[)"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled once, on first use (a look-up after that: `re.sub` pays more, on every line)."""
    return re.compile(pattern)


def defuse_ci(text: str, after_space: bool = True) -> str:
    """`text` with `'` put before each word starting `::` and inside each `##[`, so that no CI log
    reads a workflow command in it (`'::error::`, `#'#[`). `after_space`: the text starts a word."""
    text = _compiled(_LEGACY_COMMAND).sub("#'#", _compiled(_COMMAND_WORD).sub("'::", text))
    return text if after_space or not text.startswith("'::") else text[1:]


def squash(text: str) -> str:
    """`text` with every run of whitespace one space: how a quote is found in a commentary."""
    return " ".join(text.split())


# What GitHub links or notifies in rendered Markdown: `@user`, `@org/team` (a name starts with a letter or a
# digit), `#123`, `user#123`, `org/repo#123` and `GH-123` (GitHub's own filters as published in
# gjtorikian/html-pipeline: MentionFilter, IssueMentionFilter). Matched more widely than GitHub does (any `@`
# before a name, any `#` before a digit), never more narrowly. One pass, so no inserted entity is read again.
_GITHUB_REFERENCE = r"(?i)@(?=[A-Za-z0-9])|#(?=[0-9])|(?<![A-Za-z0-9_])gh-(?=[0-9])"


def defuse_mentions(markdown: str) -> str:
    """Markdown in which GitHub sees no mention or issue reference: `@&#8203;octocat`, `#&#8203;123`,
    `GH-&#8203;123`. The zero-width space leaves GitHub nothing to match and the reader sees the text
    unchanged; written as an entity, the Markdown source stays visible ASCII. Renovate's technique for the
    release notes it quotes in pull requests (renovatebot/renovate lib/util/markdown.ts, `sanitizeMarkdown`)."""
    return _compiled(_GITHUB_REFERENCE).sub(lambda match: match.group() + "&#8203;", markdown)


@functools.lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """`fold` of one character, quotes and dashes made plain: may be longer ("ß" → "ss") or empty (an accent)."""
    return fold(char).translate(PUNCTUATION)


TOKEN = re.compile(r"[^\W_]+")  # what the search index makes a token of: letters and digits


def indexed_text(text: str) -> str:
    r"""A field as the search index stores it: folded as the search matches it (`query.search` folds a
    text the same way, keeping the map back to the original), then its tokens (`TOKEN`, as for the
    query) one space apart.

    Python, not SQLite, says where a token ends: SQLite's tokenizer, on Unicode tables of its own, takes
    some characters that `\w` does not (newer emoji, supplementary private-use characters) for letters,
    which would glue "Pilot🥰Soteria" into one token that "soteria" cannot find.
    """
    if text.isascii():  # where SQLite and Python agree on every character: no need to split here
        return hyphens_as_spaces(text.lower())
    folded = text.translate({ord(char): fold_char(char) for char in set(text)})
    return " ".join(TOKEN.findall(hyphens_as_spaces(folded)))


def unaligned(text: str) -> bool:
    """Whether the index's first token of `text` comes before its first word character: some character
    before it that is not one folds to letters or digits ("™" is "tm")."""
    if text.isascii():
        return False
    first = _WORD_CHARACTER.search(text)
    return TOKEN.search(indexed_text(text[: first.start()] if first else text)) is not None


_WORD_CHARACTER = re.compile(r"\w")


def closest(word: str, choices: Iterable[str], limit: int = 3) -> list[str]:
    """The `choices` a mistyped `word` most likely meant, best first, ignoring case: those it begins
    (`comp` → complete), else the most similar (`complet`, `inprogress`; within a tenth of the best, so
    that `tranferred` suggests transferred and not deferred too); at most `limit`."""
    import difflib

    folded = {option.casefold(): option for option in choices}
    key = word.strip().casefold()
    if key in folded:
        return [folded[key]]
    started = [option for fold, option in folded.items() if len(key) >= 2 and fold.startswith(key)]
    if started:
        return started[:limit]
    scored = sorted(((difflib.SequenceMatcher(None, key, fold).ratio(), fold) for fold in folded), reverse=True)
    best = scored[0][0] if scored else 0.0
    return [folded[fold] for ratio, fold in scored if ratio >= max(0.6, best - 0.1)][:limit]


def plural(n: int, noun: str) -> str:
    """`1 link`, `2 links`: a count with its noun, as every summary line says it."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
