"""Smoke test of the benchmarks' register generator: what it writes loads, passes `jnap check`, and is reproducible."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .conftest import ROOT, Run

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate


def test_generated_register_passes_check_and_is_reproducible(run: Run, tmp_path: Path) -> None:
    corpus = generate.load_corpus()
    data = generate.dumps(generate.generate(200, seed=7, corpus=corpus))
    assert data == generate.dumps(generate.generate(200, seed=7, corpus=corpus))
    register = tmp_path / "actions.toml"
    register.write_bytes(data)

    result = run("check", "-r", str(register), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["errors"] == 0

    listed = run("list", "-r", str(register), "--format", "ids")
    assert len(listed.stdout.split()) == 200, listed.output


def test_next_version_passes_check(run: Run, tmp_path: Path) -> None:
    document = generate.generate(200, seed=7)
    register = tmp_path / "next.toml"
    register.write_bytes(generate.dumps(generate.next_version(document, seed=7)))

    result = run("check", "-r", str(register), "--format", "json")
    assert result.exit_code == 0, result.output
