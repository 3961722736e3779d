"""Without selenium the browser tests are skipped, saying why, as they are without chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def test_the_browser_tests_skip_without_selenium(tmp_path: Path) -> None:
    missing = tmp_path / "selenium"  # stands in for an environment without selenium
    missing.mkdir()
    (missing / "__init__.py").write_text('raise ModuleNotFoundError("No module named \'selenium\'", name="selenium")\n')
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "tests/test_report_browser.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, done.stdout + done.stderr  # the module is skipped
    assert "selenium is not installed: pip install '.[test]'" in done.stdout
    assert done.stdout.splitlines()[-1].startswith("1 skipped in "), done.stdout
