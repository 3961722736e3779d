"""Geometry for the report's two drawings: the stacked status bars and the relation graph.

Pure arithmetic over the numbers, edges and order the core computes (`query.stats`, `query.graph`):
no counting, no edge-finding, no ordering, no markup. The templates draw what these functions place.
A bar's label is page text above its bar, not part of the drawing: the browser wraps it, so no label
is ever cut.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jnap_cli.model.vocab import STATUSES

# The chart: one row per plan and per theme, each bar its own drawing under its label.
CHART_WIDTH = 480
BAR_HEIGHT = 22
MIN_LABELLED = 18  # a segment narrower than this carries no number inside (the table and <title> do)


@dataclass(frozen=True)
class Segment:
    """One status's share of a bar."""

    status: str
    count: int
    x: float
    width: float
    labelled: bool


@dataclass(frozen=True)
class Bar:
    """A plan's or a theme's counts, placed: its segments from left to right."""

    scope: str
    plan: str
    theme: str | None
    label: str
    total: int
    complete: int
    share: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int  # of each bar
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class BarInput:
    """What a bar needs, read off a `Tally` by the caller."""

    scope: str
    plan: str
    theme: str | None
    label: str
    counts: Mapping[str, int]
    total: int
    complete: int
    share: float


def chart(rows: Sequence[BarInput]) -> Chart:
    """Stacked bars, one per row, segments in the status vocabulary's order, each `CHART_WIDTH` wide."""
    bars: list[Bar] = []
    for row in rows:
        segments: list[Segment] = []
        x = 0.0
        scale = CHART_WIDTH / row.total if row.total else 0.0
        for status in STATUSES:
            count = row.counts.get(status, 0)
            if count <= 0:
                continue
            width = count * scale
            segments.append(Segment(status, count, round(x, 2), round(width, 2), width >= MIN_LABELLED))
            x += width
        bars.append(Bar(row.scope, row.plan, row.theme, row.label, row.total, row.complete, row.share, tuple(segments)))
    return Chart(CHART_WIDTH, BAR_HEIGHT, tuple(bars))


# The graph: one column of nodes per plan, the older plan on the left.
NODE_WIDTH = 58
NODE_HEIGHT = 22
NODE_GAP = 6
COLUMN_GAP = 190
MARGIN_X = 70  # room for arcs between actions of one plan, outside the columns
MARGIN_TOP = 34  # room for the column headings


@dataclass(frozen=True)
class Node:
    id: str
    plan: str
    status: str
    text: str
    x: float
    y: float
    side: str  # "left" or "right": where arcs within the plan bend


@dataclass(frozen=True)
class Column:
    plan: str
    label: str
    x: float  # the centre of the column


@dataclass(frozen=True)
class PlacedEdge:
    source: str
    target: str
    kind: str
    reason: str
    path: str


@dataclass(frozen=True)
class Graph:
    width: float
    height: float
    columns: tuple[Column, ...]
    nodes: tuple[Node, ...]
    edges: tuple[PlacedEdge, ...]


@dataclass(frozen=True)
class NodeInput:
    id: str
    plan: str
    status: str
    text: str  # the node's tooltip


@dataclass(frozen=True)
class EdgeInput:
    source: str
    target: str
    kind: str
    reason: str


def graph(columns: Sequence[tuple[str, str]], nodes: Sequence[NodeInput], edges: Sequence[EdgeInput]) -> Graph:
    """Place `nodes` in one column per plan of `columns` ((plan id, label), left to right), in their
    order; route `edges` as curves between columns and as arcs outside a column."""
    placed_columns: list[Column] = []
    placed: dict[str, Node] = {}
    bottom = float(MARGIN_TOP)
    last = len(columns) - 1
    for index, (plan, label) in enumerate(columns):
        centre = MARGIN_X + NODE_WIDTH / 2 + index * (NODE_WIDTH + COLUMN_GAP)
        placed_columns.append(Column(plan, label, centre))
        side = "right" if index == last and last > 0 else "left"
        y = float(MARGIN_TOP)
        for node in (n for n in nodes if n.plan == plan):
            placed[node.id] = Node(node.id, plan, node.status, node.text, centre - NODE_WIDTH / 2, y, side)
            y += NODE_HEIGHT + NODE_GAP
        bottom = max(bottom, y)
    width = 2 * MARGIN_X + len(columns) * NODE_WIDTH + max(len(columns) - 1, 0) * COLUMN_GAP
    routed = [
        PlacedEdge(e.source, e.target, e.kind, e.reason, _route(placed[e.source], placed[e.target]))
        for e in edges
        if e.source in placed and e.target in placed
    ]
    return Graph(width, bottom + 6, tuple(placed_columns), tuple(placed.values()), tuple(routed))


def _route(source: Node, target: Node) -> str:
    """An SVG path from `source` to `target`: an S-curve between columns, an arc beside one column."""
    sy = source.y + NODE_HEIGHT / 2
    ty = target.y + NODE_HEIGHT / 2
    if source.x != target.x:
        rightwards = target.x > source.x
        sx = source.x + NODE_WIDTH if rightwards else source.x
        tx = target.x if rightwards else target.x + NODE_WIDTH
        tx += -4 if rightwards else 4  # the arrowhead ends at the node's edge
        middle = (sx + tx) / 2
        return f"M{sx:.1f},{sy:.1f} C{middle:.1f},{sy:.1f} {middle:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"
    bulge = min(MARGIN_X - 8, 18 + abs(ty - sy) / 6)
    if source.side == "right":
        x = source.x + NODE_WIDTH
        return f"M{x:.1f},{sy:.1f} C{x + bulge:.1f},{sy:.1f} {x + bulge:.1f},{ty:.1f} {x + 4:.1f},{ty:.1f}"
    x = source.x
    return f"M{x:.1f},{sy:.1f} C{x - bulge:.1f},{sy:.1f} {x - bulge:.1f},{ty:.1f} {x - 4:.1f},{ty:.1f}"
