"""Actions, plans and themes as records: the stable, documented JSON shapes every output format carries.

The one place where an action becomes a dict (`action_record`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jnap_cli.model.vocab import STATUSES
from jnap_cli.query.select import check_plan

if TYPE_CHECKING:
    from jnap_cli.model.schema import Action, Register

Record = dict[str, Any]


def continued_by(register: Register) -> dict[str, list[str]]:
    """Reverse of `continues`: original id → the refresh activities that carry it on."""
    reverse: dict[str, list[str]] = {}
    for action in register.actions:
        for target in action.continues:
            reverse.setdefault(target, []).append(action.id)
    return reverse


def action_record(action: Action, reverse: Mapping[str, Sequence[str]] | None = None) -> Record:
    """An action's record; `continued_by` is filled in from `reverse` (see `continued_by`), or left out."""
    record: Record = {
        "id": action.id,
        "plan": action.plan,
        "number": action.number,
        "theme": action.theme,
        "text": action.text,
        "commentary": action.commentary,
        "status": action.status.value,
        "status_evidence": action.status_evidence,
        "continues": list(action.continues),
    }
    if reverse is not None:
        record["continued_by"] = list(reverse.get(action.id, ()))
    record["references"] = list(action.references)
    record["annex_marker"] = action.annex_marker
    return record


def records(register: Register, actions: Iterable[Action]) -> list[Record]:
    """The records of `actions`, with `continued_by` filled in from the whole register."""
    reverse = continued_by(register)
    return [action_record(action, reverse) for action in actions]


def plan_records(register: Register) -> list[Record]:
    """Each plan with its action count and how many actions are in each status."""
    rows = []
    for plan in register.plans:
        counts = Counter(a.status.value for a in register.actions if a.plan == plan.id)
        row: Record = {"id": plan.id, "title": plan.title, "year": plan.year, "actions": sum(counts.values())}
        row["by_status"] = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts.get(s))
        row.update({status: counts.get(status, 0) for status in STATUSES})
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
