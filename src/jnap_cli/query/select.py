"""Pure selection over a register: resolve ids, filter, sort."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from jnap_cli.errors import UsageError
from jnap_cli.model.vocab import STATUSES
from jnap_cli.text import closest

if TYPE_CHECKING:
    from jnap_cli.model.schema import Action, Register

Record = dict[str, Any]


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
        close = closest(unknown[0], STATUSES) if len(unknown) == 1 else []
        hint = f"did you mean {', '.join(close)}?" if close else f"statuses: {', '.join(STATUSES)}"
        raise UsageError(f"unknown status {', '.join(map(repr, unknown))}", hint)
    return wanted


def check_theme(register: Register, theme: str | None) -> str | None:
    """`theme` folded for matching (a theme matches when it contains it, ignoring case), if some theme of
    the register contains it; else a usage error naming the word it most likely meant."""
    if not theme:
        return None
    needle = theme.casefold()
    themes = dict.fromkeys(action.theme for action in register.actions)
    if any(needle in known.casefold() for known in themes):
        return needle
    words = {word.casefold(): word for known in themes for word in re.findall(r"\w[\w'’-]*", known)}
    close = closest(theme, words)
    hint = f"did you mean {', '.join(map(repr, close))}?" if close else "run 'jnap themes' to see them"
    raise UsageError(f"no theme contains {theme!r}", hint)


def select(
    register: Register,
    *,
    plan: str | None = None,
    theme: str | None = None,
    statuses: Sequence[str] | None = None,
    not_statuses: Sequence[str] | None = None,
    basis: str | None = None,
    handed_off: bool = False,
    waiting: bool = False,
) -> list[Action]:
    """Actions in register order that match every filter given: plan, theme substring, any of `statuses`,
    none of `not_statuses`, the status `basis` (stated, inferred), and with `handed_off` or `waiting`
    only those that say where their work went (`handed_to`) or what they wait on (`waits_on`). Filters
    left out (None, empty or False) keep every action: the options of `list` go in as they are. A theme
    that no theme of the register contains is a usage error (`check_theme`), as an unknown plan or
    status is."""
    keep = matcher(register, plan, theme, statuses, not_statuses, basis, handed_off, waiting)
    check_theme(register, theme)
    return [a for a in register.actions if keep(a)]


def matcher(
    register: Register,
    plan: str | None = None,
    theme: str | None = None,
    statuses: Sequence[str] | None = None,
    not_statuses: Sequence[str] | None = None,
    basis: str | None = None,
    handed_off: bool = False,
    waiting: bool = False,
) -> Callable[[Action], bool]:
    """Whether an action passes the filters of `select`, which are checked against `register` (it needs
    only its plans) except the theme: one that no action's theme contains matches nothing, where
    `select` says so (`check_theme`, which needs every action)."""
    plan_id = check_plan(register, plan)
    wanted = set(check_statuses(statuses or ()))
    unwanted = set(check_statuses(not_statuses or ()))
    needle = theme.casefold() if theme else None

    def keep(a: Action) -> bool:
        return (
            (plan_id is None or a.plan == plan_id)
            and (needle is None or needle in a.theme.casefold())
            and (not wanted or a.status.value in wanted)
            and a.status.value not in unwanted
            and (basis is None or (a.status_basis is not None and a.status_basis.value == basis))
            and (not handed_off or a.handed_to is not None)
            and (not waiting or a.waits_on is not None)
        )

    return keep


def resolve(register: Register, wanted: Sequence[str], *, plan: str | None = None) -> list[Action]:
    """Actions named by id (`R4`, `r4`) or, with a plan or where unambiguous, by number (`4`)."""
    plan_id = check_plan(register, plan)
    by_id = {a.id.casefold(): a for a in register.actions}
    found: list[Action] = []
    for raw in wanted:
        key = raw.strip()
        if not key:
            raise UsageError("an empty id names no action", "give an id such as R4, or a number with --plan")
        if key.isascii() and key.isdigit() and len(key) <= 18:
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
    digits = {char for char in key if char.isdigit()}
    close = [
        found
        for found in difflib.get_close_matches(key.upper(), ids, n=max(len(ids), 1), cutoff=0.5)
        # The number is what tells ids apart: "R" or "1R" is no misspelling of R9, which shares only its letter.
        if (digits & set(found) if digits else not any(char.isdigit() for char in found))
    ][:3]
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
    # Digits compare by length, then as text: the number's order, without int() (no 4,300-digit limit).
    return (3, tuple((len(p.lstrip("0")), p.lstrip("0")) if p.isascii() and p.isdigit() else (-1, p) for p in parts))


def sort_records(rows: list[Record], spec: str | None, available: Sequence[str]) -> list[Record]:
    """Sort by `FIELD` or `FIELD:desc` (natural order: R2 before R10); stable, so ties keep register order."""
    if not spec:
        return rows
    name, _, direction = spec.partition(":")
    if name not in available:
        close = closest(name, available)
        hint = f"did you mean {', '.join(close)}?" if close else f"fields: {', '.join(available)}"
        raise UsageError(f"cannot sort by unknown field {name!r}", hint)
    if direction not in ("", "asc", "desc"):
        raise UsageError(f"unknown sort direction {direction!r}", "use FIELD, FIELD:asc or FIELD:desc")
    return sorted(rows, key=lambda row: _sort_key(row.get(name)), reverse=direction == "desc")
