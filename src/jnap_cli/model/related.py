"""What an action's record needs from the rest of its register: its links in reverse, and as-of years.

Worked out once per register (`Related.of`), or stored with it by the cache.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jnap_cli.model.schema import Action, Plan


@dataclass(frozen=True)
class Related:
    """What an action's record needs from the rest of the register: links in reverse, and as-of years."""

    continued_by: Mapping[str, Sequence[str]]
    built_on_by: Mapping[str, Sequence[str]]
    as_of: Mapping[str, int | None]  # plan id → the year its commentary speaks for

    @classmethod
    def of(cls, actions: Iterable[Action], plans: Iterable[Plan]) -> Related:
        continued: dict[str, list[str]] = {}
        built: dict[str, list[str]] = {}
        for action in actions:
            for target in action.continues:
                continued.setdefault(target, []).append(action.id)
            for link in action.builds_on:
                built.setdefault(link.id, []).append(action.id)
        return cls(continued, built, {plan.id: plan.commentary_as_of for plan in plans})
