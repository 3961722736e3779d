"""Full-text search over a register's actions: pure, no printing.

Matching. Case and accents are ignored ("resume" finds "résumé", "strasse" finds "Straße"), curly and
straight quotes and apostrophes are the same, and so are the dashes and the hyphen. A hyphen or dash
between two word characters counts as a space, in the query and in the text alike, so "third-party",
"third–party" and "third party" are the same words; a hyphenated query word matches as a phrase of its
parts. Every word of the query must occur in the searched fields (each word may occur in a different
field). A word matches at the start of a word in the text: "prosecut" finds "prosecution", "cut" does
not. A "quoted phrase" matches its words in order, whatever whitespace separates them in the text.

With a glossary, a word or phrase that is a glossary term, expansion or alias (compared whole, without
prefix matching) finds any of that entry's forms instead, as whole words with an optional plural "s":
"ISVA" finds "Independent Sexual Violence Advisors", and "EA" finds "Early Advice" but not "each".
Consecutive query words that together form a glossary form are taken as that phrase. A run of query
words that occurs, as whole words in order, inside a form of several words (usually the expansion)
finds that entry's forms too, as well as what its words find without the glossary: "independent sexual
violence" also finds "ISVA". Such a run needs at least two words that are not stop words (`STOP_WORDS`),
so that "violence" alone, or "and serious", expands to nothing. The longest run wins.

With `regex=True` the whole query is one Python regular expression, matched case-insensitively (but
not accent-insensitively) against the original text. Runs of whitespace in the text (line breaks,
non-breaking spaces) count as one space.

Ranking: each rule decides only between actions that the rules before it leave equal.
    1. Every word of the query matches somewhere (see Matching); an action that misses one is no hit.
    2. The query as typed: an action holding the whole query as the user typed it (its words whole, a
       plural "s" allowed, in order and next to each other) ranks above one that does not, by the
       heaviest field holding it: text, then theme, then commentary. A glossary form (acronym,
       expansion, alias) or the start of a longer word is not the query as typed.
    3. Of those holding it in the same field, one whose field begins with it ranks first.
    4. The score: each query term earns, in each field, the field's weight (text 3, theme 2,
       commentary 1) for each of its first 3 occurrences there, or half that for an occurrence that
       is only another glossary form of it or the start of a longer word. Two or more terms earn twice
       the weight of the heaviest field holding all of them. A common word on its own (`STOP_WORDS`)
       must match but earns nothing and counts for no term. A run of query words that stands for
       part of a glossary form counts as that many terms. Higher scores come first.
    5. Equal actions keep the register's order.
With `regex=True` every match is as typed: rule 2 takes the heaviest field with a match. Rule 2 puts
the user's words ahead of their glossary forms and, as Meilisearch's proximity rule does, words
together ahead of the same words apart. The text outweighs the theme, which an action shares with the
others of its theme and so cannot tell them apart. The snippet comes from the action's own words
(text, commentary) when they match: the field holding the query as typed, else the one matching the
most terms (the heavier on a tie).

Suggestions, when nothing matches, are only plausible corrections (see `plausible`).

Cost: each field is folded once, and each term and the query as typed are looked for in it in time
linear in its length (a user's regular expression aside); little is kept beyond the text and one
folded copy of it: the score needs only the first few occurrences of a term, and the snippet only the
matches near the first.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import itertools
import re
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jnap_cli.errors import NoMatch, UsageError
from jnap_cli.text import PUNCTUATION, TOKEN, edit_distance, fold, fold_char, hyphens_as_spaces, match_form

if TYPE_CHECKING:
    from jnap_cli.model.related import Related
    from jnap_cli.model.schema import Action, Register
    from jnap_cli.model.terms import Glossary

FIELD_WEIGHTS: dict[str, int] = {"theme": 2, "text": 3, "commentary": 1}  # an action's own words first
DEFAULT_FIELDS: tuple[str, ...] = ("text", "commentary", "theme")
MAX_COUNTED = 3  # occurrences of one term in one field that count towards the score
ALL_TERMS_BONUS = 2  # times the weight of the heaviest field holding every term
SNIPPET_WIDTH = 120
ELLIPSIS = "…"

# Common English words: never offered as a correction, and not enough to make a glossary phrase.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a about after all also am an and any are as at be because been being both but by can could did do
    does each for from had has have he her here his how i if in into is it its me more my no nor not of
    on one only or other our ours out over she should so some such than that the their them then there
    these they this those to too up us was we were what when where which while who why will with would
    you your
    """.split()  # noqa: SIM905 (a list of words reads best as words)
)
SIMILARITY = 0.75  # at least, for a suggestion to a word of five letters or more (1 − edits / length)

_CONTEXT_BEFORE = 40  # characters of the snippet kept before the first match
_LONGEST_GLOSSARY_PHRASE = 8  # words; bounds the search for glossary phrases in a query
_MIN_GLOSSARY_WORDS = 2  # words other than stop words, for part of a glossary form to stand for it
_WORD = re.compile(r"\w+(?:['’&-]\w+)*")
_WORD_CHAR = re.compile(r"\w")
_SPACE = re.compile(r"\s")
_OTHER_SPACE = re.compile(r"[^\S ]")  # whitespace other than the space
_SPACES = re.compile("  +")
_VOCABULARY_CHUNK = 1 << 20  # characters of text read at a time for the vocabulary


@dataclass(frozen=True)
class Hit:
    """One action that matched: its score, and a snippet of the field that shows the match best."""

    action: Action
    score: float
    field: str  # the field the snippet comes from
    snippet: str  # about 120 characters of the original text, whitespace collapsed, "…" where cut
    spans: tuple[tuple[int, int], ...]  # (start, end) of every match inside `snippet`, for highlighting
    typed: str | None = None  # the heaviest field holding the query as typed, as a phrase (rule 2)
    begins: bool = False  # that field begins with it (rule 3)

    def rank(self) -> tuple[int, bool, float]:
        """The sort key of rules 2 to 4: lower ranks first."""
        return (-FIELD_WEIGHTS[self.typed] if self.typed else 0, not self.begins, -self.score)


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
    compiled = compile_query(query, glossary, regex=regex)
    with _time_limit(REGEX_SECONDS if regex else None):
        hits = [hit for action in register.actions if (hit := match(action, compiled, chosen)) is not None]
    # sorted() is stable: equal actions keep register order (rule 5).
    return sorted(hits, key=Hit.rank)


@dataclass(frozen=True)
class Query:
    """A query compiled once: the terms that must all match, and the query as typed (rule 2)."""

    terms: list[_Term]
    typed: _Term
    words: tuple[str, ...] = ()  # the words as typed, in match form (none for a regular expression)


def compile_query(query: str, glossary: Glossary | None = None, *, regex: bool = False) -> Query:
    """`query` ready to match actions with `match`; raises `UsageError` as `search` does."""
    if regex:
        term = _compile_regex(query)
        return Query([term], term)
    chunks = _parse(query)
    words = tuple(word for chunk in chunks for word in chunk.words)
    return Query(_compile_terms(chunks, glossary), _Term(re.compile(_pattern(words, whole=True))), words)


def match(action: Action, query: Query, fields: tuple[str, ...] = DEFAULT_FIELDS) -> Hit | None:
    """The hit `action` makes for `query` in `fields` (checked names, see `check_fields`), or None."""
    return _match(action, query.terms, query.typed, fields)


def check_fields(fields: Sequence[str]) -> tuple[str, ...]:
    """The fields to search, without repeats; raises `UsageError` for an unknown field or none."""
    return _check_fields(fields)


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
        raise no_match(register, query, regex=regex, glossary=glossary)
    return hits


def no_match(register: Register, query: str, *, regex: bool = False, glossary: Glossary | None = None) -> NoMatch:
    """The error `find` raises when nothing matches: with the closest words of the register, if any."""
    close = [] if regex else suggest(register, query, glossary=glossary)
    return NoMatch(f"no actions match {query!r}" + (f"; did you mean {', '.join(close)}?" if close else ""))


def hit_records(register: Register, hits: Sequence[Hit], related: Related | None = None) -> list[dict[str, Any]]:
    """Each hit's action record with its `score`, `matched` field and `snippet`.

    `related` gives the links in reverse when `register` holds only some of the actions (the index's candidates).
    """
    from jnap_cli.query.records import records

    rows = records(register, [hit.action for hit in hits], related)
    for row, hit in zip(rows, hits, strict=True):
        row.update({"score": hit.score, "matched": hit.field, "snippet": hit.snippet})
    return rows


def suggest(register: Register, query: str, limit: int = 5, *, glossary: Glossary | None = None) -> list[str]:
    """Words and glossary terms of the register close to the query's words that occur nowhere in it.

    For "soteira" → ["Soteria"]. Each suggestion is spelt as the register (or glossary) spells it, and
    is a plausible correction (`plausible`); "phone" gets none rather than "one". Closest first.
    """
    vocabulary = _vocabulary(register, glossary)
    words = [word for chunk in _parse(query) for word in chunk.words]
    # The whole query against multi-word forms, then each missing word against everything.
    wanted = [(" ".join(words), [key for key in vocabulary if " " in key])] if len(words) > 1 else []
    wanted += [(word, list(vocabulary)) for word in words if not any(key.startswith(word) for key in vocabulary)]
    found: dict[str, None] = {}
    for word, keys in wanted:
        scored = [(score, key) for key in keys if (score := plausible(word, key)) is not None]
        # sorted() is stable: equally close words keep the register's order.
        for _score, key in sorted(scored, key=lambda pair: -pair[0])[:limit]:
            found.setdefault(vocabulary[key], None)
    return list(found)[:limit]


def plausible(word: str, candidate: str) -> float | None:
    """How close `candidate` is to `word` (1 − edits / the longer length), if it is a plausible correction; else None.

    A correction is never the word itself nor a stop word. A word of three letters or fewer gets none;
    one of four letters only a word of the same length one edit away (a letter changed, or two
    neighbours swapped: "isav" → "isva"); a longer one any word at least `SIMILARITY` alike, where
    swapping two neighbours counts as one edit ("soteira" → "soteria" is 0.86, "phone" → "one" 0.6).
    """
    if len(word) <= 3 or candidate == word or candidate in STOP_WORDS:
        return None
    longest = max(len(word), len(candidate))
    if len(word) == 4:
        if len(candidate) != 4 or edit_distance(word, candidate, limit=1) > 1:
            return None
        return 1 - 1 / longest
    allowed = int(longest * (1 - SIMILARITY) + 1e-9)
    edits = edit_distance(word, candidate, limit=allowed)
    return 1 - edits / longest if edits <= allowed else None


# --- the query -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    """A query word (a hyphenated one as its parts), or the words of a quoted phrase, in match form."""

    words: tuple[str, ...]
    quoted: bool


@dataclass(frozen=True)
class _Term:
    """One thing that must match: a compiled pattern run on folded (or, for a regex, original) text."""

    pattern: re.Pattern[str]
    on_folded: bool = True
    # Part of a glossary form: when `pattern` matches in no field, these terms (its words) all must, instead.
    otherwise: tuple[_Term, ...] = ()
    weight: int = 1  # the query terms it stands for, each scoring as if it had matched
    # The words the user typed for it, whole: a match that holds them scores in full, any other (the start of
    # a longer word, another glossary form) half. None: every match is as typed (a regular expression).
    typed: re.Pattern[str] | None = None
    scores: bool = True  # False for a common word (`STOP_WORDS`) on its own
    forms: tuple[tuple[str, ...], ...] = ()  # the words `pattern` matches, any one form of them (for the index)


def _parse(query: str) -> list[_Chunk]:
    """Words and "quoted phrases" of the query; an unclosed quote runs to the end."""
    if not query.strip():
        raise UsageError("empty search query", "give at least one word to search for")
    normal = fold(query).translate(PUNCTUATION)
    chunks: list[_Chunk] = []
    position = 0
    for quoted in re.finditer(r'"([^"]*)(?:"|$)', normal):
        chunks += _plain_chunks(normal[position : quoted.start()])
        if phrase := tuple(hyphens_as_spaces(quoted.group(1)).split()):
            chunks.append(_Chunk(phrase, quoted=True))
        position = quoted.end()
    chunks += _plain_chunks(normal[position:])
    if not chunks:
        raise UsageError("empty search query", "give at least one word to search for")
    return chunks


def _plain_chunks(text: str) -> list[_Chunk]:
    """Each word of unquoted query text; a hyphenated word is a phrase of its parts ("third-party")."""
    return [_Chunk(tuple(hyphens_as_spaces(word).split()), quoted=False) for word in text.split()]


def _compile_terms(chunks: list[_Chunk], glossary: Glossary | None) -> list[_Term]:
    entries = _glossary_entries(glossary) if glossary is not None else []
    terms: list[_Term] = []
    index = 0
    while index < len(chunks):
        stop, expansion = _glossary_run(chunks, index, entries)
        plain = [_word_term(chunk) for chunk in chunks[index:stop]]
        if expansion is None:
            terms += plain
        else:
            alternatives = {_pattern(form, whole=True) for form in expansion.forms}
            # Longest first, so that "Independent Sexual Violence Advisors" wins over a shorter form.
            body = "|".join(f"(?:{alt})" for alt in sorted(alternatives, key=lambda alt: (-len(alt), alt)))
            forms = tuple(sorted(expansion.forms))
            words = tuple(word for chunk in chunks[index:stop] for word in chunk.words)
            typed = re.compile(_pattern(words, whole=True))
            if expansion.exact:
                terms.append(_Term(re.compile(body), forms=forms, typed=typed))
            else:
                # Part of a form ranks as its words would: a match of the whole never ranks below scattered words.
                terms.append(
                    _Term(re.compile(body), otherwise=tuple(plain), weight=len(plain), forms=forms, typed=typed)
                )
        index = stop
    return terms


def _word_term(chunk: _Chunk) -> _Term:
    """A query word or quoted phrase without the glossary: found at word starts, in full when whole."""
    return _Term(
        re.compile(_pattern(chunk.words, whole=False)),
        forms=(chunk.words,),
        typed=re.compile(_pattern(chunk.words, whole=True)),
        scores=not (len(chunk.words) == 1 and chunk.words[0] in STOP_WORDS),
    )


@dataclass(frozen=True)
class _Expansion:
    """What the glossary makes of a run of query words: the forms it stands for, as words."""

    forms: frozenset[tuple[str, ...]]  # including the run's own words
    exact: bool  # the run is a form itself, not just part of one


def _glossary_entries(glossary: Glossary) -> list[frozenset[tuple[str, ...]]]:
    """Each entry's forms, each as its words in match form (hyphens between words made spaces)."""
    return [frozenset(_words(form) for form in entry.forms) for entry in glossary.terms]


def _words(text: str) -> tuple[str, ...]:
    return tuple(hyphens_as_spaces(match_form(text)).split())


def _glossary_run(
    chunks: list[_Chunk], index: int, entries: list[frozenset[tuple[str, ...]]]
) -> tuple[int, _Expansion | None]:
    """The end of the longest run of chunks from `index` that the glossary knows, and what it stands for.

    A quoted phrase stands alone; plain words may run together. A run the glossary does not know is
    the chunk at `index` alone.
    """
    end = index + 1
    if entries and not chunks[index].quoted:
        while end < len(chunks) and not chunks[end].quoted and end - index < _LONGEST_GLOSSARY_PHRASE:
            end += 1
    for stop in range(end, index, -1):
        words = tuple(word for chunk in chunks[index:stop] for word in chunk.words)
        if (expansion := _expand(words, entries)) is not None:
            return stop, expansion
    return index + 1, None


def _expand(words: tuple[str, ...], entries: list[frozenset[tuple[str, ...]]]) -> _Expansion | None:
    """The forms of the entries that `words` name exactly; else of those with a form containing them."""
    named = [forms for forms in entries if words in forms]
    if named:
        return _Expansion(frozenset().union(*named), exact=True)
    if sum(word not in STOP_WORDS for word in words) < _MIN_GLOSSARY_WORDS:
        return None
    size = len(words)
    containing = [
        forms
        for forms in entries
        if any(form[start : start + size] == words for form in forms for start in range(len(form) - size + 1))
    ]
    if containing:
        return _Expansion(frozenset([words]).union(*containing), exact=False)
    return None


def _pattern(words: tuple[str, ...], *, whole: bool) -> str:
    """Words in sequence, the first at a word start; `whole` also ends at a word end (after a plural s)."""
    first = re.escape(words[0])
    if _WORD_CHAR.match(words[0][0]):
        # At a word start; checked after the word, as a pattern that starts with a look-behind is slow to search for.
        first += rf"(?<!\w{first})"
    body = r"\s+".join([first, *map(re.escape, words[1:])])
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


# --- the index -----------------------------------------------------------------------------------


def index_expression(query: str, glossary: Glossary | None = None) -> str | None:
    """An FTS5 expression that every action matching `query` (with the glossary) matches too.

    The index only narrows the search: its candidates are then matched as `search` matches any action.
    Each query word becomes a phrase of its tokens whose last token is a prefix (a word matches at the
    start of a word in the text), so whatever `search` finds, the index finds. None when the query has
    a word without letters or digits, which the index cannot look up.
    """
    parts = [_term_expression(term) for term in _compile_terms(_parse(query), glossary)]
    return None if None in parts else " AND ".join(part for part in parts if part is not None)


def _term_expression(term: _Term) -> str | None:
    phrases = [_phrase(form) for form in term.forms]
    if not phrases or None in phrases:
        return None
    either = [phrase for phrase in phrases if phrase is not None]
    if term.otherwise:
        words = [_term_expression(word) for word in term.otherwise]
        if None in words:
            return None
        either.append("(" + " AND ".join(word for word in words if word is not None) + ")")
    return "(" + " OR ".join(either) + ")"


@dataclass(frozen=True)
class Counted:
    """A query term the index can bound (`bounds`): one word of one token, looked for at word starts."""

    word: str
    weight: int  # as `_Term.weight`
    scores: bool  # as `_Term.scores`


def bounds(query: Query) -> list[Counted] | None:
    """The terms of `query` as the index counts them, when it can count every one; else None.

    What bounds a hit's rank from the index's tokens (the index path ranks candidates by it and stops
    once no unread one can beat the hits it has): every match of a term is a token beginning with its
    word, and every match as typed is the word whole (a plural "s" allowed), among the field's first
    `MAX_COUNTED`. A field holding the query as typed holds each of its words whole (rule 2), and one
    beginning with it has the first word as its first token (rule 3), unless some character before the
    field's first word character folds to letters ("™" is "tm"), which the cache notes per action. So
    each term of word w scores at most, in each field, its weight × the field's weight × (min(3, tokens
    that are w whole) + min(3, tokens beginning with w)) / 2, and two or more scoring terms earn
    `ALL_TERMS_BONUS` × the heaviest field where every scoring one begins a token. A glossary form, a
    phrase or a word of several tokens is not counted: such a query is ranked by scoring every hit.
    """
    counted: list[Counted] = []
    for term in query.terms:
        if term.otherwise or len(term.forms) != 1 or len(term.forms[0]) != 1 or not _as_indexed(term.forms[0][0]):
            return None
        counted.append(Counted(term.forms[0][0], term.weight, term.scores))
    return counted if counted and query.words and all(TOKEN.fullmatch(word) for word in query.words) else None


def _as_indexed(word: str) -> bool:
    """Whether `word` is one token spelt as the index spells its tokens: lower case. Folding can leave capitals
    ("™" folds to "TM"), which the index's tokenizer lowers: such a word is matched through the index's
    MATCH, not compared with its tokens."""
    return TOKEN.fullmatch(word) is not None and word == word.lower()


def _phrase(words: tuple[str, ...]) -> str | None:
    tokens = [token for word in words for token in TOKEN.findall(word)]
    return f'"{" ".join(tokens)}"*' if tokens else None


# --- the text ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    """A field's text with whitespace collapsed, its folded form, and where each folded character came from.

    Most characters fold to one character, at the same offset as long as none before them did otherwise.
    Only the others are recorded, each with its index in `text`, the index of its folding in `folded`
    and that folding's length ("ß" → "ss" is 2, a combining accent 0): nothing at all for ASCII text.
    """

    text: str
    folded: str
    at_text: Sequence[int] = ()
    at_folded: Sequence[int] = ()
    widths: Sequence[int] = ()

    def origin(self, index: int) -> int:
        """The index in `text` of the character that folded[index] comes from."""
        last = bisect.bisect_right(self.at_folded, index) - 1
        if last < 0:
            return index
        start, width = self.at_folded[last], self.widths[last]
        if index < start + width:
            return self.at_text[last]
        return self.at_text[last] + 1 + index - (start + width)


@functools.lru_cache(maxsize=1024)
def _prepare(raw: str) -> _Prepared:
    text = _SPACES.sub(" ", _OTHER_SPACE.sub(" ", raw)).strip(" ")  # as " ".join(raw.split()), without the list
    if text.isascii():
        return _Prepared(text, hyphens_as_spaces(text.lower()))
    table = {ord(char): fold_char(char) for char in set(text)}
    folded = hyphens_as_spaces(text.translate(table))
    odd = [chr(code) for code, folding in table.items() if len(folding) != 1]
    if not odd:
        return _Prepared(text, folded)
    at_text, at_folded, widths = array("I"), array("I"), array("I")
    shift = 0  # len(folded) - len(text) so far
    for found in re.finditer(f"[{''.join(map(re.escape, odd))}]", text):
        width = len(table[ord(found.group())])
        at_text.append(found.start())
        at_folded.append(found.start() + shift)
        widths.append(width)
        shift += width - 1
    return _Prepared(text, folded, at_text, at_folded, widths)


def _original_span(prepared: _Prepared, start: int, end: int) -> tuple[int, int]:
    """The span of `text` whose folding covers folded[start:end], whole characters and their accents."""
    if end >= len(prepared.folded):
        return prepared.origin(start), len(prepared.text)
    last = prepared.origin(end - 1)
    after = prepared.origin(end)
    if after == last:  # the match ends inside one character's folding, like half of "ß"
        return prepared.origin(start), last + 1
    return prepared.origin(start), after


def _find(term: _Term, prepared: _Prepared) -> Iterator[tuple[int, int]]:
    """Non-empty matches of `term`, as spans of the collapsed original text, in order, found as they are read."""
    return (_span(term, prepared, match) for match in _found(term, prepared))


def _found(term: _Term, prepared: _Prepared) -> Iterator[re.Match[str]]:
    """Non-empty matches of `term` in the text it runs on (folded, or the original for a regex)."""
    target = prepared.folded if term.on_folded else prepared.text
    return (match for match in term.pattern.finditer(target) if match.end() > match.start())


def _span(term: _Term, prepared: _Prepared, match: re.Match[str]) -> tuple[int, int]:
    if not term.on_folded or not prepared.at_folded:  # the folding is one to one: no need to map
        return match.span()
    return _original_span(prepared, match.start(), match.end())


def _as_typed(term: _Term, match: re.Match[str]) -> bool:
    """Whether `match` holds the words the user typed for `term`, whole (a plural "s" allowed)."""
    if term.typed is None:
        return True
    # Starting inside the match ("sexual violence" in "independent sexual violence advisers"), ending at
    # most a plural "s" after it; one more character lets the pattern see that the word ends there.
    found = term.typed.search(match.string, match.start(), match.end() + 2)
    return found is not None and found.start() < match.end() and found.end() <= match.end() + 1


class _Matches:
    """The matches of one term in one field, read lazily: the first few for the score, more for the snippet."""

    def __init__(self, term: _Term, prepared: _Prepared) -> None:
        found = _found(term, prepared)
        first = list(itertools.islice(found, MAX_COUNTED))  # what the score counts
        self.first = [_span(term, prepared, match) for match in first]
        self.points = sum(1.0 if _as_typed(term, match) else 0.5 for match in first) if first else 0.0
        self._rest = (_span(term, prepared, match) for match in found) if len(first) == MAX_COUNTED else iter(())

    def __bool__(self) -> bool:
        return bool(self.first)

    def starting_before(self, limit: int) -> list[tuple[int, int]]:
        """The matches that start before `limit` (call once: it reads on from the first few)."""
        spans = [span for span in self.first if span[0] < limit]
        if len(spans) == len(self.first):
            spans += itertools.takewhile(lambda span: span[0] < limit, self._rest)
        return spans


def _match(action: Action, terms: list[_Term], typed: _Term, fields: tuple[str, ...]) -> Hit | None:
    prepared = {name: _prepare(getattr(action, name)) for name in fields}
    # One column per term (a glossary phrase's words, when it gives way to them), one cell per field.
    columns: list[dict[str, _Matches]] = []
    counted: list[_Term] = []  # the term each column scores as
    for term in terms:
        column = {name: _Matches(term, prepared[name]) for name in fields}
        if any(column.values()):
            columns.append(column)
            counted.append(term)
            continue
        words = [{name: _Matches(word, prepared[name]) for name in fields} for word in term.otherwise]
        if not words or not all(any(cells.values()) for cells in words):
            return None
        columns += words
        counted += term.otherwise
    # Common words must match, but neither score nor say where the snippet comes from.
    scoring = [(column, term) for column, term in zip(columns, counted, strict=True) if term.scores]
    score = sum(FIELD_WEIGHTS[name] * column[name].points * term.weight for column, term in scoring for name in fields)
    if sum(term.weight for _column, term in scoring) > 1:
        complete = [FIELD_WEIGHTS[name] for name in fields if all(column[name] for column, _term in scoring)]
        score += ALL_TERMS_BONUS * max(complete, default=0)
    # Rules 2 and 3: the heaviest field holding the query as typed (which only a field matching every term
    # can), and whether it begins that field.
    phrase = next(
        (
            (name, not _WORD_CHAR.search(prepared[name].text, 0, span[0]))
            for name in sorted(fields, key=lambda name: -FIELD_WEIGHTS[name])
            if all(column[name] for column in columns) and (span := next(_find(typed, prepared[name]), None))
        ),
        None,
    )
    chosen = _snippet_field([column for column, _term in scoring] or columns, fields, phrase[0] if phrase else None)
    snippet, inside = _located(prepared[chosen].text, [column[chosen] for column in columns])
    return Hit(
        action=action,
        score=float(score),
        field=chosen,
        snippet=snippet,
        spans=inside,
        typed=phrase[0] if phrase else None,
        begins=phrase[1] if phrase else False,
    )


def _located(text: str, cells: list[_Matches]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The snippet of `text` (collapsed) around the first of the matches `cells` hold, and the spans within it."""
    # The snippet shows at most SNIPPET_WIDTH characters from before the first match: later ones are not needed.
    limit = min(cell.first[0][0] for cell in cells if cell) + SNIPPET_WIDTH
    spans = [span for cell in cells for span in cell.starting_before(limit)]
    return _snippet(text, _merge(spans))


def ranked_hit(
    action: Action, query: Query, matching: tuple[str, ...], typed: str | None, begins: bool, score: float
) -> Hit | None:
    """The hit `match` makes, for a query of one word (`bounds`) whose rank the index worked out: the
    fields it matches in (`fields` order), rules 2 and 3, and the score. Only the snippet is found here,
    in the field `match` would take it from; None if the word is not there after all (a changed cache)."""
    own = [name for name in matching if name != "theme"] or list(matching)
    if not own:
        return None
    # As `_snippet_field` with one column: the field holding the word as typed, else the heaviest.
    chosen = typed if typed in own else max(own, key=FIELD_WEIGHTS.__getitem__)
    prepared = _prepare(getattr(action, chosen))
    cell = _Matches(query.terms[0], prepared)
    if not cell:
        return None
    snippet, inside = _located(prepared.text, [cell])
    return Hit(action, score, chosen, snippet, inside, typed, begins)


def _snippet_field(columns: list[dict[str, _Matches]], fields: tuple[str, ...], typed: str | None) -> str:
    """The field the snippet comes from: the action's own words (text, commentary) before the theme it shares
    with others; of those, the one holding the query as typed, else the one matching most of `columns`, the
    heavier on a tie."""
    matching = [name for name in fields if any(column[name] for column in columns)]
    own = [name for name in matching if name != "theme"] or matching
    if typed in own:
        return typed
    return max(own, key=lambda name: (sum(1 for column in columns if column[name]), FIELD_WEIGHTS[name]))


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
    """Match form → the spelling most used in the register (first seen on a tie), then glossary forms.

    A hyphenated word is there whole ("third party", spelt "third-party") and as each of its parts.
    """
    counts: Counter[str] = Counter()
    for action in register.actions:
        for name in FIELD_WEIGHTS:
            _count_words(counts, getattr(action, name))
    spellings: dict[str, dict[str, int]] = {}
    for word, count in counts.items():
        for spelling in dict.fromkeys([word, *word.split("-")]) if "-" in word else (word,):
            if any(char.isalpha() for char in spelling):
                seen = spellings.setdefault(" ".join(_words(spelling)), {})
                seen[spelling] = seen.get(spelling, 0) + count
    vocabulary = {key: max(seen, key=lambda spelling: seen[spelling]) for key, seen in spellings.items()}
    if glossary is not None:
        for entry in glossary.terms:
            for form in (entry.term, *entry.aliases):
                vocabulary.setdefault(" ".join(_words(form)), form)
    return vocabulary


def _count_words(counts: Counter[str], text: str) -> None:
    """Add the words of `text` to `counts`, a chunk at a time so that a long text never makes one huge list."""
    start = 0
    while start < len(text):
        cut = _SPACE.search(text, start + _VOCABULARY_CHUNK) if len(text) - start > _VOCABULARY_CHUNK else None
        end = cut.start() if cut else len(text)
        counts.update(_WORD.findall(text, start, end))
        start = end
