"""The status changes between two versions of a register, summed per plan (`jnap stats --since REV`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jnap_cli.diff.versions import diff_versions

if TYPE_CHECKING:
    from jnap_cli.model.schema import Register

Record = dict[str, Any]


@dataclass(frozen=True)
class StatusChange:
    """How many actions of `plan` went from status `old` to `new` (a move out of complete is a regression)."""

    plan: str
    old: str
    new: str
    count: int
    regression: bool
    ids: tuple[str, ...]


def status_changes(old: Register, new: Register, ids: Collection[str] | None = None) -> list[StatusChange]:
    """The version diff's status transitions from `old` to `new`, summed per plan of `new`; only those of
    the actions (by id in `new`) in `ids` when given (the filters of `jnap list` on the current register).

    Plans in `new`'s order (then any plan only an action names); within a plan, the transitions in the
    version diff's order (vocabulary order of the old status, then of the new).
    """
    plan_of = {action.id: action.plan for action in new.actions}
    order = {plan.id: n for n, plan in enumerate(new.plans)}
    changes: list[StatusChange] = []
    for transition in diff_versions(old, new).transitions:
        ids_by_plan: dict[str, list[str]] = {}
        for action_id in transition.ids:
            if ids is not None and action_id not in ids:
                continue
            ids_by_plan.setdefault(plan_of[action_id], []).append(action_id)
        changes.extend(
            StatusChange(plan, transition.old, transition.new, len(ids), transition.regression, tuple(ids))
            for plan, ids in ids_by_plan.items()
        )
    # sorted() is stable: within a plan the transitions keep the diff's order.
    return sorted(changes, key=lambda change: order.get(change.plan, len(order)))


def change_records(changes: Sequence[StatusChange]) -> list[Record]:
    """What `jnap stats --since REV --format json` prints: one record per (plan, from, to)."""
    return [
        {
            "plan": change.plan,
            "from": change.old,
            "to": change.new,
            "count": change.count,
            "regression": change.regression,
            "ids": list(change.ids),
        }
        for change in changes
    ]
