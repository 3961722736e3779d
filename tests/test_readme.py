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
def test_example_runs_as_printed(command: str, expected: str) -> None:
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
    assert result.stdout == expected, result.stdout
