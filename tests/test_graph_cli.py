"""`jnap graph` through the command line: Mermaid, DOT, the edge list, filters, `--around`, hostile text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from jnap_cli.register.source import load
from jnap_cli.render.graph_text import STATUS_FILL, short_text
from jnap_cli.text import escape_unsafe, squash

from .conftest import DATA, ROOT, Run
from .registers import action, add_action, find, set_plan_field, small, write

MERMAID_R9 = """\
flowchart RL
  subgraph n1["refresh: JNAP Refresh"]
    R8["R8 · complete: Expand delivery and learning on the…"]
    R9["R9 · complete: Testing and developing the new national…"]
    R10["R10 · complete: Further embed bad character…"]
    R11["R11 · deferred: Update the joint police and CPS…"]
    R18["R18 · complete: Develop joint learning and training…"]
  end
  R8 -.->|builds on| R9
  R10 -.->|builds on| R9
  R11 -.->|builds on| R9
  R18 -.->|builds on| R9
  classDef complete fill:#17693a,stroke:#17693a,color:#ffffff
  class R8,R9,R10,R18 complete
  classDef deferred fill:#a3261b,stroke:#a3261b,color:#ffffff
  class R11 deferred
"""

DOT_R4 = """\
digraph jnap {
  rankdir=RL;
  newrank=true;
  node [shape=box, style=filled, fontcolor="#ffffff"];
  subgraph "cluster_original" {
    label="original: Police-CPS Joint National RASSO Action Plan 2021";
    rank=same;
    "O23" [label="O23 · ongoing: Hold quarterly meetings with members of…", fillcolor="#1d5fa0"];
  }
  subgraph "cluster_refresh" {
    label="refresh: JNAP Refresh";
    rank=same;
    "R4" [label="R4 · ongoing: Continue to hold quarterly discussions…", fillcolor="#1d5fa0"];
  }
  "R4" -> "O23" [label="continues", style=solid];
}
"""


def test_mermaid_around_an_action(run: Run) -> None:
    result = run("graph", "--format", "mermaid", "--around", "r9")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == MERMAID_R9


def test_dot_around_an_action(run: Run) -> None:
    result = run("graph", "--format", "dot", "--around", "R4", "--depth", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout == DOT_R4


def test_whole_graph_in_mermaid_and_dot(run: Run) -> None:
    mermaid = run("graph", "-f", "mermaid").stdout
    # Links between the plans are one rank longer than links inside one, so the plans sit side by side.
    assert mermaid.count(" --->|continues| ") == 9
    assert mermaid.count(" -..->|builds on| ") == 2 and mermaid.count(" -.->|builds on| ") == 9
    assert mermaid.count("  subgraph ") == 2
    dot = run("graph", "-f", "dot").stdout
    assert dot.count("style=solid") == 9
    assert dot.count("style=dashed") == 11
    assert dot.count(", constraint=false") == 9  # the links inside a plan leave its column's order alone
    assert dot.count('subgraph "cluster_') == 2


def _node_order(text: str, pattern: str) -> list[str]:
    return re.findall(pattern, text, re.MULTILINE)


def test_mermaid_dot_and_the_report_draw_the_nodes_in_one_order(run: Run) -> None:
    """Each plan a column, the older first, in `drawing_order`: no two links cross on the shipped register."""
    from jnap_cli.query.graph import crossings, drawing_order, edges

    register = load(DATA)
    found = edges(register)
    columns = drawing_order(register, found)
    expected = [node for _, ids in columns for node in ids]
    assert [plan for plan, _ in columns] == ["original", "refresh"]
    assert crossings([ids for _, ids in columns], [(e.source, e.target) for e in found]) == 0
    mermaid = run("graph", "-f", "mermaid").stdout
    dot = run("graph", "-f", "dot").stdout
    assert _node_order(mermaid, r'^    (\w+)\["') == expected
    assert _node_order(dot, r'^    "(\w+)" \[label=') == expected


def test_mermaid_styles_and_names_each_status(run: Run) -> None:
    """A class per status with its fill, every node in its status's class, and the status in words in the label."""
    register = load(DATA)
    status = {a.id: a.status.value for a in register.actions}
    mermaid = run("graph", "-f", "mermaid").stdout
    defined = dict(re.findall(r"^  classDef (\w+) fill:(#[0-9a-f]{6}),stroke:\2,color:#ffffff$", mermaid, re.MULTILINE))
    assert defined == {
        "complete": "#17693a",
        "in_progress": "#8a4f00",
        "ongoing": "#1d5fa0",
        "transferred": "#6a3d9a",
        "deferred": "#a3261b",
    }
    classed = {
        node: name
        for members, name in re.findall(r"^  class ([\w,]+) (\w+)$", mermaid, re.MULTILINE)
        for node in members.split(",")
    }
    labels = dict(re.findall(r'^    (\w+)\["\1 · ([a-z ]+): ', mermaid, re.MULTILINE))
    assert set(classed) == set(labels) and len(classed) == 27
    for node, name in classed.items():
        assert name == status[node].replace("-", "_"), node
        assert labels[node] == status[node].replace("-", " "), node


def test_dot_fills_and_names_each_status(run: Run) -> None:
    register = load(DATA)
    status = {a.id: a.status.value for a in register.actions}
    dot = run("graph", "-f", "dot").stdout
    assert '  node [shape=box, style=filled, fontcolor="#ffffff"];' in dot.splitlines()
    nodes = re.findall(
        r'^    "(\w+)" \[label="\1 · ([a-z ]+): [^"]*", fillcolor="(#[0-9a-f]{6})"\];$', dot, re.MULTILINE
    )
    assert len(nodes) == 27
    for node, word, fill in nodes:
        assert word == status[node].replace("-", " ")
        assert fill == STATUS_FILL[status[node]]
    assert STATUS_FILL["in-progress"] in dot and STATUS_FILL["transferred"] in dot


def test_the_text_drawings_use_the_report_colours() -> None:
    """One palette: the fills are report.css's light-mode status colours."""
    css = (ROOT / "src" / "jnap_cli" / "render" / "templates" / "report.css").read_text(encoding="utf-8")
    light = css[: css.index("@media")]
    assert {s: re.search(rf"--{s}: (#[0-9a-f]{{6}});", light)[1] for s in STATUS_FILL} == STATUS_FILL  # type: ignore[index]


def test_edge_list_formats(run: Run) -> None:
    records = json.loads(run("graph", "-f", "json").stdout)
    assert len(records) == 20
    assert records[0]["source"] == "R2" and records[0]["target"] == "O9" and records[0]["kind"] == "builds_on"
    assert records[1] == {"source": "R4", "target": "O23", "kind": "continues", "reason": ""}
    assert run("graph", "--around", "R4", "-f", "jsonl").stdout == (
        '{"source": "R4", "target": "O23", "kind": "continues", "reason": ""}\n'
    )
    assert run("graph", "--around", "R4", "-f", "csv").stdout == "source,target,kind,reason\nR4,O23,continues,\n"
    assert run("graph", "--around", "R4").stdout == "R4\tO23\tcontinues\t\n"  # piped: tsv
    assert run("graph", "--around", "R4", "--empty", "-").stdout == "R4\tO23\tcontinues\t-\n"
    assert run("graph", "--around", "R4", "-f", "markdown").stdout == (
        "| source | target | kind | reason |\n| --- | --- | --- | --- |\n| R4 | O23 | continues |  |\n"
    )
    assert run("graph", "--around", "R6", "-f", "ids").stdout == "R6\nO6\nO7\n"  # every end, once
    assert run("graph", "--around", "R4", "-f", "csv", "--fields", "target,source").stdout == "target,source\nO23,R4\n"


def test_table(run: Run) -> None:
    result = run("graph", "--around", "R9", "--plan", "refresh", "-f", "table", env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "source   target   kind        reason\n"
        "────────────────────────────────────────────────────────────────────────────────────────────────────\n"
        'R8       R9       builds_on   suspect-centric learning "incorporated into Police and CPS adult rape\n'
        '                              National Operating Models" that R9 launched\n'
        'R10      R9       builds_on   Bad Character podcast made "as part of the revised RASSO learning\n'
        '                              packages in the NOM" (R9: "NOMs launched")\n'
        'R11      R9       builds_on   aim met by "the complementary NOMs" (R9\'s product); protocol review\n'
        "                              waits until the NOMs are embedded\n"
        'R18      R9       builds_on   products reflect Soteria "academic evaluations" (R9: "independent\n'
        '                              academic evaluation"), go into the NOMs\n'
    )


def test_filters_keep_edges_whose_two_ends_pass(run: Run) -> None:
    refresh = run("graph", "--plan", "refresh", "-f", "tsv", "--fields", "source,target").stdout
    assert refresh == "R8\tR9\nR10\tR9\nR11\tR9\nR15\tR17\nR18\tR9\n"
    assert run("graph", "--status", "ongoing", "-f", "tsv", "--fields", "source,target").stdout == "R4\tO23\n"
    assert run("graph", "--theme", "stakeholder", "-S", "complete", "-f", "ids").exit_code == 1


def test_depth(run: Run) -> None:
    one = run("graph", "--around", "O18", "-f", "ids").stdout.split()
    two = run("graph", "--around", "O18", "--depth", "2", "-f", "ids").stdout.split()
    assert sorted(one) == ["O18", "R8"]
    assert sorted(two) == ["O18", "R8", "R9"]


def test_no_relation_exits_1(run: Run) -> None:
    for args in (["--around", "O24"], ["--around", "R6", "--depth", "0"]):
        result = run("graph", *args, "-f", "mermaid")
        assert result.exit_code == 1, args
        assert (result.stdout, result.stderr) == ("", "jnap: no relations match\n")


def test_unknown_id_is_a_usage_error_as_in_show(run: Run) -> None:
    result = run("graph", "--around", "R99")
    assert result.exit_code == 2 == run("show", "R99").exit_code
    assert result.stderr == "jnap: error: no action 'R99'; did you mean R9, R19?\n"
    assert result.stderr == run("show", "R99").stderr
    assert run("graph", "--around", "4").stderr == run("show", "4").stderr  # ambiguous number, as show says
    assert run("graph", "--depth", "-1", "--around", "R4").exit_code == 2


# Untrusted text: whatever a text or a plan title holds, it stays inside its label as text.

HOSTILE = (
    '"] end\n%%{init: {}}%% `` `**b**` <b>x</b> <script>alert(1)</script> & #quot; #35; '
    '\\" \\n \\N [x](http://e.example) a|b;c {d} (e) \x1b[31mred\x1b[0m \u202eevil\u202c zero\u200bwidth \x85'
)
FORBIDDEN = ("\x1b", "\u202e", "\u202c", "\u200b", "\x85")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    data = set_plan_field(small(), "refresh", "title", HOSTILE)
    find(data, "R2")["text"] = HOSTILE
    data = add_action(data, action("end", "refresh", 4, text=HOSTILE, builds_on=[{"id": "O2", "reason": HOSTILE}]))
    data = add_action(data, action("o5", "original", 5, text="x", continues=["end"]))
    return write(tmp_path / "actions.toml", data)


def _mermaid_decoded(label: str) -> str:
    named = {"quot": '"', "lt": "<", "gt": ">", "amp": "&"}
    return re.sub(r"#(\w+);", lambda m: named.get(m[1]) or chr(int(m[1])), label)


def test_hostile_text_is_inert_in_mermaid(run: Run, hostile: Path) -> None:
    result = run("graph", "-r", str(hostile), "-f", "mermaid")
    assert result.exit_code == 0, result.output
    for char in FORBIDDEN:
        assert char not in result.stdout
    register = load(hostile)
    expected = {a.id: short_text(a) for a in register.actions}
    lines = result.stdout.splitlines()
    assert lines[0] == "flowchart RL"
    labels: list[str] = []
    for line in lines[1:]:
        node = re.fullmatch(r"    ([A-Za-z][A-Za-z0-9_]*)\[\"([^\"\[\]<>`|{}()\\%]*)\"\]", line)
        group = re.fullmatch(r"  subgraph (n[0-9]+)\[\"([^\"\[\]<>`|{}()\\%]*)\"\]", line)
        edge = re.fullmatch(
            r"  ([A-Za-z][A-Za-z0-9_]*) (--->?\|continues\||-\.\.?->\|builds on\|) ([A-Za-z][A-Za-z0-9_]*)", line
        )
        style = re.fullmatch(r"  classDef [a-z_]+ fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#ffffff", line)
        classed = re.fullmatch(r"  class [A-Za-z][A-Za-z0-9_]*(,[A-Za-z][A-Za-z0-9_]*)* [a-z_]+", line)
        assert node or group or edge or style or classed or line == "  end", line
        if node or group:
            label = (node or group)[2]  # type: ignore[index]
            # Every `#` starts an entity and every `;` ends one: no statement ends inside a label.
            assert re.fullmatch(r"(?:[^#;]|#(?:quot|lt|gt|[0-9]+);)*", label), label
            labels.append(_mermaid_decoded(label))
    # The labels say exactly what the register says, escaped for a terminal, on one line.
    assert f"refresh: {escape_unsafe(squash(HOSTILE))}" in labels
    assert set(labels[1:]) >= {expected["R2"], expected["end"], expected["o5"]}
    assert "  end" in lines and "    end[" not in result.stdout  # the id `end` is not Mermaid's keyword
    assert " o5 " not in result.stdout and " --> o" not in result.stdout  # nor an edge's `o` end


def _dot_strings(line: str) -> tuple[str, list[str]]:
    """The line with each quoted string as `S`, and the strings' contents as Graphviz reads them."""
    strings: list[str] = []

    def take(match: re.Match[str]) -> str:
        body = match[1]
        assert re.fullmatch(r'(?:[^"\\\n]|\\[\\"])*', body), body  # only \\ and \" escapes: no \n, \N, \l
        strings.append(re.sub(r"\\(.)", r"\1", body))
        return "S"

    return re.sub(r'"((?:[^"\\]|\\.)*)"', take, line), strings


def test_hostile_text_is_inert_in_dot(run: Run, hostile: Path) -> None:
    result = run("graph", "-r", str(hostile), "-f", "dot")
    assert result.exit_code == 0, result.output
    for char in FORBIDDEN:
        assert char not in result.stdout
    register = load(hostile)
    expected = {a.id: short_text(a) for a in register.actions}
    skeletons = {
        "digraph jnap {",
        "  rankdir=RL;",
        "  newrank=true;",
        "  node [shape=box, style=filled, fontcolor=S];",
        "  subgraph S {",
        "    label=S;",
        "    rank=same;",
        "    S [label=S, fillcolor=S];",
        "  }",
        "  S -> S [label=S, style=solid];",
        "  S -> S [label=S, style=dashed];",
        "  S -> S [label=S, style=dashed, constraint=false];",
        "}",
    }
    found: list[str] = []
    for line in result.stdout.splitlines():
        skeleton, strings = _dot_strings(line)
        assert skeleton in skeletons, line
        found.extend(strings)
    assert f"refresh: {escape_unsafe(squash(HOSTILE))}" in found
    assert {expected["R2"], expected["end"], "end", "o5"} <= set(found)


def test_depth_without_around_is_a_usage_error(run: Run) -> None:
    result = run("graph", "--depth", "2")
    assert result.exit_code == 2
    assert (
        result.stderr == "jnap: error: --depth counts links from --around ID; add --around ID, or leave --depth out\n"
    )
    assert (
        run("graph", "--around", "R4", "-f", "ids").exit_code
        == run("graph", "--around", "R4", "--depth", "1", "-f", "ids").exit_code
        == 0
    )
