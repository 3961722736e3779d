"""Text from a register is untrusted: find and escape the characters that could fool a terminal."""

from __future__ import annotations

import functools
import re
import unicodedata

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
