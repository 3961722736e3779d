"""The relations between actions as a graph: `continues` and `builds_on` links as directed edges.

Pure: no I/O, no printing. An edge points from the action that continues (or builds on) to the
action it continues (or builds on): `R4 → O23` reads "R4 continues O23".
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jnap_cli.errors import UsageError
from jnap_cli.model.vocab import RelationKind

if TYPE_CHECKING:
    from jnap_cli.model.schema import Register

Record = dict[str, Any]


@dataclass(frozen=True)
class Edge:
    """`source` continues (or builds on) `target`; `reason` is the builds-on link's reason ("" for continues)."""

    source: str
    target: str
    kind: RelationKind
    reason: str = ""


def edges(register: Register, ids: Collection[str] | None = None) -> list[Edge]:
    """Every link whose two ends are in `ids` (all links when None), in register order of the source
    action, each action's `continues` links before its `builds_on` links, each in the file's order."""
    keep = None if ids is None else set(ids)
    found: list[Edge] = []
    for action in register.actions:
        links = [Edge(action.id, target, RelationKind.CONTINUES) for target in action.continues]
        links += [Edge(action.id, link.id, RelationKind.BUILDS_ON, link.reason) for link in action.builds_on]
        found.extend(e for e in links if keep is None or (e.source in keep and e.target in keep))
    return found


def around(register: Register, action_id: str, depth: int) -> set[str]:
    """The ids within `depth` links of `action_id` (itself included), following links either way.

    `action_id` is resolved as `jnap show` resolves an id (any case, or a number where unambiguous);
    an unknown one is a usage error suggesting the closest ids.
    """
    from jnap_cli.query.select import resolve

    if depth < 0:
        raise UsageError(f"--depth must be 0 or more, not {depth}", "--depth 1 shows the action's direct links")
    (start,) = resolve(register, [action_id])
    neighbours: dict[str, set[str]] = {}
    for edge in edges(register):
        neighbours.setdefault(edge.source, set()).add(edge.target)
        neighbours.setdefault(edge.target, set()).add(edge.source)
    seen = {start.id}
    frontier = {start.id}
    for _ in range(depth):
        frontier = {n for node in frontier for n in neighbours.get(node, ())} - seen
        if not frontier:
            break
        seen |= frontier
    return seen


def edge_records(found: Sequence[Edge]) -> list[Record]:
    """What `jnap graph --format json` prints: one record per edge."""
    return [{"source": e.source, "target": e.target, "kind": e.kind.value, "reason": e.reason} for e in found]
