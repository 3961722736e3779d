"""Progress at a glance: how many actions are in each status, per plan and per theme, and what moved.

Pure: no I/O, no printing. `tallies` counts; `tally_records` is the documented JSON shape of
`jnap stats` (the status changes since a version, `jnap stats --since`, are `diff.status`'s).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jnap_cli.model.vocab import Status

if TYPE_CHECKING:
    from jnap_cli.model.schema import Action, Register

Record = dict[str, Any]


def status_counts(actions: Iterable[Action]) -> dict[Status, int]:
    """How many of `actions` are in each status: every status in vocabulary order, zeros included."""
    counts = dict.fromkeys(Status, 0)
    for action in actions:
        counts[action.status] += 1
    return counts


@dataclass(frozen=True)
class Tally:
    """The status counts of one plan (`scope` "plan", `theme` None) or of one theme of a plan (`scope` "theme");
    `ids` are the actions counted, in register order."""

    scope: str
    plan: str
    theme: str | None
    counts: Mapping[Status, int]
    ids: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        """How many actions the row counts."""
        return sum(self.counts.values())

    @property
    def complete(self) -> int:
        """How many of them are complete."""
        return self.counts.get(Status.COMPLETE, 0)

    @property
    def share(self) -> float:
        """The completed share, 0–1 (0.0 when the row counts no action)."""
        return self.complete / self.total if self.total else 0.0


def tallies(register: Register, actions: Sequence[Action] | None = None) -> list[Tally]:
    """Each plan's tally followed by its themes' tallies (themes in the order they first appear).

    `actions` is the selection to count (the filters of `jnap list`), all of the register's when None.
    With a selection, only the plans that have a selected action get rows; without one, every plan does
    (a register just made by `jnap init` shows its plans with zeros).
    """
    chosen = register.actions if actions is None else actions
    by_plan: dict[str, dict[str, list[Action]]] = {}
    for action in chosen:
        by_plan.setdefault(action.plan, {}).setdefault(action.theme, []).append(action)
    rows: list[Tally] = []
    for plan in register.plans:
        themes = by_plan.get(plan.id)
        if themes is None and actions is not None:
            continue
        members = [a for a in chosen if a.plan == plan.id]
        rows.append(Tally("plan", plan.id, None, status_counts(members), tuple(a.id for a in members)))
        rows.extend(
            Tally("theme", plan.id, theme, status_counts(group), tuple(a.id for a in group))
            for theme, group in (themes or {}).items()
        )
    return rows


def tally_record(tally: Tally) -> Record:
    """A tally as the record `jnap stats` prints: counts by status, total, the completed share (0–1, to
    four places) and the ids counted."""
    record: Record = {"scope": tally.scope, "plan": tally.plan, "theme": tally.theme, "total": tally.total}
    record.update({status.value: tally.counts.get(status, 0) for status in Status})
    record["share"] = round(tally.share, 4)
    record["ids"] = list(tally.ids)
    return record


def tally_records(rows: Sequence[Tally]) -> list[Record]:
    """What `jnap stats --format json` prints: one record per tally."""
    return [tally_record(tally) for tally in rows]
