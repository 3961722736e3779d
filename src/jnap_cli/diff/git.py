"""Running git itself (no git library): its stdout, or one line that says what went wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

from jnap_cli.errors import InputUnreadable
from jnap_cli.text import escape_unsafe, one_line

GIT_TIMEOUT = 10.0  # seconds; a local `git show` or `git log` of one file takes milliseconds


def run_git(args: list[str], where: Path, label: str, *, missing: tuple[str, str], failure: str, hint: str) -> bytes:
    """git's stdout. Errors name `label`: git not installed is `missing` (message, hint); git failing is
    `LABEL: FAILURE: <git's first line>`; a hang past `GIT_TIMEOUT` or a git that cannot start, one line."""
    import subprocess

    git = shutil.which("git")
    if git is None:
        raise InputUnreadable(*missing)
    try:
        done = subprocess.run(
            [git, *args], cwd=where, stdin=subprocess.DEVNULL, capture_output=True, timeout=GIT_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise InputUnreadable(f"{one_line(label)}: git did not answer within {GIT_TIMEOUT:g} s") from None
    except OSError as exc:
        raise InputUnreadable(f"{one_line(label)}: cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        said = escape_unsafe(lines[0]).rstrip(".") if lines else f"git exited with status {done.returncode}"
        raise InputUnreadable(f"{one_line(label)}: {failure}: {said}", hint)
    return done.stdout
