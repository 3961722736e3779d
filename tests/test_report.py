"""`jnap report`: the HTML page parses, its anchors resolve, its numbers are `stats`'s, its CSP allows only
what it ships, hostile register text stays text; the Markdown escapes its tables; -o writes atomically."""

from __future__ import annotations

import base64
import copy
import hashlib
import itertools
import json
import os
import re
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import html5lib  # type: ignore[import-untyped]
import pytest

from jnap_cli.render.report import Slugs, md_text

from .conftest import DATA, Run
from .registers import find, small, write

SVG = "{http://www.w3.org/2000/svg}"

# Markup, script, attribute breakers, URLs, Rich markup, an ANSI sequence, bidi and zero-width characters,
# a line that would be a Markdown heading, GitHub mentions and issue references.
HOSTILE = (
    "</script><script>alert(1)</script><img src=x onerror=alert(1)> </style><style>*{}</style> "
    '"\' onmouseover="alert(2)" ]]> <!-- --> <svg onload=alert(3)> javascript:alert(4) [x](javascript:alert(5)) '
    "[bold red]alarm[/] \x1b[31mred\x1b[0m \u202eevil\u202c zero\u200bwidth | pipe `tick` *star* "
    "\n# Injected @octocat #123 org/repo#45 GH-7 "
)


def parse(text: str) -> Element:
    """The document as html5lib's strict parser reads it: any parse error fails the test."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(text)  # type: ignore[no-any-return]


def local(tag: Any) -> str:
    return str(tag).removeprefix(SVG)


def html_report(run: Run, *args: str) -> str:
    result = run("report", *args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


@pytest.fixture
def page(run: Run) -> str:
    return html_report(run, "-r", str(DATA))


@pytest.fixture
def hostile_register(tmp_path: Path) -> Path:
    data = small()
    data["title"] = HOSTILE + "title"
    data["source"] = HOSTILE + "source"
    data["plans"][0]["title"] = HOSTILE + "plan"
    r1 = find(data, "R1")
    r1["text"] = HOSTILE + r1["text"]
    r1["theme"] = HOSTILE + "theme"
    r1["commentary"] = HOSTILE + "\n\n" + r1["commentary"]
    r1["status_evidence"] = HOSTILE.strip()
    r1["references"] = [HOSTILE]
    r1["builds_on"] = [{"id": "O1", "reason": HOSTILE + "reason"}]
    return write(tmp_path / "actions.toml", data)


def test_the_page_parses_strictly_and_has_one_h1_and_landmarks(page: str) -> None:
    root = parse(page)
    assert root.get("lang") == "en"
    tags = [local(element.tag) for element in root.iter()]
    assert tags.count("h1") == 1
    for landmark in ("header", "nav", "main", "footer"):
        assert tags.count(landmark) == 1, landmark
    levels = [int(tag[1]) for tag in tags if re.fullmatch(r"h[1-6]", tag)]
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), "a heading level is skipped"
    assert len(root.findall(".//article")) == 44


def test_every_in_page_reference_resolves(page: str) -> None:
    root = parse(page)
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    targets: list[str] = []
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in ("href", "{http://www.w3.org/1999/xlink}href"):
                assert value.startswith("#"), f"a link leaves the page: {value}"
                targets.append(value[1:])
            elif name in ("aria-labelledby", "aria-describedby"):
                targets.extend(value.split())
            elif name == "for":
                targets.append(value)
            targets.extend(re.findall(r"url\(#([^)]+)\)", value))
    assert targets
    assert set(targets) - set(ids) == set()
    # Every action is linked from the graph, and every link between actions goes both ways.
    assert {f"action-{n}" for n in ("R4", "O23", "R9", "R11")} <= set(targets)


def test_links_go_both_ways_between_related_actions(page: str) -> None:
    root = parse(page)
    r4 = root.find(".//article[@id='action-R4']")
    o23 = root.find(".//article[@id='action-O23']")
    assert r4 is not None and o23 is not None
    assert [a.get("href") for a in r4.iter("a")] == ["#action-O23"]
    assert [a.get("href") for a in o23.iter("a")] == ["#action-R4"]
    r9 = root.find(".//article[@id='action-R9']")
    assert r9 is not None
    text = "".join(r9.itertext())
    assert "Built on by" in text and "Continues" in text


def test_the_chart_and_table_numbers_equal_stats_json(run: Run, page: str) -> None:
    stats = run("stats", "-r", str(DATA), "--format", "json")
    assert stats.exit_code == 0, stats.output
    expected = json.loads(stats.stdout)
    root = parse(page)
    bars = [g for g in root.iter(f"{SVG}g") if g.get("data-scope")]
    drawn: list[dict[str, Any]] = []
    for bar in bars:
        drawn.append(
            {
                "scope": bar.get("data-scope"),
                "plan": bar.get("data-plan"),
                "theme": bar.get("data-theme") or None,
                "total": int(bar.get("data-total") or 0),
                "counts": {
                    rect.get("data-status"): int(rect.get("data-count") or 0) for rect in bar.iter(f"{SVG}rect")
                },
            }
        )
    assert [(d["scope"], d["plan"], d["theme"], d["total"]) for d in drawn] == [
        (e["scope"], e["plan"], e["theme"], e["total"]) for e in expected
    ]
    for shown, record in zip(drawn, expected, strict=True):
        counts: dict[str, int] = shown["counts"]
        assert counts == {s: n for s, n in record.items() if s in counts or _is_count(s, n)}
    # The table beside the chart: the same numbers, row for row.
    rows = root.findall(".//table[@class='tally']/tbody/tr")
    header = ["".join(th.itertext()) for th in root.findall(".//table[@class='tally']/thead/tr/th")]
    assert len(rows) == len(expected)
    for row, record in zip(rows, expected, strict=True):
        cells = ["".join(cell.itertext()) for cell in row]
        assert int(cells[header.index("Total")]) == record["total"]
        assert int(cells[header.index("Complete")]) == record["complete"]
        assert cells[-1] == f"{round(record['share'] * 100)}%"


def _is_count(key: str, value: Any) -> bool:
    from jnap_cli.model.vocab import STATUSES

    return key in STATUSES and value > 0


def test_the_csp_allows_only_the_inline_style_and_script_it_ships(page: str) -> None:
    root = parse(page)
    meta = root.find(".//meta[@http-equiv='Content-Security-Policy']")
    assert meta is not None
    head = root.find("head")
    assert head is not None and list(head)[1] is meta, "the policy comes before anything it governs"
    policy = dict(part.strip().split(" ", 1) for part in (meta.get("content") or "").split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["base-uri"] == "'none'" and policy["form-action"] == "'none'"
    assert "unsafe" not in (meta.get("content") or "")
    (style,) = root.iter("style")
    (script,) = root.iter("script")
    for element, directive in ((style, "style-src"), (script, "script-src")):
        digest = base64.b64encode(hashlib.sha256((element.text or "").encode("utf-8")).digest()).decode()
        assert policy[directive] == f"'sha256-{digest}'"
    for element in root.iter():
        assert "style" not in element.attrib, "a style attribute would be refused by the policy"
        assert not [name for name in element.attrib if name.startswith("on")], "an inline handler"
        assert "src" not in element.attrib


def test_the_page_is_complete_without_script(page: str) -> None:
    """The filter form is hidden until the script shows it; every action is in the page."""
    root = parse(page)
    form = root.find(".//form[@id='filters']")
    assert form is not None and form.get("hidden") is not None
    assert not [a for a in root.iter("article") if a.get("hidden") is not None]


def test_every_status_has_text_and_an_icon(page: str) -> None:
    root = parse(page)
    for article in root.iter("article"):
        badge = next(e for e in article.iter("span") if (e.get("class") or "").startswith("badge"))
        status = article.get("data-status")
        (use,) = badge.iter(f"{SVG}use")
        assert use.get("href") == f"#icon-{status}"
        assert "".join(badge.itertext()).strip().lower().startswith(str(status).replace("-", " ")[:5])


def test_hostile_text_is_inert(run: Run, page: str, hostile_register: Path) -> None:
    text = html_report(run, "-r", str(hostile_register))
    root = parse(text)
    clean = parse(html_report(run, "-r", str(_clean_copy(hostile_register))))

    def shape(tree: Element) -> set[tuple[str, str]]:
        elements = list(tree.iter())
        return {(local(e.tag), name) for e in elements for name in e.attrib} | {(local(e.tag), "") for e in elements}

    assert shape(root) == shape(clean), "register text made an element or an attribute"
    assert len(list(root.iter("script"))) == 1
    assert len(list(root.iter("style"))) == 1
    assert "\x1b" not in text and "\u202e" not in text and "\u200b" not in text
    visible = "".join(root.itertext())
    shown = HOSTILE.replace("\x1b", "\\x1b").replace("\u202e", "<U+202E>").replace("\u202c", "<U+202C>")
    shown = shown.replace("\u200b", "<U+200B>")
    assert shown.strip() in visible
    assert visible.count("</script><script>alert(1)</script>") >= 8  # title, source, plan, theme, text…
    # A newline in a title or a theme stays inside its heading.
    headings = {tag: ["".join(h.itertext()) for h in root.iter(tag)] for tag in ("h1", "h2", "h3")}
    assert headings["h1"] == [f"{shown}title"]
    assert [h for h in headings["h2"] if "Injected" in h] == [f"{shown}plan (2022)"]
    assert [h for h in headings["h3"] if "Injected" in h] == [f"{shown}theme"]
    # An attribute value (the chart's data-theme) keeps the text, escaped, and breaks nothing.
    themes = [g.get("data-theme") for g in root.iter(f"{SVG}g") if g.get("data-theme")]
    assert any(str(t).startswith("</script>") for t in themes)


def _clean_copy(path: Path) -> Path:
    """The same register with every hostile string replaced by plain words."""
    import tomllib

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    cleaned = json.loads(json.dumps(data).replace(json.dumps(HOSTILE)[1:-1], "plain words "))
    cleaned = json.loads(json.dumps(cleaned).replace(json.dumps(HOSTILE.strip())[1:-1], "plain words"))
    return write(path.with_name("clean.toml"), copy.deepcopy(cleaned))


def test_markdown_escapes_hostile_text(run: Run, hostile_register: Path) -> None:
    result = run("report", "-r", str(hostile_register), "--format", "markdown")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert re.findall(r"(?<!\\)<(?!br>)", text) == [], "an unescaped < could start HTML"
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\<script\\>" in text and "\\[bold red\\]" in text and "\\`tick\\`" in text
    (row,) = [line for line in text.splitlines() if line.startswith("| ") and "pipe" in line and "theme" in line]
    (header,) = [line for line in text.splitlines() if line.startswith("| plan or theme")]
    assert len(re.split(r"(?<!\\)\|", row.strip().strip("|"))) == header.count("|") - 1


def test_markdown_table_cells_escape_pipes_newlines_and_html(run: Run, tmp_path: Path) -> None:
    data = small()
    find(data, "R2")["builds_on"] = [{"id": "R1", "reason": "a | b\nc <b>d</b> `e`"}]
    result = run("report", "-r", str(write(tmp_path / "a.toml", data)), "--format", "markdown")
    assert result.exit_code == 0, result.output
    (row,) = [line for line in result.stdout.splitlines() if line.startswith("| [R2]") and "builds on" in line]
    assert row.endswith("| a \\| b<br>c \\<b\\>d\\</b\\> \\`e\\` |")
    assert len(re.split(r"(?<!\\)\|", row.strip().strip("|"))) == 4


def test_markdown_links_are_heading_anchors(run: Run) -> None:
    result = run("report", "-r", str(DATA), "--format", "markdown")
    assert result.exit_code == 0, result.output
    text = result.stdout
    slugs = Slugs()
    headings = {slugs(line.lstrip("#").strip().replace("\\", "")) for line in text.splitlines() if line.startswith("#")}
    links = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert links and links <= headings
    assert "#### Action R4" in text and "[O23](#action-o23)" in text
    assert "```mermaid\nflowchart RL" in text
    assert "| **JNAP Refresh** | 12 | 3 | 2 | 1 | 2 | 20 | 60% |" in text


def test_github_slugs() -> None:
    slugs = Slugs()
    assert slugs("Action R4") == "action-r4"
    assert slugs("Our People & Expertise (2021)") == "our-people--expertise-2021"
    assert slugs("Action R4") == "action-r4-1"


def test_md_text_makes_no_markup() -> None:
    written = md_text("# head\n- item\n1. one\n    code\n<b>&amp;")
    assert written == "\\# head\n\\- item\n1\\. one\ncode\n\\<b\\>&amp;amp;"
    assert md_text("[x](javascript:y) *a* _b_ ~c~ !d") == "\\[x\\](javascript:y) \\*a\\* \\_b\\_ \\~c\\~ \\!d"


def test_output_file_is_written_and_replaced(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    result = run("report", "-r", str(DATA), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"jnap: wrote {target}: html report of 44 actions\n"
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left


def test_a_failed_write_is_one_line_and_leaves_the_file(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.md"
    target.write_text("old", encoding="utf-8")

    def full(*_: Any) -> None:
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(os, "replace", full)
    result = run("report", "-r", str(DATA), "-f", "markdown", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == f"jnap: error: {target}: cannot write: No space left on device; nothing was written\n"
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_an_unwritable_directory_is_exit_2(run: Run, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    target = tmp_path / "file" / "report.html"
    result = run("report", "-r", str(DATA), "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"jnap: error: {target}: cannot write") and result.stderr.count("\n") == 1


def test_the_report_is_the_same_every_time(run: Run, page: str) -> None:
    assert html_report(run, "-r", str(DATA)) == page
