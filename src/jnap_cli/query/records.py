"""Actions, plans and themes as records: the stable, documented JSON shapes every output format carries.

The one place where an action becomes a dict (`action_record`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from jnap_cli.model.related import Related
from jnap_cli.model.vocab import DERIVED, FROM_ANNEX, JUDGED, ActionField
from jnap_cli.query.select import check_plan

if TYPE_CHECKING:
    from jnap_cli.model.schema import Action, Register

Record = dict[str, Any]


PROVENANCE: dict[str, list[str]] = {
    "annex": list(FROM_ANNEX),
    "register": list(JUDGED),
    "derived": list(DERIVED),
}
"""The `provenance` of every action record: which fields are the annex's words, which the register's judgement."""


def action_record(action: Action, related: Related | None = None) -> Record:
    """An action's record: the fields the file has, and with `related` the derived ones and `provenance`.

    Without `related` (a version diff's added and removed actions) only what the file has.
    """
    stored: Record = {
        "id": action.id,
        "plan": action.plan,
        "number": action.number,
        "theme": action.theme,
        "text": action.text,
        "commentary": action.commentary,
        "status": action.status.value,
        "status_basis": action.status_basis.value if action.status_basis else None,
        "status_evidence": action.status_evidence,
        "handed_to": action.handed_to,
        "waits_on": action.waits_on,
        "continues": list(action.continues),
        "builds_on": [{"id": link.id, "reason": link.reason} for link in action.builds_on],
        "references": list(action.references),
        "annex_marker": action.annex_marker,
    }
    if related is None:
        return stored
    derived = {
        "as_of": related.as_of.get(action.plan),
        "continued_by": list(related.continued_by.get(action.id, ())),
        "built_on_by": list(related.built_on_by.get(action.id, ())),
        "provenance": PROVENANCE,
    }
    merged = {**stored, **derived}
    return {name: merged[name] for name in _FIELD_ORDER}


_FIELD_ORDER = tuple(field.value for field in ActionField)  # the documented order of a record's keys


def records(register: Register, actions: Iterable[Action], related: Related | None = None) -> list[Record]:
    """The records of `actions`, with their derived fields from the whole register (or as `related` gives them)."""
    related = Related.of(register.actions, register.plans) if related is None else related
    return [action_record(action, related) for action in actions]


def plan_records(register: Register) -> list[Record]:
    """Each plan with its action count, how many actions are in each status, as of when (the year its
    commentary speaks for: a status is the status then), and its `provenance`: whether the annex prints
    its title and year or the register supplies them (`{"annex": ["title"], "register": ["year"]}`), and
    the annex's `introduction` to it, word for word (None when the register gives none)."""
    from jnap_cli.query.stats import status_counts  # only `plans` needs it: not on every command's path

    introductions = {i.plan: i.text for i in register.publication.introductions} if register.publication else {}
    rows = []
    for plan in register.plans:
        counts = status_counts(a for a in register.actions if a.plan == plan.id)
        row: Record = {"id": plan.id, "title": plan.title, "year": plan.year, "as_of": plan.commentary_as_of}
        row["actions"] = sum(counts.values())
        row["by_status"] = ", ".join(f"{n} {status.value}" for status, n in counts.items() if n)
        row.update({status.value: n for status, n in counts.items()})
        row.update(commentary_source=plan.commentary_source, introduction=introductions.get(plan.id))
        row["provenance"] = plan.provenance
        rows.append(row)
    return rows


def theme_records(register: Register, plan: str | None = None) -> list[Record]:
    """Each (plan, theme) in register order with its action count and ids."""
    plan_id = check_plan(register, plan)
    seen: dict[tuple[str, str], list[str]] = {}
    for action in register.actions:
        if plan_id is None or action.plan == plan_id:
            seen.setdefault((action.plan, action.theme), []).append(action.id)
    return [{"plan": p, "theme": t, "actions": len(ids), "ids": ids} for (p, t), ids in seen.items()]
