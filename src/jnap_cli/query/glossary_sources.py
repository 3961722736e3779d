"""What makes a glossary entry sourced: the rules the loader holds every entry to, over the annex's text.

An entry says where its expansion and description come from (`source`). From the annex: its `quotes`
are the annex's words, word for word (whitespace runs aside, as `status_evidence` is found in a
commentary), and its expansion is in them. From a named public source: a title and an https address.
Either way every term and alias is a form the annex uses (or its singular), forms it never uses go in
`other_forms`, and no form names two entries, so that a lookup or a search phrase has one meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jnap_cli.model.vocab import TermSource
from jnap_cli.text import hyphens_as_spaces, match_form, squash

if TYPE_CHECKING:
    from collections.abc import Iterator

    from jnap_cli.model.terms import Glossary, Term


@dataclass(frozen=True)
class Problem:
    """One unsourced or ambiguous part of an entry: entry `index` (from 0), the `key` at fault, and why."""

    index: int
    key: str
    message: str


def key(text: str) -> str:
    """How glossary forms compare: `match_form`, and a hyphen between words is a space (as search reads it)."""
    return hyphens_as_spaces(match_form(text))


def problems(glossary: Glossary, annex: str | None) -> list[Problem]:
    """Every problem of every entry, in file order; `annex` is the annex's text (None: no annex named)."""
    found: list[Problem] = []
    annex_form = key(annex) if annex is not None else None
    annex_words = squash(annex) if annex is not None else None
    owners: dict[str, int] = {}
    for index, entry in enumerate(glossary.terms):
        found.extend(_source(index, entry, annex_words))
        if annex_form is not None:
            found.extend(_annex_forms(index, entry, annex_form))
        found.extend(_shared_forms(index, entry, glossary, owners))
    return found


def _source(index: int, entry: Term, annex: str | None) -> Iterator[Problem]:
    if entry.source is TermSource.ANNEX:
        if not entry.quotes:
            yield Problem(index, "quotes", "source 'annex' needs quotes: the annex's words the entry rests on")
        elif not any(key(entry.expansion) in key(quote) for quote in entry.quotes):
            yield Problem(index, "expansion", f"expansion {entry.expansion!r} is in none of the entry's quotes")
        for field in ("cited_title", "cited_url"):
            if getattr(entry, field):
                yield Problem(index, field, f"{field} is for source 'cited'; this entry's source is 'annex'")
    else:
        for field, what in (("cited_title", "the source's title"), ("cited_url", "its https:// address")):
            if not getattr(entry, field).strip():
                yield Problem(index, field, f"source 'cited' needs {field}: {what}")
    if entry.quotes and annex is None:
        yield Problem(index, "quotes", "quotes need the annex: name its text with `annex = PATH` at the top")
    elif annex is not None:
        for number, quote in enumerate(entry.quotes, 1):
            if squash(quote) not in annex:
                yield Problem(index, f"quotes[{number}]", f"{_short(quote)} is not word for word in the annex")


def _annex_forms(index: int, entry: Term, annex: str) -> Iterator[Problem]:
    """The term and aliases are forms the annex uses: whole words, a plural `s` allowed after them."""
    for field, form in (("term", entry.term), *(("aliases", alias) for alias in entry.aliases)):
        if not re.search(rf"(?<!\w){re.escape(key(form))}s?(?!\w)", annex):
            yield Problem(index, field, f"{form!r} is not a form the annex uses; put it in other_forms")


def _shared_forms(index: int, entry: Term, glossary: Glossary, owners: dict[str, int]) -> Iterator[Problem]:
    """A form (term, expansion, alias or other form) that an earlier entry has too."""
    fields = (
        ("term", (entry.term,)),
        ("expansion", (entry.expansion,)),
        ("aliases", entry.aliases),
        ("other_forms", entry.other_forms),
    )
    for field, forms in fields:
        for form in forms:
            owner = owners.setdefault(key(form), index)
            if owner != index:
                named = glossary.terms[owner].term
                yield Problem(index, field, f"{form!r} is already a form of entry {owner + 1} ({named!r})")


def _short(text: str, limit: int = 60) -> str:
    """`text` quoted, cut to about `limit` characters."""
    return repr(text if len(text) <= limit else text[: limit - 1].rstrip() + "…")
