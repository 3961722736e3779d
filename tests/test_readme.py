"""Every `console` example in the README runs as printed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def examples() -> list[tuple[str, str]]:
    """(command, expected output) pairs from the README's ```console blocks."""
    pairs: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", README, re.DOTALL):
        for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, output = chunk.partition("\n")
            pairs.append((command, output))
    return pairs


def test_readme_has_examples() -> None:
    assert len(examples()) >= 1


@pytest.mark.parametrize(("command", "expected"), examples(), ids=[c for c, _ in examples()])
def test_example_runs_as_printed(command: str, expected: str, tmp_path: Path) -> None:
    # The examples' scratch files (`/tmp/jnap-edit.toml`) go to the test's own directory: a test never
    # writes outside it. The output is compared as the README prints it.
    scratch = f"{tmp_path}/"
    actual = run_example(command.replace("/tmp/", scratch)).replace(scratch, "/tmp/")
    if os.environ.get("JNAP_UPDATE_DOCS") and actual != expected:  # rewrite the README's copy of the output
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        readme.write_text(text.replace(f"$ {command}\n{expected}", f"$ {command}\n{actual}", 1), encoding="utf-8")
    else:
        assert actual == expected, actual


def run_example(command: str) -> str:
    """What `command` prints, stdout and stderr together, as a reader of the README would see it."""
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
    """The README's table of check rules, from the rule registry."""
    from jnap_cli.checks.rules import RULES

    rows = [f"| `{r.code}` | {r.severity} | {'yes' if r.fatal else 'no'} | {r.description} |" for r in RULES.values()]
    return "\n".join(["| code | severity | invalidates | what it finds |", "| --- | --- | --- | --- |", *rows]) + "\n"


def test_rule_table_is_generated_from_the_registry() -> None:
    marker = (
        "<!-- rules: generated from jnap_cli.checks.rules.RULES; "
        "JNAP_UPDATE_DOCS=1 pytest tests/test_readme.py rewrites it -->\n"
    )
    readme = (ROOT / "README.md").read_text(encoding="utf-8")  # fresh: the examples may have rewritten it
    start = readme.index(marker) + len(marker)
    end = readme.index("\n\n", start) + 1
    if os.environ.get("JNAP_UPDATE_DOCS"):
        (ROOT / "README.md").write_text(readme[:start] + rule_table() + readme[end:], encoding="utf-8")
    else:
        assert readme[start:end] == rule_table(), "the README's rule table is stale: run JNAP_UPDATE_DOCS=1 pytest"
