"""The relations between actions as a graph: `continues` and `builds_on` links as directed edges, and
the order to draw them in.

Pure: no I/O, no printing. An edge points from the action that continues (or builds on) to the
action it continues (or builds on): `R4 → O23` reads "R4 continues O23".

A drawing puts each plan's actions in a column, the older plan first. `drawing_order` orders each
column so that few links cross (`crossings` counts them): a barycentre sweep, the usual heuristic
of layered drawing (Sugiyama et al.), which places an action at the mean position of the actions it
links to in the next column, sweeping right and left and keeping the best order found.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jnap_cli.errors import UsageError
from jnap_cli.model.vocab import RelationKind

if TYPE_CHECKING:
    from jnap_cli.model.schema import Register

Record = dict[str, Any]
SWEEPS = 8  # right-then-left sweeps of `ordered`; more rarely help (the best order seen is kept)


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


def drawing_order(
    register: Register, found: Sequence[Edge], extra: Collection[str] = ()
) -> list[tuple[str, list[str]]]:
    """(plan id, its actions) for each plan with an action in the drawing of `found` (the ends of its
    edges, and `extra`), older plan first (equal years in file order), each column ordered to cross
    few links (`ordered`). Every drawing of the graph (the report, Mermaid, DOT) uses this order."""
    wanted = set(extra) | {e.source for e in found} | {e.target for e in found}
    plans = sorted(register.plans, key=lambda plan: plan.year)  # stable: equal years keep file order
    columns = [(plan.id, [a.id for a in register.actions if a.plan == plan.id and a.id in wanted]) for plan in plans]
    columns = [(plan, ids) for plan, ids in columns if ids]
    links = [(e.source, e.target) for e in found]
    return list(zip([plan for plan, _ in columns], ordered([ids for _, ids in columns], links), strict=True))


def crossings(layers: Sequence[Sequence[str]], links: Iterable[tuple[str, str]]) -> int:
    """How many pairs of `links` cross when each layer is drawn as a column of its ids in order, a link
    between neighbouring columns as a line and a link inside one column as an arc beside it (on the
    outer side, as the report draws them). Links that share an end do not cross; links between
    columns further apart are not counted."""
    where = {node: (layer, index) for layer, ids in enumerate(layers) for index, node in enumerate(ids)}
    between: dict[int, list[tuple[int, int]]] = {}
    inside: dict[int, list[tuple[int, int]]] = {}
    for source, target in links:
        if source not in where or target not in where:
            continue
        (sl, si), (tl, ti) = where[source], where[target]
        if sl == tl:
            inside.setdefault(sl, []).append((min(si, ti), max(si, ti)))
        elif abs(sl - tl) == 1:
            between.setdefault(min(sl, tl), []).append((si, ti) if sl < tl else (ti, si))
    count = 0
    for lines in between.values():
        count += sum(1 for (a, b), (c, d) in _pairs(lines) if (a - c) * (b - d) < 0)
    for arcs in inside.values():
        count += sum(1 for (a, b), (c, d) in _pairs(arcs) if a < c < b < d or c < a < d < b)
    return count


def _pairs(items: Sequence[tuple[int, int]]) -> Iterable[tuple[tuple[int, int], tuple[int, int]]]:
    return ((items[i], items[j]) for i in range(len(items)) for j in range(i + 1, len(items)))


def ordered(layers: Sequence[Sequence[str]], links: Iterable[tuple[str, str]], sweeps: int = SWEEPS) -> list[list[str]]:
    """`layers` with each one's ids reordered to reduce `crossings`, by barycentre sweeps (left to right,
    then back); the given order when nothing does better. Deterministic: ties keep the current order."""
    links = list(links)
    neighbours: dict[str, list[str]] = {}
    for source, target in links:
        neighbours.setdefault(source, []).append(target)
        neighbours.setdefault(target, []).append(source)
    current = [list(ids) for ids in layers]
    if not current:
        return []
    best, fewest = [list(ids) for ids in current], crossings(current, links)
    last = len(current) - 1
    # (the column to reorder, the column it is ordered against): rightwards, then back leftwards; a
    # single column is ordered against nothing (its links are all arcs).
    steps: list[tuple[int, int | None]] = [(n, n - 1) for n in range(1, last + 1)]
    steps += [(n, n + 1) for n in range(last - 1, -1, -1)]
    for _ in range(sweeps if last > 0 else 1):
        for layer, against in steps or [(0, None)]:
            current[layer] = _by_barycentre(current[layer], [] if against is None else current[against], neighbours)
        count = crossings(current, links)
        if count < fewest:
            best, fewest = [list(ids) for ids in current], count
    return best


def _scaled(ids: Sequence[str]) -> dict[str, float]:
    """Each id's position in its column, from 0 (first) to 1 (last): columns of different lengths compare."""
    span = max(len(ids) - 1, 1)
    return {node: index / span for index, node in enumerate(ids)}


def _by_barycentre(ids: Sequence[str], against: Sequence[str], neighbours: dict[str, list[str]]) -> list[str]:
    """`ids` sorted by the mean position of their neighbours in `against`; an id linked only inside its own
    column goes just after the neighbours so placed, and an id with neither keeps its place."""
    own, other = _scaled(ids), _scaled(against)
    across: dict[str, float] = {}
    for node in ids:
        positions = [other[n] for n in neighbours.get(node, ()) if n in other]
        if positions:
            across[node] = sum(positions) / len(positions)
    placed = _scaled(sorted(ids, key=lambda node: (across.get(node, own[node]), own[node])))
    key: dict[str, tuple[float, int, float]] = {}
    for node in ids:
        beside = [placed[n] for n in neighbours.get(node, ()) if n in across]
        if node not in across and beside:
            key[node] = (sum(beside) / len(beside), 1, own[node])
        else:
            key[node] = (placed[node], 0, own[node])
    return sorted(ids, key=key.__getitem__)
