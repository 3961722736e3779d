"""Register text and file names reach a CI log or a pull-request comment as text: `jnap check`'s findings
escape a hostile file name (GitHub's workflow-command escaping, terminal escapes, no line a runner would
run); the Markdown report keeps one heading per plan, theme and action, makes no markup of register text
and leaves GitHub no mention or issue reference to link."""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from jnap_cli.model.vocab import FindingFormat
from jnap_cli.render.report import Slugs, md_line, md_text
from jnap_cli.text import defuse_mentions

from .conftest import Run, line_of
from .registers import Data, find, set_field, small, write

# An ANSI colour, a right-to-left override, the workflow-command separators, a percent sign, and a newline
# after which a line of output could start `::error::`.
HOSTILE_NAME = "a\x1b[31m\u202eb,c:d%e\n::error::f.toml"
MESSAGE = "action R1: status_evidence: status_evidence 'nope' is not in the commentary"


@pytest.fixture
def hostile_path(tmp_path: Path) -> Path:
    assert not set(str(tmp_path)) & set(",:%\n"), "the expected lines below assume a plain temporary folder"
    return write(tmp_path / HOSTILE_NAME, set_field(small(), "R1", "status_evidence", "nope"))


def check(run: Run, path: Path | str, fmt: str) -> str:
    result = run("check", "-r", str(path), "-f", fmt, "--select", "evidence-not-found")
    assert result.exit_code == 1, result.output
    if fmt == "xlsx":  # a workbook, which no CI log reads: the text of its cells, a line each
        import openpyxl

        sheets = openpyxl.load_workbook(io.BytesIO(result.stdout_bytes)).worksheets
        cells = (
            str(cell).replace("\n", "\\n")
            for sheet in sheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        )
        return "".join(f"{cell}\n" for cell in cells)
    return result.stdout


def test_github_annotation_escapes_a_hostile_file_name(run: Run, hostile_path: Path) -> None:
    line = line_of(hostile_path, "status_evidence = ")
    assert check(run, hostile_path, "github") == (
        f"::error file={hostile_path.parent}/a\\x1b[31m<U+202E>b%2Cc%3Ad%25e%0A%3A%3Aerror%3A%3Af.toml,"
        f"line={line},title=evidence-not-found::{MESSAGE}\n"
    )


def test_text_finding_is_one_line_whatever_the_file_name(run: Run, hostile_path: Path) -> None:
    line = line_of(hostile_path, "status_evidence = ")
    assert check(run, hostile_path, "text") == (
        f"{hostile_path.parent}/a\\x1b[31m<U+202E>b,c:d%e\\n::error::f.toml:{line}: action R1: status_evidence: "
        "error: status_evidence 'nope' is not in the commentary [evidence-not-found]\n"
    )


def test_a_file_name_starting_with_a_workflow_command(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "::error::x.toml", set_field(small(), "R1", "status_evidence", "nope"))
    monkeypatch.chdir(tmp_path)
    line = line_of(tmp_path / "::error::x.toml", "status_evidence = ")
    assert check(run, "::error::x.toml", "text") == (
        f"'::error::x.toml:{line}: action R1: status_evidence: error: status_evidence 'nope' is not in the "
        "commentary [evidence-not-found]\n"
    )
    assert check(run, "::error::x.toml", "github") == (
        f"::error file=%3A%3Aerror%3A%3Ax.toml,line={line},title=evidence-not-found::{MESSAGE}\n"
    )


@pytest.mark.parametrize("fmt", list(FindingFormat))
def test_no_finding_format_lets_a_hostile_file_name_through(run: Run, hostile_path: Path, fmt: str) -> None:
    output = check(run, hostile_path, fmt)
    assert "\x1b" not in output and "\u202e" not in output
    commands = [line for line in output.splitlines() if line.lstrip().startswith("::")]
    assert commands == ([output.rstrip("\n")] if fmt == "github" else []), "a line a CI runner would run"


# The Markdown report, parsed by a CommonMark parser (with GitHub's tables) to see its structure.

MD_HOSTILE = (
    "\n# Injected @octocat #123 org/repo#45 GH-7 user#8 @org/team <script>alert(1)</script> "
    "[x](javascript:alert(1)) <!-- `tick` *em* _u_ ~~s~~ | pipe\n> quote\n- item\n1. one\n    code\n```\n---\n===\n"
)
# What a reader sees of it on one line: a space for each line break, a zero-width space in each reference.
MD_SHOWN = (
    "# Injected @\u200boctocat #\u200b123 org/repo#\u200b45 GH-\u200b7 user#\u200b8 @\u200borg/team "
    "<script>alert(1)</script> [x](javascript:alert(1)) <!-- `tick` *em* _u_ ~~s~~ | pipe > quote - item "
    "1. one code ``` --- ==="
)
# Plain words on one line: the report of a register with these has the structure the hostile one must have.
# The spaces around them must not undo the bold of a plan's row in the summary table either.
MD_CLEAN = " plain words "

# GitHub's own patterns for a mention, a team mention and an issue reference, as published in
# gjtorikian/html-pipeline (MentionFilter, TeamMentionFilter, IssueMentionFilter); they must find nothing
# in the text a reader sees.
GITHUB_MENTION = re.compile(
    r"(?:^|\W)@((?>[a-z0-9][a-z0-9-]*))(?!/)(?=\.+[ \t\W]|\.+$|[^0-9a-zA-Z_.]|$)"  # MentionFilter
    r"|(?<!\w)@([a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9\-_]*)\b",  # TeamMentionFilter
    re.IGNORECASE,
)
GITHUB_ISSUE = re.compile(r"(?:^|\W)(?:gh-|#)\d+\b|(?:^|\s|[(\[{])[\w-]+/?[.\w-]*#\d+\b", re.IGNORECASE)


def hostile_register(tmp_path: Path, text: str) -> Path:
    data: Data = small()
    data["title"] = "Register" + text
    data["source"] = text + "source"
    data["plans"][0]["title"] = "Refresh" + text
    data["plans"][1]["title"] = text + "Original"
    r1 = find(data, "R1")
    r1["theme"] = "Theme" + text
    r1["text"] = text + r1["text"]
    r1["commentary"] = r1["commentary"] + "\n\n" + text.strip()
    r1["status_evidence"] = text.strip()
    r1["references"] = [text]
    find(data, "R2")["builds_on"] = [{"id": "O1", "reason": text}]
    find(data, "O3")["theme"] = text
    return write(tmp_path / f"{len(text)}.toml", copy.deepcopy(data))


def markdown_tokens(run: Run, path: Path) -> list[Token]:
    result = run("report", "-r", str(path), "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(result.stdout)


def flat(tokens: list[Token]) -> list[Token]:
    return [t for token in tokens for t in [token, *(token.children or [])]]


def shape(tokens: list[Token]) -> list[tuple[Any, ...]]:
    """Every block and inline token but text and line breaks: the document's structure, none of its words."""
    return [
        (t.type, t.tag, t.nesting, t.markup, t.info)
        for t in flat(tokens)
        if t.type not in ("text", "softbreak") and not (t.type == "html_inline" and t.content == "<br>")
    ]


def headings(tokens: list[Token]) -> list[tuple[int, str]]:
    return [
        (int(token.tag[1]), "".join(c.content for c in tokens[n + 1].children or [] if c.type == "text"))
        for n, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


def test_markdown_report_structure_is_the_same_for_hostile_text(run: Run, tmp_path: Path) -> None:
    hostile = markdown_tokens(run, hostile_register(tmp_path, MD_HOSTILE))
    clean = markdown_tokens(run, hostile_register(tmp_path, MD_CLEAN))
    assert shape(hostile) == shape(clean), "register text made Markdown structure"
    assert [t.info for t in hostile if t.type == "fence"] == ["mermaid"]
    links = [t.attrs["href"] for t in flat(hostile) if t.type == "link_open"]
    assert links and all(str(href).startswith("#action-") for href in links)
    assert {t.content for t in flat(hostile) if t.type == "html_inline"} == {"<br>"}  # a table cell's line break


def test_markdown_headings_stay_on_one_line(run: Run, tmp_path: Path) -> None:
    tokens = markdown_tokens(run, hostile_register(tmp_path, MD_HOSTILE))
    assert headings(tokens) == [
        (1, f"Register {MD_SHOWN}"),
        (2, "Needs attention"),
        (2, "Summary"),
        (2, "Relations"),
        (2, f"Refresh {MD_SHOWN} (2022)"),
        (3, f"Theme {MD_SHOWN}"),
        (4, "Action R1"),
        (3, "Working with victims"),
        (4, "Action R2"),
        (3, "Our People"),
        (4, "Action R3"),
        (2, f"{MD_SHOWN} Original (2021)"),
        (3, "Supporting Victims"),
        (4, "Action O1"),
        (4, "Action O2"),
        (3, MD_SHOWN),
        (4, "Action O3"),
        (2, "Sources and method"),
    ]


def test_markdown_report_has_no_live_mention_or_issue_reference(run: Run, tmp_path: Path) -> None:
    tokens = flat(markdown_tokens(run, hostile_register(tmp_path, MD_HOSTILE)))
    inside_link = False
    seen: list[str] = []
    for token in tokens:
        inside_link = token.type == "link_open" or (inside_link and token.type != "link_close")
        if token.type == "text" and not inside_link:
            seen.append(token.content)
    shown = "\n".join(seen)
    assert shown.count("@\u200boctocat") >= 10 and shown.count("org/repo#\u200b45") >= 10
    assert GITHUB_MENTION.findall(shown) == []
    assert GITHUB_ISSUE.findall(shown) == []
    # The Markdown source shows the zero-width space as an entity: nothing invisible reaches a terminal.
    source = run("report", "-r", str(hostile_register(tmp_path, MD_HOSTILE)), "-f", "markdown").stdout
    assert "\u200b" not in source and "@&#8203;octocat" in source and "GH-&#8203;7" in source


def test_github_patterns_find_what_the_report_defuses() -> None:
    """The patterns above are live: they find the references in the raw hostile text."""
    assert GITHUB_MENTION.findall(MD_HOSTILE) == [("octocat", ""), ("", "org/team")]
    assert len(GITHUB_ISSUE.findall(MD_HOSTILE)) == 4  # #123, org/repo#45, GH-7, user#8


def test_markdown_links_still_reach_their_headings(run: Run, tmp_path: Path) -> None:
    """Anchors are worked out from the headings as shown (one line), as GitHub works them out."""
    tokens = markdown_tokens(run, hostile_register(tmp_path, MD_HOSTILE))
    slugs = Slugs()
    anchors = {slugs(text) for _level, text in headings(tokens)}
    links = {str(t.attrs["href"]).removeprefix("#") for t in flat(tokens) if t.type == "link_open"}
    assert links and links <= anchors


def test_md_line_and_defuse_mentions() -> None:
    assert md_line(" a\n# b\r\n  - c ") == "a \\# b - c"
    assert md_text("@octocat #1 o/r#2 GH-3 gh-4 a_b@c") == (
        "@&#8203;octocat \\#&#8203;1 o/r\\#&#8203;2 GH-&#8203;3 gh-&#8203;4 a\\_b@&#8203;c"
    )
    # Not a mention or a reference: left alone. An entity in the register stays text, its `#` defused.
    assert defuse_mentions("@ # x#y high-5 ugh-6") == "@ # x#y high-5 ugh-6"
    assert md_text("&#64;me") == "&amp;\\#&#8203;64;me"  # shown as the text &#64;me, not as @me


def test_markdown_records_have_no_live_mention_or_issue_reference(run: Run, tmp_path: Path) -> None:
    """`jnap list --format markdown` is pasted into pull requests as often as the report."""
    result = run("list", "-r", str(hostile_register(tmp_path, MD_HOSTILE)), "--format", "markdown")
    assert result.exit_code == 0, result.output
    shown = result.stdout.replace("&#8203;", "\u200b")
    assert "@\u200boctocat" in shown and "org/repo#\u200b45" in shown
    assert GITHUB_MENTION.findall(shown) == [] and GITHUB_ISSUE.findall(shown) == []
