"""The register as a SQLite database to publish with Datasette (`jnap export sqlite`).

Each record table holds the records jnap's JSON gives (`jnap list`, `jnap plans`, `jnap glossary`), a list
as a JSON array; `links` holds every `continues` and `builds_on` link once, one row each, so that a link
can be joined and followed either way (`links_both_ways`). Foreign keys tie `actions` to `plans` and both
ends of a link to `actions`; full-text indexes are made as Datasette looks for them (sqlite-utils'
`enable_fts`: `actions_fts`, FTS5 over the content table), so that Datasette shows a search box.

The database is built in memory and returned as the bytes of a SQLite file (`database`): the caller writes
them through the one atomic writer. sqlite-utils is imported here, when a database is built, never on a
command's way to start.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from jnap_cli.files.database import MARKER_KEY, MARKER_PREFIX, MARKER_TABLE
from jnap_cli.model.vocab import ActionField, RelationKind

if TYPE_CHECKING:
    from jnap_cli.model.schema import Register
    from jnap_cli.model.terms import Glossary

Record = dict[str, Any]

# The columns of `actions`: every field of an action's record but `provenance`, the same for every action
# (it goes to `_metadata` and to Datasette's column descriptions).
ACTION_COLUMNS: tuple[str, ...] = tuple(f.value for f in ActionField if f is not ActionField.PROVENANCE)
LIST_COLUMNS = frozenset({"continues", "continued_by", "builds_on", "built_on_by", "references"})
INTEGER_COLUMNS = frozenset({"number", "as_of"})
SEARCHED = ("text", "commentary", "theme")  # what `jnap search` searches
GLOSSARY_SEARCHED = ("term", "expansion", "description", "aliases")

# The reverse of each kind of link, as an action's record names it.
REVERSE = {RelationKind.CONTINUES.value: "continued_by", RelationKind.BUILDS_ON.value: "built_on_by"}

LINKS_BOTH_WAYS = f"""select from_id as action_id, kind as relation, to_id as other_id, reason from links
union all
select to_id, case kind {" ".join(f"when '{k}' then '{r}'" for k, r in REVERSE.items())} end, from_id, reason
from links"""  # noqa: S608 -- the values are the vocabulary's, not input

THEMES = """select plan, theme, count(*) as actions, json_group_array(id) as ids from actions
group by plan, theme order by min(rowid)"""


def database(register: Register, glossary: Glossary, *, version: str) -> bytes:
    """The SQLite file of `register` and `glossary`, as bytes; `_metadata` records the register's title,
    source, publication and as-of years, and that jnap `version` wrote it."""
    import sqlite3

    import sqlite_utils

    connection = sqlite3.connect(":memory:")
    try:
        db = sqlite_utils.Database(connection)
        _plans(db, register)
        _actions(db, register)
        _links(db, register)
        _glossary(db, glossary)
        db.index_foreign_keys()
        db.create_view("links_both_ways", LINKS_BOTH_WAYS)
        db.create_view("themes", THEMES)
        db.table(MARKER_TABLE).insert_all(
            ({"key": k, "value": v} for k, v in metadata_rows(register, f"{MARKER_PREFIX}{version}").items()),
            pk="key",
            not_null=["key", "value"],
        )
        connection.execute("vacuum")  # a compact file: the FTS index leaves free pages behind
        return connection.serialize()
    finally:
        connection.close()


def _plans(db: Any, register: Register) -> None:
    db["plans"].create(
        {"id": str, "title": str, "year": int, "as_of": int, "commentary_source": str}
        | {"title_from": str, "year_from": str},
        pk="id",
        not_null=["id", "title", "year"],
    )
    rows = (
        {
            "id": plan.id,
            "title": plan.title,
            "year": plan.year,
            "as_of": plan.commentary_as_of,
            "commentary_source": plan.commentary_source,
            "title_from": plan.title_from.value if plan.title_from else None,
            "year_from": plan.year_from.value if plan.year_from else None,
        }
        for plan in register.plans
    )
    db["plans"].insert_all(rows)


def action_rows(register: Register) -> list[Record]:
    """Each action's record (as `jnap list --format json` gives it), its lists as JSON text."""
    from jnap_cli.query.records import records

    return [
        {name: _cell(name, record[name]) for name in ACTION_COLUMNS} for record in records(register, register.actions)
    ]


def _cell(name: str, value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if name in LIST_COLUMNS else value


def _actions(db: Any, register: Register) -> None:
    columns = {name: int if name in INTEGER_COLUMNS else str for name in ACTION_COLUMNS}
    not_null = ["id", "plan", "number", "theme", "text", "commentary", "status", "status_evidence", *LIST_COLUMNS]
    db["actions"].create(columns, pk="id", not_null=not_null, foreign_keys=[("plan", "plans", "id")])
    db["actions"].insert_all(action_rows(register))
    db["actions"].enable_fts(list(SEARCHED), fts_version="FTS5", tokenize="porter")


def _links(db: Any, register: Register) -> None:
    from jnap_cli.query.graph import edges

    db["links"].create(
        {"from_id": str, "kind": str, "to_id": str, "reason": str},
        not_null=["from_id", "kind", "to_id", "reason"],
        foreign_keys=[("from_id", "actions", "id"), ("to_id", "actions", "id")],
    )
    rows = ({"from_id": e.source, "kind": e.kind.value, "to_id": e.target, "reason": e.reason} for e in edges(register))
    db["links"].insert_all(rows)


def _glossary(db: Any, glossary: Glossary) -> None:
    """Every field of an entry, as `jnap glossary --format json` gives it (a list as a JSON array)."""
    import dataclasses
    import enum

    from jnap_cli.model.terms import Term

    names = [field.name for field in dataclasses.fields(Term)]

    def cell(value: Any) -> Any:
        if isinstance(value, tuple):
            return json.dumps(list(value), ensure_ascii=False)
        return value.value if isinstance(value, enum.Enum) else value

    db["glossary"].create(dict.fromkeys(names, str), pk="term", not_null=names)
    db["glossary"].insert_all({name: cell(getattr(entry, name)) for name in names} for entry in glossary.terms)
    db["glossary"].enable_fts(list(GLOSSARY_SEARCHED), fts_version="FTS5", tokenize="porter")


def metadata_rows(register: Register, generator: str) -> dict[str, str]:
    """What `_metadata` holds, key by key: the register's own words (no licence: a register has none)."""
    from jnap_cli.query.records import PROVENANCE

    rows = {"title": register.title, "source": register.source}
    if register.publication is not None:
        rows |= {"publication": register.publication.title, "publication_year": str(register.publication.year)}
    as_of = {plan.id: plan.commentary_as_of for plan in register.plans}
    rows |= {"as_of": json.dumps(as_of), "provenance": json.dumps(PROVENANCE), MARKER_KEY: generator}
    return rows


def datasette_metadata(register: Register, name: str) -> Record:
    """Datasette's metadata for the database `name` (the file's name without `.db`): the title, source,
    description and as-of years, and for each table what it is, its columns and its facets."""
    from jnap_cli.query.records import PROVENANCE

    as_of = "; ".join(
        f"{plan.title} ({plan.id}): {plan.commentary_as_of}" for plan in register.plans if plan.commentary_as_of
    )
    description = (
        "Every action of the register, with its status, the evidence for it and the links between actions. "
        "A status is the register's reading of the plan's commentary, as of the year that commentary speaks for"
        + (f": {as_of}." if as_of else ".")
    )
    origin = {"annex": "the annex's words", "register": "the register's judgement", "derived": "from other rows"}
    described = {field: origin[kind] for kind, fields in PROVENANCE.items() for field in fields}
    metadata: Record = {"title": register.title, "description": description, "source": register.source}
    metadata["databases"] = {
        name: {
            "tables": {
                "actions": {
                    "description": "One row per action; a list is a JSON array. Search: text, commentary, theme.",
                    "facets": ["plan", "theme", "status", "status_basis"],
                    "columns": {column: described[column] for column in ACTION_COLUMNS if column in described},
                },
                "plans": {
                    "description": "The plans; as_of is the year each plan's commentary speaks for.",
                    "label_column": "title",
                },
                "links": {
                    "description": "Each continues and builds_on link: from_id continues (builds on) to_id.",
                    "facets": ["kind"],
                },
                "links_both_ways": {
                    "description": "Each link from both of its ends: action_id continues, continued_by, "
                    "builds_on or built_on_by other_id.",
                },
                "themes": {"description": "The themes of each plan, with their actions."},
                "glossary": {"description": "The plan's acronyms and terms of art; aliases is a JSON array."},
                "_metadata": {"description": "The register's title, source, publication and as-of years."},
            }
        }
    }
    return metadata
