"""The register as plain frozen dataclasses: pure data, no I/O, no pydantic (the glossary's are `model.terms`).

These are what every command works with. `model.validation` checks a parsed TOML document against
the schema (pydantic, strict) and builds them; the cache (`register.cache`) builds them from data it
validated before, so a cache hit imports no validation code at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from jnap_cli.model.vocab import Origin, Status, StatusBasis


@dataclass(frozen=True, slots=True)
class Plan:
    """One of the plans the register covers (the original JNAP, the JNAP Refresh).

    `commentary_as_of` is the year the plan's commentary speaks for ("complete" means complete then);
    `commentary_source` says where that commentary was published; `title_from` and `year_from` whether
    the annex prints the title and year or the register supplies them (None: not said).
    """

    id: str
    title: str
    year: int
    commentary_as_of: int | None = None
    commentary_source: str | None = None
    title_from: Origin | None = None
    year_from: Origin | None = None

    @property
    def provenance(self) -> dict[str, list[str]]:
        """`{"annex": [...], "register": [...]}`: which of `title` and `year` each gives (only those said)."""
        given = {"title": self.title_from, "year": self.year_from}
        return {
            origin.value: [name for name, found in given.items() if found is origin]
            for origin in Origin
            if origin in given.values()
        }


@dataclass(frozen=True, slots=True)
class Introduction:
    """The annex's own sentences before a plan's actions, word for word: what it says that plan is."""

    plan: str
    text: str


@dataclass(frozen=True, slots=True)
class Publication:
    """The publication the register's text is copied from, and where the copy is kept."""

    title: str
    year: int
    text: str  # the path of the copied text, from the register's repository
    introductions: tuple[Introduction, ...] = ()  # in the annex's order


@dataclass(frozen=True, slots=True)
class BuildsOn:
    """A link: this action uses what action `id` delivered (a tool, guidance, finding), and why we say so."""

    id: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Action:
    """One action (original JNAP) or activity (JNAP Refresh), with its commentary and status."""

    id: str
    plan: str
    number: int
    theme: str
    text: str
    status: Status
    # Optional in the schema so that `jnap check` can report a missing commentary as a finding.
    commentary: str = ""
    status_basis: StatusBasis | None = None
    status_evidence: str = ""
    # Words of the commentary: where the work (or a part of it) went, and what an open action waits on.
    handed_to: str | None = None
    waits_on: str | None = None
    continues: tuple[str, ...] = ()
    builds_on: tuple[BuildsOn, ...] = ()
    references: tuple[str, ...] = ()
    annex_marker: str | None = None


@dataclass(frozen=True, slots=True)
class Register:
    """The whole register: metadata, plans and actions in the order the file gives them.

    A register with plans may have no actions yet (a new one, from `jnap init`); the loader refuses one
    with neither.
    """

    title: str
    source: str
    plans: tuple[Plan, ...]
    publication: Publication | None = None
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True, slots=True)
class RegisterPart:
    """One file of a register kept as a directory (`register.directory`): what that file gives.

    Any of a register file's keys, each optional here: the title, source and publication may be in
    another file of the directory, and an action's plan may be defined in another file.
    """

    title: str | None = None
    source: str | None = None
    publication: Publication | None = None
    plans: tuple[Plan, ...] = ()
    actions: tuple[Action, ...] = ()
