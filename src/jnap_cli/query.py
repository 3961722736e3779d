"""Pure selection over a register: resolve ids, filter, sort, and shape actions as records.

A record is the stable, documented JSON shape of an action; every output format carries it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from jnap_cli.errors import UsageError
from jnap_cli.models import STATUSES, Action, Register

Record = dict[str, Any]

#: Every field of an action record, in display order (the JSON keys).
FIELDS: tuple[str, ...] = (
    "id",
    "plan",
    "number",
    "theme",
    "text",
    "commentary",
    "status",
    "status_evidence",
    "continues",
    "continued_by",
    "references",
    "annex_marker",
)
#: What a table of actions shows unless --fields says otherwise.
SUMMARY_FIELDS: tuple[str, ...] = ("id", "plan", "theme", "status", "text")


def continued_by(register: Register) -> dict[str, list[str]]:
    """Reverse of `continues`: original id → the refresh activities that carry it on."""
    reverse: dict[str, list[str]] = {}
    for action in register.actions:
        for target in action.continues:
            reverse.setdefault(target, []).append(action.id)
    return reverse


def records(register: Register, actions: Iterable[Action]) -> list[Record]:
    """The records of `actions`, with `continued_by` filled in from the whole register."""
    reverse = continued_by(register)
    return [
        {
            "id": a.id,
            "plan": a.plan,
            "number": a.number,
            "theme": a.theme,
            "text": a.text,
            "commentary": a.commentary,
            "status": a.status.value,
            "status_evidence": a.status_evidence,
            "continues": list(a.continues),
            "continued_by": reverse.get(a.id, []),
            "references": list(a.references),
            "annex_marker": a.annex_marker,
        }
        for a in actions
    ]


def check_plan(register: Register, plan: str | None) -> str | None:
    """`plan`, if the register has it (case-insensitive); else a usage error listing the plans."""
    if plan is None:
        return None
    for known in register.plans:
        if known.id.casefold() == plan.casefold():
            return known.id
    raise UsageError(f"unknown plan {plan!r}", f"plans: {', '.join(p.id for p in register.plans)}")


def check_statuses(statuses: Iterable[str]) -> list[str]:
    """Statuses, lower-cased and validated against the vocabulary."""
    wanted = [s.strip().casefold() for s in statuses]
    unknown = [s for s in wanted if s not in STATUSES]
    if unknown:
        raise UsageError(f"unknown status {', '.join(map(repr, unknown))}", f"statuses: {', '.join(STATUSES)}")
    return wanted


def select(
    register: Register,
    *,
    plan: str | None = None,
    theme: str | None = None,
    statuses: Sequence[str] = (),
) -> list[Action]:
    """Actions in register order that match every filter given (plan, theme substring, any of statuses)."""
    plan_id = check_plan(register, plan)
    wanted = set(check_statuses(statuses))
    needle = theme.casefold() if theme else None
    return [
        a
        for a in register.actions
        if (plan_id is None or a.plan == plan_id)
        and (needle is None or needle in a.theme.casefold())
        and (not wanted or a.status.value in wanted)
    ]


def resolve(register: Register, wanted: Sequence[str], *, plan: str | None = None) -> list[Action]:
    """Actions named by id (`R4`, `r4`) or, with a plan or where unambiguous, by number (`4`)."""
    plan_id = check_plan(register, plan)
    by_id = {a.id.casefold(): a for a in register.actions}
    found: list[Action] = []
    for raw in wanted:
        key = raw.strip()
        if not key:
            continue
        if key.isascii() and key.isdigit():
            found.append(_by_number(register, int(key), plan_id))
        elif key.casefold() in by_id:
            action = by_id[key.casefold()]
            if plan_id is not None and action.plan != plan_id:
                raise UsageError(f"action {action.id} is in plan {action.plan!r}, not {plan_id!r}")
            found.append(action)
        else:
            raise UsageError(f"no action {key!r}", _closest_ids(register, key, plan_id))
    return found


def _by_number(register: Register, number: int, plan: str | None) -> Action:
    candidates = [a for a in register.actions if a.number == number and (plan is None or a.plan == plan)]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        where = f" in plan {plan!r}" if plan else ""
        raise UsageError(f"no action numbered {number}{where}", "run 'jnap list' to see the ids")
    ids = ", ".join(a.id for a in candidates)
    raise UsageError(f"{number} is ambiguous: {ids}", "give the id, or pick a plan with --plan")


def _closest_ids(register: Register, key: str, plan: str | None) -> str:
    import difflib

    ids = [a.id for a in register.actions if plan is None or a.plan == plan]
    close = difflib.get_close_matches(key.upper(), ids, n=3, cutoff=0.5)
    return f"did you mean {', '.join(close)}?" if close else "run 'jnap list' to see the ids"


_NATURAL = re.compile(r"([0-9]+)")


def _sort_key(value: Any) -> tuple[Any, ...]:
    if value is None:
        return (0, "")
    if isinstance(value, int):
        return (1, value)
    if isinstance(value, list):
        return (2, tuple(_sort_key(v) for v in value))
    parts = _NATURAL.split(str(value).casefold())
    return (3, tuple((int(p), "") if p.isascii() and p.isdigit() else (-1, p) for p in parts))


def sort_records(rows: list[Record], spec: str | None, available: Sequence[str]) -> list[Record]:
    """Sort by `FIELD` or `FIELD:desc` (natural order: R2 before R10); stable, so ties keep register order."""
    if not spec:
        return rows
    name, _, direction = spec.partition(":")
    if name not in available:
        raise UsageError(f"cannot sort by unknown field {name!r}", f"fields: {', '.join(available)}")
    if direction not in ("", "asc", "desc"):
        raise UsageError(f"unknown sort direction {direction!r}", "use FIELD, FIELD:asc or FIELD:desc")
    return sorted(rows, key=lambda row: _sort_key(row.get(name)), reverse=direction == "desc")


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
