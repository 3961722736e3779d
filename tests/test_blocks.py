"""`jnap show` on a terminal: the blocks are laid out by jnap, as plain text or styled, the same words either way."""

from __future__ import annotations

import re

import pytest

from .conftest import Run

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize("columns", ["30", "44", "60", "80", "120"])
def test_colour_changes_no_character(run: Run, columns: str) -> None:
    args = ("show", "R4", "O14", "R13", "-f", "table")
    plain = run(*args, env={"COLUMNS": columns})
    styled = run(*args, env={"COLUMNS": columns, "FORCE_COLOR": "1"})
    assert plain.exit_code == styled.exit_code == 0
    assert "\x1b[1m" in styled.stdout  # the labels are bold
    unstyled = [line.rstrip() for line in ANSI.sub("", styled.stdout).splitlines()]
    assert unstyled == plain.stdout.splitlines()
    assert all(len(line) <= int(columns) for line in plain.stdout.splitlines())


def test_a_long_commentary_is_shown_whole(run: Run, tmp_path: object) -> None:
    from pathlib import Path

    from .registers import set_field, small, write

    paragraphs = [" ".join(f"word{n}x{m}" for m in range(300)) for n in range(40)]
    path = write(Path(str(tmp_path)) / "actions.toml", set_field(small(), "R1", "commentary", "\n\n".join(paragraphs)))
    shown = run("show", "R1", "-f", "table", "-r", str(path), env={"COLUMNS": "70"}).stdout
    words = [word for line in shown.splitlines() for word in line.split()]
    for paragraph in paragraphs:
        assert " ".join(paragraph.split()) in " ".join(words)
    assert max(len(line) for line in shown.splitlines()) <= 70
