"""Full-text search over a register's actions: pure, no printing.

Matching. Case and accents are ignored ("resume" finds "résumé", "strasse" finds "Straße"), curly and
straight quotes and apostrophes are the same, and so are the dashes and the hyphen. Every word of the
query must occur in the searched fields (each word may occur in a different field). A word matches at
the start of a word in the text: "prosecut" finds "prosecution", "cut" does not. A "quoted phrase"
matches its words in order, whatever whitespace separates them in the text. With a glossary, a word or
phrase that is a glossary term, expansion or alias (compared whole, without prefix matching) finds any
of that entry's forms instead, as whole words with an optional plural "s": "ISVA" finds "Independent
Sexual Violence Advisors", and "EA" finds "Early Advice" but not "each". Consecutive query words that
together form a glossary form are taken as that phrase. With `regex=True` the whole query is one
Python regular expression, matched case-insensitively (but not accent-insensitively) against the
original text. Runs of whitespace in the text (line breaks, non-breaking spaces) count as one space.

Ranking:
    Each query term scores, in each field, the field's weight times its occurrences there (at most 3);
    theme weighs 3, text 2, commentary 1. A query of two or more terms earns a bonus of twice the
    weight of the heaviest field that contains all of them. Higher scores come first; equal scores
    keep the register's order.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jnap_cli.errors import NoMatch, UsageError
from jnap_cli.text import PUNCTUATION, fold, match_form

if TYPE_CHECKING:
    from jnap_cli.model.schema import Action, Glossary, Register

FIELD_WEIGHTS: dict[str, int] = {"theme": 3, "text": 2, "commentary": 1}
DEFAULT_FIELDS: tuple[str, ...] = ("text", "commentary", "theme")
MAX_COUNTED = 3  # occurrences of one term in one field that count towards the score
ALL_TERMS_BONUS = 2  # times the weight of the heaviest field holding every term
SNIPPET_WIDTH = 120
ELLIPSIS = "…"

_CONTEXT_BEFORE = 40  # characters of the snippet kept before the first match
_LONGEST_GLOSSARY_PHRASE = 8  # words; bounds the search for glossary phrases in a query
_WORD = re.compile(r"\w+(?:['’&-]\w+)*")
_WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True)
class Hit:
    """One action that matched: its score, and a snippet of the field that shows the match best."""

    action: Action
    score: float
    field: str  # the field the snippet comes from
    snippet: str  # about 120 characters of the original text, whitespace collapsed, "…" where cut
    spans: tuple[tuple[int, int], ...]  # (start, end) of every match inside `snippet`, for highlighting


def search(
    register: Register,
    query: str,
    *,
    fields: Sequence[str] = DEFAULT_FIELDS,
    regex: bool = False,
    glossary: Glossary | None = None,
) -> list[Hit]:
    """The actions matching `query` in `fields`, best first (see the module docstring for the rules).

    Raises `UsageError` for a blank query, an unknown field or an invalid regular expression.
    """
    chosen = _check_fields(fields)
    terms = [_compile_regex(query)] if regex else _compile_terms(_parse(query), glossary)
    with _time_limit(REGEX_SECONDS if regex else None):
        hits = [hit for action in register.actions if (hit := _match(action, terms, chosen)) is not None]
    # sorted() is stable: equal scores keep register order.
    return sorted(hits, key=lambda hit: -hit.score)


def find(
    register: Register,
    query: str,
    *,
    fields: Sequence[str] = DEFAULT_FIELDS,
    regex: bool = False,
    glossary: Glossary | None = None,
    plan: str | None = None,
    limit: int | None = None,
) -> list[Hit]:
    """`jnap search`: the best `limit` hits in `plan` (every plan when None).

    Raises `NoMatch`, with the closest words of the register as suggestions, when nothing matches.
    """
    from jnap_cli.query.select import check_plan

    plan_id = check_plan(register, plan)
    hits = search(register, query, fields=fields, regex=regex, glossary=glossary)
    hits = [hit for hit in hits if plan_id is None or hit.action.plan == plan_id][:limit]
    if not hits:
        close = [] if regex else suggest(register, query, glossary=glossary)
        raise NoMatch(f"no actions match {query!r}" + (f"; did you mean {', '.join(close)}?" if close else ""))
    return hits


def hit_records(register: Register, hits: Sequence[Hit]) -> list[dict[str, Any]]:
    """Each hit's action record with its `score`, `matched` field and `snippet`."""
    from jnap_cli.query.records import records

    rows = records(register, [hit.action for hit in hits])
    for row, hit in zip(rows, hits, strict=True):
        row.update({"score": hit.score, "matched": hit.field, "snippet": hit.snippet})
    return rows


def suggest(register: Register, query: str, limit: int = 5, *, glossary: Glossary | None = None) -> list[str]:
    """Words and glossary terms of the register close to the query's words that occur nowhere in it.

    For "soteira" → ["Soteria"]. Each suggestion is spelt as the register (or glossary) spells it.
    """
    import difflib

    vocabulary = _vocabulary(register, glossary)
    words = [word for chunk in _parse(query) for word in chunk.words]
    # The whole query against multi-word glossary forms, then each missing word against everything.
    wanted = [(" ".join(words), [key for key in vocabulary if " " in key])] if len(words) > 1 else []
    wanted += [(word, list(vocabulary)) for word in words if not any(key.startswith(word) for key in vocabulary)]
    found: dict[str, None] = {}
    for word, keys in wanted:
        for key in difflib.get_close_matches(word, keys, n=limit, cutoff=0.7):
            if key != word:
                found.setdefault(vocabulary[key], None)
    return list(found)[:limit]


# --- the query -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    """A query word, or the words of a quoted phrase, in match form."""

    words: tuple[str, ...]
    quoted: bool


@dataclass(frozen=True)
class _Term:
    """One thing that must match: a compiled pattern run on folded (or, for a regex, original) text."""

    pattern: re.Pattern[str]
    on_folded: bool = True


def _parse(query: str) -> list[_Chunk]:
    """Words and "quoted phrases" of the query; an unclosed quote runs to the end."""
    if not query.strip():
        raise UsageError("empty search query", "give at least one word to search for")
    normal = fold(query).translate(PUNCTUATION)
    chunks: list[_Chunk] = []
    position = 0
    for quoted in re.finditer(r'"([^"]*)(?:"|$)', normal):
        chunks += [_Chunk((word,), quoted=False) for word in normal[position : quoted.start()].split()]
        if phrase := tuple(quoted.group(1).split()):
            chunks.append(_Chunk(phrase, quoted=True))
        position = quoted.end()
    chunks += [_Chunk((word,), quoted=False) for word in normal[position:].split()]
    if not chunks:
        raise UsageError("empty search query", "give at least one word to search for")
    return chunks


def _compile_terms(chunks: list[_Chunk], glossary: Glossary | None) -> list[_Term]:
    terms = []
    index = 0
    while index < len(chunks):
        chunk = chunks[index]
        forms: list[str] = []
        if glossary is not None:
            chunk, forms, index = _glossary_chunk(chunks, index, glossary)
        else:
            index += 1
        if forms:
            # `forms` includes the query's own form.
            alternatives = {_pattern(tuple(form.split()), whole=True) for form in map(match_form, forms)}
            # Longest first, so that "Independent Sexual Violence Advisors" wins over a shorter form.
            body = "|".join(f"(?:{alt})" for alt in sorted(alternatives, key=lambda alt: (-len(alt), alt)))
        else:
            body = _pattern(chunk.words, whole=False)
        terms.append(_Term(re.compile(body)))
    return terms


def _glossary_chunk(chunks: list[_Chunk], index: int, glossary: Glossary) -> tuple[_Chunk, list[str], int]:
    """The chunk at `index`, widened to the longest run of plain words that is a glossary form, and its synonyms."""
    from jnap_cli.query.glossary import synonyms

    chunk = chunks[index]
    if chunk.quoted:
        return chunk, synonyms(glossary, " ".join(chunk.words)), index + 1
    end = index
    while end < len(chunks) and not chunks[end].quoted and end - index < _LONGEST_GLOSSARY_PHRASE:
        end += 1
    for stop in range(end, index, -1):
        words = tuple(word for part in chunks[index:stop] for word in part.words)
        forms = synonyms(glossary, " ".join(words))
        if forms:
            return _Chunk(words, quoted=stop - index > 1), forms, stop
    return chunk, [], index + 1


def _pattern(words: tuple[str, ...], *, whole: bool) -> str:
    """Words in sequence, the first at a word start; `whole` also ends at a word end (after a plural s)."""
    body = r"\s+".join(re.escape(word) for word in words)
    if _WORD_CHAR.match(words[0][0]):
        body = r"(?<!\w)" + body
    if whole and _WORD_CHAR.match(words[-1][-1]):
        body += r"s?(?!\w)"
    return body


REGEX_SECONDS = 3.0  # a user's regular expression may backtrack exponentially: (a+)+$


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Stop the search with a usage error after `seconds` (on the main thread of a Unix process)."""
    import signal
    import threading

    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if seconds is None or not usable:
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _TooSlow:
        raise UsageError(
            f"the regular expression did not finish within {seconds:g} s",
            "simplify it: nested repeats such as (a+)+ backtrack exponentially",
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _TooSlow(Exception):
    """Raised by the alarm inside a regular-expression search."""


def _compile_regex(query: str) -> _Term:
    if not query.strip():
        raise UsageError("empty search query", "give a regular expression to search for")
    try:
        pattern = re.compile(query, re.IGNORECASE)
    except re.error as exc:
        raise UsageError(f"invalid regular expression: {exc}", "fix the pattern, or search without --regex") from None
    except (OverflowError, RecursionError):
        raise UsageError("invalid regular expression: too large or too deeply nested", "simplify it") from None
    return _Term(pattern, on_folded=False)


def _check_fields(fields: Sequence[str]) -> tuple[str, ...]:
    chosen = (fields,) if isinstance(fields, str) else tuple(dict.fromkeys(fields))
    for name in chosen:
        if name not in FIELD_WEIGHTS:
            known = ", ".join(FIELD_WEIGHTS)
            raise UsageError(f"cannot search field {name!r}", f"choose from {known}")
    if not chosen:
        raise UsageError("no fields to search", f"choose from {', '.join(FIELD_WEIGHTS)}")
    return chosen


# --- the text ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    """A field's text with whitespace collapsed, its folded form, and where each folded character came from."""

    text: str
    folded: str
    origin: tuple[int, ...]  # origin[j]: index in `text` of the character that folded[j] comes from


@functools.lru_cache(maxsize=1024)
def _prepare(raw: str) -> _Prepared:
    text = " ".join(raw.split())
    parts: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = fold(char).translate(PUNCTUATION)  # may be longer ("ß" → "ss") or empty (a combining accent)
        parts.append(folded)
        origin.extend([index] * len(folded))
    return _Prepared(text, "".join(parts), tuple(origin))


def _original_span(prepared: _Prepared, start: int, end: int) -> tuple[int, int]:
    """The span of `text` whose folding covers folded[start:end], whole characters and their accents."""
    origin = prepared.origin
    if end >= len(origin):
        return origin[start], len(prepared.text)
    if origin[end] == origin[end - 1]:  # the match ends inside one character's folding, like half of "ß"
        return origin[start], origin[end - 1] + 1
    return origin[start], origin[end]


def _find(term: _Term, prepared: _Prepared) -> list[tuple[int, int]]:
    """Non-empty matches of `term`, as spans of the collapsed original text."""
    if not term.on_folded:
        return [match.span() for match in term.pattern.finditer(prepared.text) if match.end() > match.start()]
    return [
        _original_span(prepared, match.start(), match.end())
        for match in term.pattern.finditer(prepared.folded)
        if match.end() > match.start()
    ]


def _match(action: Action, terms: list[_Term], fields: tuple[str, ...]) -> Hit | None:
    prepared = {name: _prepare(getattr(action, name)) for name in fields}
    found = {name: [_find(term, prepared[name]) for term in terms] for name in fields}
    if not all(any(found[name][i] for name in fields) for i in range(len(terms))):
        return None
    score = sum(FIELD_WEIGHTS[name] * min(len(spans), MAX_COUNTED) for name in fields for spans in found[name])
    if len(terms) > 1:
        complete = [FIELD_WEIGHTS[name] for name in fields if all(found[name])]
        score += ALL_TERMS_BONUS * max(complete, default=0)
    # The snippet's field: the one matching the most terms, the heavier on a tie.
    field = max(
        (name for name in fields if any(found[name])),
        key=lambda name: (sum(1 for spans in found[name] if spans), FIELD_WEIGHTS[name]),
    )
    snippet, spans = _snippet(prepared[field].text, _merge([span for spans in found[field] for span in spans]))
    return Hit(action=action, score=float(score), field=field, snippet=snippet, spans=spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _snippet(text: str, spans: list[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """About `SNIPPET_WIDTH` characters of `text` around the first span, cut at spaces, and the spans within it."""
    first_start, first_end = spans[0]
    start, end = 0, len(text)
    if len(text) > SNIPPET_WIDTH:
        start = max(0, min(first_start - _CONTEXT_BEFORE, len(text) - SNIPPET_WIDTH))
        if first_end - start > SNIPPET_WIDTH:  # a match longer than the window: start with it
            start = first_start
        end = min(len(text), start + SNIPPET_WIDTH)
        if start > 0 and text[start - 1] != " ":
            cut = text.find(" ", start, first_start)
            start = start if cut == -1 else cut + 1
        if end < len(text) and text[end] != " ":
            cut = text.rfind(" ", first_end, end)
            end = end if cut == -1 else cut
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    offset = len(prefix) - start
    inside = tuple((max(s, start) + offset, min(e, end) + offset) for s, e in spans if s < end and e > start)
    return f"{prefix}{text[start:end]}{suffix}", inside


def _vocabulary(register: Register, glossary: Glossary | None) -> dict[str, str]:
    """Match form → the spelling most used in the register (first seen on a tie), then glossary forms."""
    counts: dict[str, dict[str, int]] = {}
    for action in register.actions:
        for name in FIELD_WEIGHTS:
            for word in _WORD.findall(getattr(action, name)):
                if any(char.isalpha() for char in word):
                    spellings = counts.setdefault(match_form(word), {})
                    spellings[word] = spellings.get(word, 0) + 1
    vocabulary = {key: max(spellings, key=lambda spelling: spellings[spelling]) for key, spellings in counts.items()}
    if glossary is not None:
        for entry in glossary.terms:
            for form in (entry.term, *entry.aliases):
                vocabulary.setdefault(match_form(form), form)
    return vocabulary
