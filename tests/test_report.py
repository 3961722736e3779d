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
import subprocess
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import html5lib  # type: ignore[import-untyped]
import pytest

from jnap_cli import __version__
from jnap_cli.query.graph import crossings, drawing_order, edges, ordered
from jnap_cli.register.source import load
from jnap_cli.render.report import Slugs, md_text, summary

from .conftest import DATA, Run, git
from .registers import find, small, split, write

SVG = "{http://www.w3.org/2000/svg}"

# Markup, script, attribute breakers, URLs, Rich markup, an ANSI sequence, bidi and zero-width characters,
# a line that would be a Markdown heading, GitHub mentions and issue references.
HOSTILE = (
    "</script><script>alert(1)</script><img src=x onerror=alert(1)> </style><style>*{}</style> "
    '"\' onmouseover="alert(2)" ]]> <!-- --> <svg onload=alert(3)> javascript:alert(4) [x](javascript:alert(5)) '
    "[bold red]alarm[/] \x1b[31mred\x1b[0m \u202eevil\u202c zero\u200bwidth | pipe `tick` *star* "
    "\n# Injected @octocat #123 org/repo#45 GH-7 "
)


# A fixed date, as reproducible-builds.org's SOURCE_DATE_EPOCH gives one: the page is the same every day.
EPOCH = "1700000000"  # 2023-11-14 22:13:20 UTC


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


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
    r8 = root.find(".//article[@id='action-R8']")
    assert r8 is not None
    text = "".join(r8.itertext())
    assert "Builds on" in text and "Continues" in text


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


# What is stuck, first: the headline numbers and every action not complete, above everything else.

KEY = "ʳ supplied by the register, not printed in the annex"  # the key to the marks on plans' titles and years
NOT_COMPLETE = ["R14", "R15", "R19", "O11", "O13", "R4", "R5", "O23", "R3", "O7", "R11", "R16"]


def text_of(element: Element | None) -> str:
    assert element is not None
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def test_the_page_opens_with_the_numbers_and_what_needs_attention(page: str) -> None:
    root = parse(page)
    main = root.find(".//main")
    assert main is not None
    sections = [child.get("id") for child in main if local(child.tag) == "section"]
    assert sections[:5] == ["headline", "attention", "handed", "summary", "relations"]
    assert sections[-1] == "about", "sources and method come last"
    header = root.find(".//header")
    assert header is not None and header.find(".//dl") is None, "no provenance before the numbers"
    assert [text_of(li) for li in root.findall(".//ul[@class='headline']/li")] == [
        "73% complete: 32 of 44 actions",
        "12 not complete: 5 in progress, 3 ongoing, 2 transferred, 2 deferred",
        "60% JNAP Refresh: 12 of 20 complete, as of 2024",
        "83% Police-CPS Joint National RASSO Action Plan 2021ʳ: 20 of 24 complete, as of 2022",
    ]
    key = KEY
    headline = root.find(".//section[@id='headline']")
    assert [text_of(p) for p in headline.findall("p")] == [key] if headline is not None else False
    # Sources and method: one click away, from the contents at the top.
    toc = [a.get("href") for a in root.findall(".//nav//a")]
    assert toc[0] == "#attention" and toc[-1] == "#about"
    about = text_of(root.find(".//section[@id='about']"))
    assert "Source Police-CPS joint national rape action plan" in about and "statuses as of 2024" in about
    assert f"with the final report. {key} The annex prints no status column" in about, "the key in the sources too"
    # The annex's own introductions, word for word, and what the register supplies, marked.
    assert (
        "JNAP Refresh published 2022ʳ; statuses as of 2024 (Final Report 2024 annex: new updates published with "
        "the final report). The annex introduces its actions: Actions 1 – 20 directly below are from the JNAP "
        "Refresh, for which the commentary will be new updates published with the final report."
    ) in about
    assert "Police-CPS Joint National RASSO Action Plan 2021ʳ published 2021ʳ;" in about
    marks = root.findall(".//abbr[@class='supplied']")
    assert {m.text for m in marks} == {"ʳ"} and {m.get("title") for m in marks} == {KEY[2:]}


def test_needs_attention_lists_every_action_not_complete_by_status(page: str) -> None:
    register = load(DATA)
    from jnap_cli.model.vocab import STATUSES

    by_status = [a.id for s in STATUSES if s != "complete" for a in register.actions if a.status == s]
    assert by_status == NOT_COMPLETE
    root = parse(page)
    items = root.findall(".//section[@id='attention']/ol/li")
    assert [li.get("data-id") for li in items] == NOT_COMPLETE
    actions = {a.id: a for a in register.actions}
    for li in items:
        action = actions[str(li.get("data-id"))]
        assert li.get("data-status") == action.status
        link = li.find(".//a[@class='id']")
        assert link is not None and link.get("href") == f"#action-{action.id}"
        assert text_of(li.find(".//span[@class='badge s-" + action.status + "']")).lower() == action.status.replace(
            "-", " "
        )
        assert text_of(li.find(".//p[@class='summary-line']")) == summary(action.text)
        assert f"“{action.status_evidence}”" in text_of(li)
    r11, o7 = items[NOT_COMPLETE.index("R11")], items[NOT_COMPLETE.index("O7")]
    # Where deferred work waits, where transferred work went: the links the register records.
    assert "Builds on R9: aim met by" in text_of(r11)
    assert "Continued by R6" in text_of(o7) and "Builds on O6" in text_of(o7)
    assert text_of(items[0]).startswith("R14 In progress as of 2024; inferred Launch and evaluate pilot")


def test_summary_is_the_first_sentence_shortened_at_a_word() -> None:
    assert summary("Pilot and evaluate new approaches. Then more.") == "Pilot and evaluate new approaches."
    assert summary("One line\nof text, e.g. this") == "One line of text, e.g. this"
    assert summary("word " * 40) == ("word " * 24).strip() + "…"  # 119 characters, then the mark


def test_markdown_opens_with_the_numbers_and_what_needs_attention(run: Run) -> None:
    result = run("report", "-r", str(DATA), "--format", "markdown")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[4:8] == [
        "- **73% complete:** 32 of 44 actions",
        "- **12 not complete:** 5 in progress, 3 ongoing, 2 transferred, 2 deferred",
        "- **JNAP Refresh:** 12 of 20 complete (60%), as of 2024",
        "- **Police-CPS Joint National RASSO Action Plan 2021ʳ:** 20 of 24 complete (83%), as of 2022",
    ]
    key = KEY
    assert lines[8:12] == ["", key, "", "## Needs attention"]
    assert "## Police-CPS Joint National RASSO Action Plan 2021ʳ (2021ʳ)" in lines
    assert lines.count(key) == 2, "in the headline and in the sources"
    attention = lines[lines.index("## Needs attention") : lines.index("## Handed elsewhere")]
    items = [line for line in attention if line.startswith("- [")]
    assert [re.match(r"- \[(\w+)\]", line)[1] for line in items] == NOT_COMPLETE  # type: ignore[index]
    assert items[-2].startswith("- [R11](#action-r11) **Deferred** (as of 2024; inferred): Update the joint police")
    assert any(line.startswith("  - Builds on: [R9](#action-r9) (aim met by") for line in lines)
    assert lines.index("## Needs attention") < lines.index("## Summary") < lines.index("## Sources and method")


# When and from what.


def made_line(page: str) -> str:
    return text_of(parse(page).find(".//p[@class='made']"))


def test_the_date_is_source_date_epochs(run: Run) -> None:
    page = html_report(run, "-r", str(DATA))
    assert '<time datetime="2023-11-14">14 November 2023</time>' in page
    markdown = run("report", "-r", str(DATA), "-f", "markdown", env={"SOURCE_DATE_EPOCH": "0"}).stdout
    assert markdown.splitlines()[2].startswith("*Made on 1 January 1970 by jnap ")


@pytest.mark.parametrize("value", ["soon", "-1", "1e9", "99999999999999999999"])
def test_a_malformed_source_date_epoch_is_a_usage_error(run: Run, value: str) -> None:
    result = run("report", "-r", str(DATA), env={"SOURCE_DATE_EPOCH": value})
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"jnap: error: SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds since 1970-01-01 UTC; "
        "set it to a time such as $(git log -1 --format=%ct), or unset it for today's date\n"
    )


def test_without_source_date_epoch_the_date_is_todays(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = datetime.date.today()
    page = html_report(run, "-r", str(DATA))
    days = {before, datetime.date.today()}  # a run across midnight
    assert any(f'<time datetime="{day.isoformat()}">' in page for day in days)


def test_in_a_git_work_tree_the_report_names_the_commit(run: Run, tmp_path: Path, git_env: None) -> None:
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    register = write(repo / "data" / "actions.toml", small())
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "register")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    page = html_report(run, "-r", str(register))
    made = f"Made on 14 November 2023 by jnap {__version__} from data/actions.toml at commit {head[:12]}"
    assert made_line(page) == f"{made}."
    assert html_report(run, "-r", str(register)) == page, "the same commit, the same page"
    # A register changed since: the commit, and the hash of what the report was made from.
    register.write_text(register.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    digest = hashlib.sha256(register.read_bytes()).hexdigest()[:12]
    changed = f"{made}, with changes not yet committed (SHA-256 {digest})."
    assert made_line(html_report(run, "-r", str(register))) == changed
    markdown = run("report", "-r", str(register), "-f", "markdown").stdout
    assert markdown.splitlines()[2] == f"*{changed}*"


def test_a_register_git_does_not_track_is_named_by_its_hash(run: Run, tmp_path: Path, git_env: None) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "commit", "-q", "--allow-empty", "-m", "empty")
    register = write(repo / "actions.toml", small())  # in the work tree, never committed
    digest = hashlib.sha256(register.read_bytes()).hexdigest()[:12]
    expected = f"Made on 14 November 2023 by jnap {__version__} from actions.toml, SHA-256 {digest}."
    assert made_line(html_report(run, "-r", str(register))) == expected


def test_outside_git_the_report_names_the_registers_hash(run: Run, tmp_path: Path, git_env: None) -> None:
    register = write(tmp_path / "plan.toml", small())
    digest = hashlib.sha256(register.read_bytes()).hexdigest()
    page = html_report(run, "-r", str(register))
    assert made_line(page) == f"Made on 14 November 2023 by jnap {__version__} from plan.toml, SHA-256 {digest[:12]}."
    assert str(tmp_path) not in made_line(page), "no path of the machine it was made on"
    # A directory register: the hash of its files' hashes, as `sha256sum *.toml | sha256sum` prints it.
    folder = split(small(), tmp_path / "register")
    listing = "".join(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n" for path in sorted(folder.glob("*.toml"))
    )
    folder_digest = hashlib.sha256(listing.encode()).hexdigest()[:12]
    assert made_line(html_report(run, "-r", str(folder))) == (
        f"Made on 14 November 2023 by jnap {__version__} from register, SHA-256 {folder_digest}."
    )


# The chart's labels wrap, never cut; the graph crosses few links and says each node's status and text.


def test_no_chart_or_graph_label_is_cut(run: Run, page: str) -> None:
    stats = json.loads(run("stats", "-r", str(DATA), "--format", "json").stdout)
    # A title the annex does not print is marked as the register's, in the chart as everywhere.
    titles = {"refresh": "JNAP Refresh", "original": "Police-CPS Joint National RASSO Action Plan 2021ʳ"}
    root = parse(page)
    labels = [text_of(span) for span in root.findall(".//ul[@class='chart']/li/div/span[@class='label']")]
    assert labels == [titles[r["plan"]] if r["theme"] is None else r["theme"] for r in stats]
    assert "Building a strong case as early as possible" in labels
    columns = ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == "column-label"]
    assert columns == ["original (2021ʳ)", "refresh (2022ʳ)"]
    assert "…" not in "".join(labels + columns)


def test_crossings_counts_lines_between_columns_and_arcs_inside_one() -> None:
    assert crossings([["a", "b"], ["x", "y"]], [("a", "y"), ("b", "x")]) == 1
    assert crossings([["a", "b"], ["x", "y"]], [("a", "x"), ("b", "y")]) == 0
    assert crossings([["a", "b"], ["x"]], [("a", "x"), ("b", "x")]) == 0  # a shared end is no crossing
    assert crossings([["a", "b", "c", "d"]], [("a", "c"), ("b", "d")]) == 1  # interleaved arcs
    assert crossings([["a", "b", "c", "d"]], [("a", "d"), ("b", "c")]) == 0  # nested arcs
    assert ordered([["a", "b"], ["x", "y"]], [("a", "y"), ("b", "x")]) == [["a", "b"], ["y", "x"]]
    assert ordered([], []) == []


def test_the_graph_is_ordered_to_cross_fewer_links_on_the_shipped_register(page: str) -> None:
    register = load(DATA)
    found = edges(register)
    links = [(e.source, e.target) for e in found]
    ends = {end for link in links for end in link}
    older_first = [plan for year, plan in sorted((p.year, p.id) for p in register.plans)]
    in_file_order = [[a.id for a in register.actions if a.plan == plan and a.id in ends] for plan in older_first]
    drawn = [ids for _, ids in drawing_order(register, found)]
    assert sorted(map(sorted, drawn)) == sorted(map(sorted, in_file_order)), "the same actions, reordered"
    assert crossings(in_file_order, links) == 34
    assert crossings(drawn, links) == 0
    # The page draws that order, one column per plan, the older plan on the left.
    root = parse(page)
    nodes = [a for a in root.iter(f"{SVG}a") if "node" in (a.get("class") or "")]
    assert [str(a.get("href")).removeprefix("#action-") for a in nodes] == [i for ids in drawn for i in ids]


def test_each_node_says_its_status_and_text(page: str) -> None:
    actions = {a.id: a for a in load(DATA).actions}
    root = parse(page)
    nodes = [a for a in root.iter(f"{SVG}a") if "node" in (a.get("class") or "")]
    assert len(nodes) == 27
    for node in nodes:
        action = actions[str(node.get("href")).removeprefix("#action-")]
        (title,) = node.iter(f"{SVG}title")
        label = action.status.replace("-", " ").capitalize()
        assert title.text == f"{action.id} · {label}: {' '.join(action.text.split())}"
        (use,) = node.iter(f"{SVG}use")
        assert use.get("href") == f"#icon-{action.status}"
        assert node.get("class") == f"node s-{action.status}"
    assert "The other 17 actions have no link and are not drawn." in page


def test_the_tally_names_each_status_in_words_beside_its_icon(page: str) -> None:
    root = parse(page)
    header = root.findall(".//table[@class='tally']/thead/tr/th")
    assert [text_of(th) for th in header] == [
        "Plan or theme", "Complete", "In progress", "Ongoing", "Transferred", "Deferred", "Total", "% complete",
    ]  # fmt: skip
    icons = [use.get("href") for th in header for use in th.iter(f"{SVG}use")]
    assert icons == ["#icon-complete", "#icon-in-progress", "#icon-ongoing", "#icon-transferred", "#icon-deferred"]
    assert [abbr.get("title") for abbr in header[-1].iter("abbr")] == ["% complete"]
