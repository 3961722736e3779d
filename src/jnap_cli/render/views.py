"""A view per record kind: its fields, the columns a table shows by default, and how each column lays out.

The renderer takes a view and records and knows nothing of the domain; the fields of each view are
the documented JSON keys of that kind of record.
"""

from __future__ import annotations

from dataclasses import dataclass

from jnap_cli.model.vocab import STATUSES, ActionField


@dataclass(frozen=True)
class View:
    """How one kind of record is shown.

    `summary` is what tabular formats (table, csv, tsv, markdown) show unless `--fields` says
    otherwise; json and jsonl carry every field. `wide` columns are prose that wraps and shares the
    width; `medium` columns wrap within a cap; the rest keep their natural width. `ids` are the fields
    that `--format ids` prints, the first non-empty one per record. `blocks`: a table shows one
    labelled block per record, every field (`jnap show`). `atomic` columns hold comma-separated items
    that a table breaks only between items ("3 ongoing" never splits from its count). `marks`: a field
    whose value maps groups to fields (a provenance), which a block shows as a mark on each field of a
    group in `MARKS`, with a key, rather than as a line.
    """

    name: str
    fields: tuple[str, ...]
    summary: tuple[str, ...]
    wide: frozenset[str] = frozenset()
    medium: frozenset[str] = frozenset()
    ids: tuple[str, ...] = ("id",)
    blocks: bool = False
    atomic: frozenset[str] = frozenset()
    marks: str | None = None

    def with_fields(self, name: str, extra: tuple[str, ...], summary: tuple[str, ...]) -> View:
        """This view with more fields (a search hit is an action with a score and a snippet)."""
        return View(name, (*self.fields, *extra), summary, self.wide | {"snippet"}, self.medium, self.ids)


_PROSE = frozenset({"text", "commentary", "status_evidence", "handed_to", "waits_on"})
_LISTS = frozenset({"continues", "continued_by", "builds_on", "built_on_by", "references", "provenance"})

ACTION = View(
    "action",
    fields=tuple(field.value for field in ActionField),
    summary=("id", "plan", "theme", "status", "text"),
    wide=_PROSE,
    medium=frozenset({"theme"}) | _LISTS,
)
ACTION_DETAIL = View(
    "action", ACTION.fields, ACTION.fields, ACTION.wide, ACTION.medium, blocks=True, marks="provenance"
)

# How a block marks the fields of a provenance group, and what the mark means: the annex's words, or
# the register's judgement of them (docs/keeping.md, "Provenance"); derived fields are not marked.
MARKS = {"annex": ("ᵃ", "the annex's words"), "register": ("ʳ", "the register's judgement")}
# How a table marks a plan's title or year that the register supplies; the annex's are left unmarked.
SUPPLIED = ("ʳ", "supplied by the register, not printed in the annex")
# A field's name in words, where capitalising the key is not enough.
LABELS = {"id": "ID", "as_of": "As of"}


def label(name: str) -> str:
    """A field's name as a block labels it: `status_evidence` → `Status evidence`."""
    return LABELS.get(name, name.replace("_", " ").capitalize())


SEARCH_HIT = ACTION.with_fields("search hit", ("score", "matched", "snippet"), ("id", "status", "theme", "snippet"))
_PLAN_NOTES = ("commentary_source", "introduction", "provenance")
# A plan's table marks the title and year the register supplies (the annex does not print them).
PLAN = View(
    "plan",
    fields=(*("id", "title", "year", "as_of", "actions", "by_status"), *STATUSES, *_PLAN_NOTES),
    summary=("id", "title", "year", "as_of", "actions", "by_status", "provenance"),
    wide=frozenset({"title", "by_status", "commentary_source", "introduction"}),
    medium=frozenset({"provenance"}),
    atomic=frozenset({"by_status"}),
    marks="provenance",
)
THEME = View(
    "theme",
    fields=("plan", "theme", "actions", "ids"),
    summary=("plan", "theme", "actions"),
    medium=frozenset({"theme", "ids"}),
    ids=("ids",),
)
TERM = View(
    "glossary term",
    fields=(
        "term",
        "expansion",
        "description",
        "source",
        "aliases",
        "other_forms",
        "quotes",
        "cited_title",
        "cited_url",
    ),
    summary=("term", "expansion", "description", "source"),
    wide=frozenset({"description", "quotes"}),
    # A term is a phrase ("Joint Rape Improvement Group").
    medium=frozenset({"term", "expansion", "aliases", "other_forms", "cited_title", "cited_url"}),
    ids=("term",),
)
FINDING = View(
    "finding",
    fields=("code", "severity", "message", "action", "field", "file", "line"),
    summary=("file", "line", "action", "field", "severity", "code", "message"),
    wide=frozenset({"message"}),
    medium=frozenset({"file", "field"}),
    ids=("action",),
)
VERSION_CHANGE = View(
    "version change",
    fields=("change", "id", "old_id", "field", "old", "new"),
    summary=("change", "id", "old_id", "field", "old", "new"),
    wide=frozenset({"old", "new"}),
    ids=("id",),
)
PLAN_RELATION = View(
    "plan relation",
    fields=("relation", "old_id", "new_id", "old_status", "new_status", "old_as_of", "new_as_of", "similarity"),
    summary=("relation", "old_id", "new_id", "old_status", "new_status", "old_as_of", "new_as_of", "similarity"),
    ids=("new_id", "old_id"),
)

VIEWS: tuple[View, ...] = (ACTION, ACTION_DETAIL, SEARCH_HIT, PLAN, THEME, TERM, FINDING, VERSION_CHANGE, PLAN_RELATION)


def counts_view(keys: tuple[str, ...]) -> View:
    """A one-record view of summary counts (`--stat`)."""
    return View("counts", keys, keys, ids=())


HISTORY = View(
    "history",
    fields=("commit", "date", "author", "subject", "change", "field", "old", "new", "note"),
    summary=("commit", "date", "author", "field", "old", "new"),
    wide=frozenset({"old", "new"}),
    medium=frozenset({"subject", "note"}),
    ids=("commit",),
)
TALLY = View(
    "tally",
    fields=("scope", "plan", "theme", "total", *STATUSES, "share", "ids"),
    summary=("scope", "plan", "theme", "total", *STATUSES, "share"),
    wide=frozenset({"theme"}),
    medium=frozenset({"ids"}),
    ids=("ids",),
)
STATUS_CHANGE = View(
    "status change",
    fields=("plan", "from", "to", "count", "regression", "ids"),
    summary=("plan", "from", "to", "count", "regression", "ids"),
    medium=frozenset({"ids"}),
    ids=("ids",),
)
EDGE = View(
    "relation",
    fields=("source", "target", "kind", "reason"),
    summary=("source", "target", "kind", "reason"),
    wide=frozenset({"reason"}),
    ids=("ends",),  # not a field: the records of `jnap graph` carry both ends for `--format ids`
)
VIEWS = (*VIEWS, HISTORY, TALLY, STATUS_CHANGE, EDGE)
