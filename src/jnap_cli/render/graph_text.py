"""The relation graph as Mermaid (renders in GitHub Markdown) or Graphviz DOT text.

Both draw what the HTML report draws: a column per plan, the older plan on the left, each column in
`query.graph.drawing_order` (few crossing links), each action filled in its status's colour and
labelled with its status in words, so colour is never alone.

Register text is untrusted: each label is squashed to one line, its control, bidi and zero-width
characters shown as visible escapes (`escape_unsafe`), and then escaped for the syntax it goes into,
so that no text can end a label, start a statement, or become markup or a link in either renderer.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from jnap_cli.model.vocab import RelationKind
from jnap_cli.text import escape_unsafe, squash

if TYPE_CHECKING:
    from jnap_cli.model.schema import Action, Plan, Register
    from jnap_cli.query.graph import Edge

LABEL_LENGTH = 40  # how much of an action's text a node shows, cut at a word
KIND_LABEL = {RelationKind.CONTINUES: "continues", RelationKind.BUILDS_ON: "builds on"}
# Mermaid's arrow for a link of each kind, inside one plan (False) or between two (True): solid for
# continues, dotted for builds on; one more dash or dot makes the link one rank longer.
MERMAID_ARROW = {
    (RelationKind.CONTINUES, False): "-->",
    (RelationKind.CONTINUES, True): "--->",
    (RelationKind.BUILDS_ON, False): "-.->",
    (RelationKind.BUILDS_ON, True): "-..->",
}
# The report's status colours (report.css, light): white text on each has a contrast of 4.5:1 or more.
STATUS_FILL = {
    "complete": "#17693a",
    "in-progress": "#8a4f00",
    "ongoing": "#1d5fa0",
    "transferred": "#6a3d9a",
    "deferred": "#a3261b",
    "not-started": "#56606b",
}
ON_FILL = "#ffffff"

# Mermaid reads `#name;` or `#123;` as a character: every character that could end a quoted label,
# start an entity, a comment, a statement or HTML is written that way; with the backtick coded, no label
# is a Markdown string.
_MERMAID_CODES = str.maketrans(
    {
        "#": "#35;",
        '"': "#quot;",
        "&": "#38;",
        "<": "#lt;",
        ">": "#gt;",
        "[": "#91;",
        "]": "#93;",
        "(": "#40;",
        ")": "#41;",
        "{": "#123;",
        "}": "#125;",
        "|": "#124;",
        "`": "#96;",
        "\\": "#92;",
        ";": "#59;",
        "%": "#37;",
    }
)
# A node id Mermaid reads as itself: not a keyword, not starting with an edge's end marker (`--o`, `--x`).
_MERMAID_SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_MERMAID_WORDS = frozenset(
    {"end", "graph", "flowchart", "subgraph", "style", "class", "classdef", "click", "linkstyle", "direction"}
)


def short_text(action: Action, length: int = LABEL_LENGTH) -> str:
    """`ID · status: the first words of the text…`, on one line, every unsafe character escaped visibly."""
    text = escape_unsafe(squash(action.text))
    if len(text) > length:
        cut = text.rfind(" ", 0, length)
        text = text[: cut if cut > 0 else length].rstrip() + "…"
    named = f"{escape_unsafe(action.id)} · {status_word(action.status)}"
    return f"{named}: {text}" if text else named


def status_word(status: str) -> str:
    """A status as a word for a label: `in progress`, `complete`."""
    return status.replace("-", " ")


def _mermaid_text(text: str) -> str:
    return escape_unsafe(squash(text)).translate(_MERMAID_CODES)


def _dot_text(text: str) -> str:
    """A DOT quoted string's contents: one line; backslash (Graphviz reads `\\n`, `\\N`…) and quote escaped."""
    return escape_unsafe(squash(text)).replace("\\", "\\\\").replace('"', '\\"')


def _columns(register: Register, found: Sequence[Edge], extra: Collection[str]) -> list[tuple[Plan, list[Action]]]:
    """Each plan with an action in the drawing, and those actions: the ends of `found` and `extra`,
    older plan first, in `drawing_order`."""
    from jnap_cli.query.graph import drawing_order

    plans = {plan.id: plan for plan in register.plans}
    actions = {action.id: action for action in register.actions}
    return [(plans[plan], [actions[i] for i in ids]) for plan, ids in drawing_order(register, found, extra)]


def _mermaid_ids(names: Sequence[str]) -> dict[str, str]:
    """A Mermaid id for each name: the name itself when Mermaid reads it as a plain id, else `n1`, `n2`…"""
    chosen: dict[str, str] = {}
    for name in names:
        safe = _MERMAID_SAFE_ID.match(name) and name.casefold() not in _MERMAID_WORDS and name[0] not in "ox"
        if safe:
            chosen[name] = name
    taken = set(chosen.values())
    number = 0
    for name in names:
        if name in chosen:
            continue
        number += 1
        while f"n{number}" in taken:
            number += 1
        chosen[name] = f"n{number}"
        taken.add(chosen[name])
    return chosen


def mermaid(register: Register, found: Sequence[Edge], extra: Collection[str] = ()) -> str:
    """A Mermaid flowchart: a subgraph per plan, a node per action (`ID · status: text…`) in its status's
    class, an edge per link, from the action that continues (or builds on) to the one it continues;
    builds-on edges dotted."""
    columns = _columns(register, found, extra)
    nodes = [action for _, members in columns for action in members]
    ids = _mermaid_ids([action.id for action in nodes] + [f"plan {plan.id}" for plan, _ in columns])
    lines = ["flowchart RL"]
    for plan, members in columns:
        lines.append(f'  subgraph {ids[f"plan {plan.id}"]}["{_mermaid_text(f"{plan.id}: {plan.title}")}"]')
        lines.extend(f'    {ids[a.id]}["{_mermaid_text(short_text(a))}"]' for a in members)
        lines.append("  end")
    plan_of = {action.id: plan.id for plan, members in columns for action in members}
    for edge in found:
        # A link between plans is one rank longer (`--->`) than a link inside one: the plans' subgraphs
        # then take ranks of their own and sit side by side instead of one above the other.
        arrow = MERMAID_ARROW[edge.kind, plan_of[edge.source] != plan_of[edge.target]]
        lines.append(f"  {ids[edge.source]} {arrow}|{KIND_LABEL[edge.kind]}| {ids[edge.target]}")
    for status, fill in STATUS_FILL.items():
        styled = [ids[a.id] for a in nodes if a.status == status]
        if styled:
            name = status.replace("-", "_")  # a class name Mermaid reads as one word
            lines.append(f"  classDef {name} fill:{fill},stroke:{fill},color:{ON_FILL}")
            lines.append(f"  class {','.join(styled)} {name}")
    return "\n".join(lines) + "\n"


def dot(register: Register, found: Sequence[Edge], extra: Collection[str] = ()) -> str:
    """A Graphviz digraph: a cluster per plan drawn as one column (`rank=same`), a box per action
    (`ID · status: text…`) filled in its status's colour, an edge per link, from the action that
    continues (or builds on) to the one it continues; builds-on edges dashed. Graphviz keeps the order
    the boxes are written in when no other crosses fewer edges."""
    lines = [
        "digraph jnap {",
        "  rankdir=RL;",  # arrows point left, to the older plan, as in the report
        "  newrank=true;",  # rank=same inside a cluster
        f'  node [shape=box, style=filled, fontcolor="{ON_FILL}"];',
    ]
    columns = _columns(register, found, extra)
    plan_of = {action.id: plan.id for plan, members in columns for action in members}
    for plan, members in columns:
        lines.append(f'  subgraph "cluster_{_dot_text(plan.id)}" {{')
        lines.append(f'    label="{_dot_text(f"{plan.id}: {plan.title}")}";')
        lines.append("    rank=same;")
        lines.extend(
            f'    "{_dot_text(a.id)}" [label="{_dot_text(short_text(a))}", fillcolor="{STATUS_FILL[a.status]}"];'
            for a in members
        )
        lines.append("  }")
    for edge in found:
        style = "solid" if edge.kind is RelationKind.CONTINUES else "dashed"
        # A link inside a column would make Graphviz reorder it (a tail goes before its head): not here.
        free = ", constraint=false" if plan_of[edge.source] == plan_of[edge.target] else ""
        lines.append(
            f'  "{_dot_text(edge.source)}" -> "{_dot_text(edge.target)}" '
            f'[label="{KIND_LABEL[edge.kind]}", style={style}{free}];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
