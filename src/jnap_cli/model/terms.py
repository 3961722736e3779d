"""The glossary as plain frozen dataclasses: pure data, no I/O, no pydantic.

Apart from the register's (`model.schema`) so that a command that reads no glossary (a look-up, a
listing) does not build its classes: each frozen dataclass costs about half a millisecond at import.
"""

from __future__ import annotations

from dataclasses import dataclass

from jnap_cli.model.vocab import TermSource


@dataclass(frozen=True, slots=True)
class Term:
    """One glossary entry: a name the annex uses, what it stands for, what it means, and where that comes from.

    `aliases` are other forms the annex uses; `other_forms` are forms it never uses, kept only so that
    lookup and search find the entry by them. `source` says where the expansion and description come
    from: the annex, whose words `quotes` gives word for word, or a named public source (`cited_title`
    at `cited_url`), in which case `quotes` shows where the annex uses the name.
    """

    term: str
    expansion: str
    description: str
    aliases: tuple[str, ...] = ()
    # The file must say (`validation.Term`); a Term built in code is the annex's unless it says otherwise.
    source: TermSource = TermSource.ANNEX
    other_forms: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    cited_title: str = ""
    cited_url: str = ""

    @property
    def forms(self) -> tuple[str, ...]:
        """The term, its expansion, its aliases and other forms: every way a reader may write it."""
        return (self.term, self.expansion, *self.aliases, *self.other_forms)


@dataclass(frozen=True, slots=True)
class Glossary:
    """The whole glossary, in file order, and the annex its quotes are checked against.

    `annex` is the path of the annex's text, relative to the glossary file (empty: none named).
    """

    terms: tuple[Term, ...]
    annex: str = ""
