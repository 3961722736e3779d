"""The README and the pages of docs/: every `console` example runs as printed, the rule table is generated,
the README stays a front door, and every relative link leads to a file and a heading that exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jnap_cli.render.report import Slugs

from .conftest import ROOT

README = ROOT / "README.md"
# The pages whose examples run: docs/cli.md is generated from --help and has none.
PAGES = [README, *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "cli.md")]
RULES_PAGE = ROOT / "docs" / "ci.md"
FRONT_DOOR_LINES = 250


def name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix() if page.is_relative_to(ROOT) else str(page)


def console_blocks(text: str) -> list[str]:
    return re.findall(r"```console\n(.*?)```", text, re.DOTALL)


def examples() -> list[tuple[Path, str, str]]:
    """(page, command, expected output) triples from the pages' ```console blocks."""
    triples: list[tuple[Path, str, str]] = []
    for page in PAGES:
        for block in console_blocks(page.read_text(encoding="utf-8")):
            for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
                command, _, output = chunk.partition("\n")
                triples.append((page, command, output))
    return triples


def test_every_console_block_is_a_run_example() -> None:
    # A block that does not start with `$ COMMAND` would be skipped silently.
    for page in PAGES:
        for block in console_blocks(page.read_text(encoding="utf-8")):
            assert block.startswith("$ "), f"{name(page)}: a console block must start with '$ ': {block[:60]!r}"
    assert {page for page, _, _ in examples()} >= {README, RULES_PAGE}


@pytest.mark.parametrize(("page", "command", "expected"), examples(), ids=[f"{name(p)}: {c}" for p, c, _ in examples()])
def test_example_runs_as_printed(page: Path, command: str, expected: str, tmp_path: Path) -> None:
    # The examples' scratch files (`/tmp/jnap-edit.toml`) go to the test's own directory: a test never
    # writes outside it. The output is compared as the page prints it.
    scratch = f"{tmp_path}/"
    actual = run_example(command.replace("/tmp/", scratch)).replace(scratch, "/tmp/")
    if os.environ.get("JNAP_UPDATE_DOCS") and actual != expected:  # rewrite the page's copy of the output
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace(f"$ {command}\n{expected}", f"$ {command}\n{actual}", 1), encoding="utf-8")
    else:
        assert actual == expected, actual


def run_example(command: str) -> str:
    """What `command` prints, stdout and stderr together, as a reader of the page would see it."""
    env = {k: v for k, v in os.environ.items() if k not in ("JNAP_REGISTER", "FORCE_COLOR")}
    env.update({"COLUMNS": "100", "NO_COLOR": "1", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"})
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=ROOT,
        env=env,
        capture_output=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        check=False,
    )
    return result.stdout


def rule_table() -> str:
    """The table of check rules, from the rule registry."""
    from jnap_cli.checks.rules import RULES

    rows = [f"| `{r.code}` | {r.severity} | {'yes' if r.fatal else 'no'} | {r.description} |" for r in RULES.values()]
    return "\n".join(["| code | severity | invalidates | what it finds |", "| --- | --- | --- | --- |", *rows]) + "\n"


def test_rule_table_is_generated_from_the_registry() -> None:
    marker = (
        "<!-- rules: generated from jnap_cli.checks.rules.RULES; "
        "JNAP_UPDATE_DOCS=1 pytest tests/test_readme.py rewrites it -->\n"
    )
    text = RULES_PAGE.read_text(encoding="utf-8")  # fresh: the examples may have rewritten it
    start = text.index(marker) + len(marker)
    end = text.index("\n\n", start) + 1
    if os.environ.get("JNAP_UPDATE_DOCS"):
        RULES_PAGE.write_text(text[:start] + rule_table() + text[end:], encoding="utf-8")
    else:
        stale = f"the rule table in {name(RULES_PAGE)} is stale: run JNAP_UPDATE_DOCS=1 pytest"
        assert text[start:end] == rule_table(), stale


def test_readme_is_a_front_door() -> None:
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= FRONT_DOOR_LINES, f"README.md has {lines} lines: the manual belongs in docs/, the README links it"


# Links: what GitHub renders as a link, outside code.

FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", re.DOTALL | re.MULTILINE)
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
LINK = re.compile(r"!?\[[^\]]*\]\(<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def prose(markdown: str) -> str:
    """`markdown` without its fenced blocks."""
    return FENCE.sub("", markdown)


def links(markdown: str) -> list[str]:
    """The targets of the links and images of `markdown`, outside code blocks and code spans."""
    return LINK.findall(CODE_SPAN.sub("", prose(markdown)))


def anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings of `markdown`: the heading's text as rendered, slugged."""
    slugs = Slugs()
    found: set[str] = set()
    for heading in HEADING.findall(prose(markdown)):
        rendered = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").replace("*", "")
        found.add(slugs(rendered))
    return found


def broken_links(page: Path) -> list[str]:
    broken: list[str] = []
    for target in links(page.read_text(encoding="utf-8")):
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", target):  # https:, mailto: — not ours to check
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and anchor not in anchors(resolved.read_text(encoding="utf-8")):
            broken.append(f"{target}: no heading with that anchor in {name(resolved)}")
    return broken


@pytest.mark.parametrize("page", [README, *sorted((ROOT / "docs").glob("*.md"))], ids=name)
def test_relative_links_resolve(page: Path) -> None:
    assert broken_links(page) == []


def test_link_checker_sees_a_broken_link(tmp_path: Path) -> None:
    other = tmp_path / "other.md"
    other.write_text(
        "# Other\n\n## `jnap show ID…`\n\n## Twice\n\n## Twice\n\n```bash\n# not a heading\n```\n", "utf-8"
    )
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n[ok](other.md#jnap-show-id) [ok](other.md#twice-1) [ok](#page) [web](https://example.com/x.md)\n"
        "[a link\nover two lines](other.md) `[code](missing.md)`\n\n```\n[fenced](missing.md)\n```\n"
        "[gone](missing.md) [bad anchor](other.md#not-a-heading) [self](#nope) [third](other.md#twice-2)\n",
        "utf-8",
    )
    assert broken_links(page) == [
        "missing.md: no such file",
        f"other.md#not-a-heading: no heading with that anchor in {name(other.resolve())}",
        f"#nope: no heading with that anchor in {name(page)}",
        f"other.md#twice-2: no heading with that anchor in {name(other.resolve())}",
    ]


def test_the_readme_links_every_page() -> None:
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in links(README.read_text("utf-8"))}
    unlinked = [name(page) for page in sorted((ROOT / "docs").glob("*.md")) if page.resolve() not in linked]
    assert unlinked == []
    assert (ROOT / "benchmarks" / "README.md").resolve() in linked
