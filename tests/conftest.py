"""Shared fixtures: run the CLI the way a user does, on the bundled register or an edited copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from jnap_cli.cli import app

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "actions.toml"
SOURCE = ROOT / "data" / "source" / "annex.txt"
# The installed `jnap` script, beside this Python: what a user's shell runs.
JNAP = shutil.which("jnap", path=str(Path(sys.executable).parent)) or "jnap"

Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests see no colour settings or register override from the developer's shell, and each test has a
    cache directory of its own (never the developer's)."""
    for name in ("NO_COLOR", "FORCE_COLOR", "JNAP_REGISTER", "JNAP_DEBUG", "TERM", "COLUMNS", "JNAP_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("JNAP_MAX_BYTES", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    # Temporary files jnap makes (a text kept after a refused edit, $EDITOR's page) stay in the test's
    # own directory, in this process (tempfile caches its directory) and in the jnap it starts.
    scratch = tmp_path_factory.mktemp("tmp")
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))


@pytest.fixture
def run() -> Run:
    """`run("check", "--format", "json")` → the Result; exceptions propagate (tests fail loudly)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def register_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled register."""
    target = tmp_path / "actions.toml"
    shutil.copyfile(DATA, target)
    return target


DEVICES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7)}


def device(folder: Path, name: str) -> Path:
    """The test's own character device `name` (null, zero or full) in `folder`: never the machine's own in
    /dev, which a tool that renames over what it is given would destroy. Only root makes device nodes."""
    import os
    import stat

    if os.geteuid() != 0:
        pytest.skip("only root can make device nodes")
    path = folder / name
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(*DEVICES[name]))
    return path


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace `old` by `new` in the file, insisting that `old` is there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The 1-based number of the first line of `path` containing `needle`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture
def git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git without the developer's configuration, and neither git nor jnap looking above the test's directory."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{name}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{name}_EMAIL", "test@example.com")


def git(root: Path, *args: str) -> None:
    """Run git in `root`, failing the test when git fails."""
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, timeout=30)


def jnap(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A real run of the installed script in `cwd`, without the developer's register or colour settings."""
    environment = {k: v for k, v in os.environ.items() if k not in ("JNAP_REGISTER", "NO_COLOR", "FORCE_COLOR")}
    environment.update(env or {})
    return subprocess.run(
        [JNAP, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=60, check=False
    )
