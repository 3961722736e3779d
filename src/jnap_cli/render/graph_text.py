"""The relation graph as Mermaid (renders in GitHub Markdown) or Graphviz DOT text.

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
    from jnap_cli.model.schema import Action, Register
    from jnap_cli.query.graph import Edge

LABEL_LENGTH = 40  # how much of an action's text a node shows, cut at a word
KIND_LABEL = {RelationKind.CONTINUES: "continues", RelationKind.BUILDS_ON: "builds on"}

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
    """`ID: the first words of the text…`, on one line, every unsafe character escaped visibly."""
    text = escape_unsafe(squash(action.text))
    if len(text) > length:
        cut = text.rfind(" ", 0, length)
        text = text[: cut if cut > 0 else length].rstrip() + "…"
    return f"{escape_unsafe(action.id)}: {text}" if text else escape_unsafe(action.id)


def _mermaid_text(text: str) -> str:
    return escape_unsafe(squash(text)).translate(_MERMAID_CODES)


def _dot_text(text: str) -> str:
    """A DOT quoted string's contents: one line; backslash (Graphviz reads `\\n`, `\\N`…) and quote escaped."""
    return escape_unsafe(squash(text)).replace("\\", "\\\\").replace('"', '\\"')


def _nodes(register: Register, found: Sequence[Edge], extra: Collection[str]) -> list[Action]:
    """The actions the graph shows: the ends of its edges and `extra`, in register order."""
    wanted = set(extra) | {e.source for e in found} | {e.target for e in found}
    return [action for action in register.actions if action.id in wanted]


def _by_plan(register: Register, nodes: Sequence[Action]) -> list[tuple[str, str, list[Action]]]:
    """(plan id, plan title, its nodes) for each plan with a node, in register order."""
    groups = [(plan.id, plan.title, [a for a in nodes if a.plan == plan.id]) for plan in register.plans]
    return [group for group in groups if group[2]]


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
    """A Mermaid flowchart: a subgraph per plan, a node per action (`ID: text…`), an edge per link,
    from the action that continues (or builds on) to the one it continues; builds-on edges dotted."""
    nodes = _nodes(register, found, extra)
    groups = _by_plan(register, nodes)
    ids = _mermaid_ids([action.id for action in nodes] + [f"plan {plan}" for plan, _, _ in groups])
    lines = ["flowchart LR"]
    for plan, title, members in groups:
        lines.append(f'  subgraph {ids[f"plan {plan}"]}["{_mermaid_text(f"{plan}: {title}")}"]')
        lines.extend(f'    {ids[a.id]}["{_mermaid_text(short_text(a))}"]' for a in members)
        lines.append("  end")
    for edge in found:
        arrow = "-->" if edge.kind is RelationKind.CONTINUES else "-.->"
        lines.append(f"  {ids[edge.source]} {arrow}|{KIND_LABEL[edge.kind]}| {ids[edge.target]}")
    return "\n".join(lines) + "\n"


def dot(register: Register, found: Sequence[Edge], extra: Collection[str] = ()) -> str:
    """A Graphviz digraph: a cluster per plan, a box per action (`ID: text…`), an edge per link, from
    the action that continues (or builds on) to the one it continues; builds-on edges dashed."""
    nodes = _nodes(register, found, extra)
    lines = ["digraph jnap {", "  rankdir=LR;", "  node [shape=box];"]
    for plan, title, members in _by_plan(register, nodes):
        lines.append(f'  subgraph "cluster_{_dot_text(plan)}" {{')
        lines.append(f'    label="{_dot_text(f"{plan}: {title}")}";')
        lines.extend(f'    "{_dot_text(a.id)}" [label="{_dot_text(short_text(a))}"];' for a in members)
        lines.append("  }")
    for edge in found:
        style = "solid" if edge.kind is RelationKind.CONTINUES else "dashed"
        lines.append(
            f'  "{_dot_text(edge.source)}" -> "{_dot_text(edge.target)}" '
            f'[label="{KIND_LABEL[edge.kind]}", style={style}];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
