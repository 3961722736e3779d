"""Progress of long steps (jnap_cli.progress): what the core reports, and the bar that shows it late."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from jnap_cli import progress
from jnap_cli.register.source import load
from jnap_cli.render.progress import DelayedBar

from .registers import action, small, write


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def begin(self, what: str, total: int | None) -> None:
        self.events.append(("begin", (what, total)))

    def advance(self, amount: int) -> None:
        self.events.append(("advance", amount))

    def end(self) -> None:
        self.events.append(("end", None))


@pytest.fixture
def recorder() -> object:
    listener = Recorder()
    progress.listen(listener)
    yield listener
    progress.listen(None)


def test_reading_and_indexing_are_reported(recorder: Recorder, tmp_path: Path) -> None:
    data = small()
    data["actions"] += [action(f"R{n}", "refresh", n) for n in range(4, 2504)]
    path = write(tmp_path / "actions.toml", data)
    load(path)
    begun = [event[1] for event in recorder.events if event[0] == "begin"]
    assert begun == [(f"Reading {path}", None), ("Indexing 2506 actions", 5012)]
    advanced = [amount for kind, amount in recorder.events if kind == "advance"]
    assert sum(advanced) == 5012  # type: ignore[arg-type]
    assert [kind for kind, _ in recorder.events].count("end") == 2


def test_nobody_listens_by_default(tmp_path: Path) -> None:
    with progress.step("anything", 3) as advance:
        advance(1)  # nothing to tell, nothing fails


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_quick_step_draws_nothing() -> None:
    stream = Terminal()
    bar = DelayedBar(stream, delay=0.5)
    bar.begin("Reading actions.toml", None)
    bar.end()
    time.sleep(0.6)
    assert stream.getvalue() == ""


def test_a_step_that_begins_late_in_a_run_shows_at_once() -> None:
    stream = Terminal()
    bar = DelayedBar(stream, delay=0.2)
    time.sleep(0.3)
    bar.begin("Comparing HEAD~1 and HEAD", None)
    time.sleep(0.3)
    bar.end()
    assert "Comparing HEAD~1 and HEAD" in stream.getvalue()


def test_a_slow_step_draws_a_bar_and_clears_it() -> None:
    stream = Terminal()
    bar = DelayedBar(stream, delay=0.05, color=False)
    bar.begin("Indexing 9000 actions \x1b[31m[bold]x", 9000)
    bar.advance(3000)
    time.sleep(0.5)
    bar.end()
    drawn = stream.getvalue()
    assert "Indexing 9000 actions" in drawn
    assert "3000/9000" in drawn
    assert "\x1b[31m" not in drawn and "[bold]x" in drawn  # the text literally, never a control sequence


def test_a_step_inside_another_is_part_of_it(recorder: Recorder) -> None:
    with progress.step("Reading 3 files", 3) as outer:
        with progress.step("Indexing 12000 actions", 24000) as inner:
            inner(1000)
        outer(1)
    assert recorder.events == [("begin", ("Reading 3 files", 3)), ("advance", 1), ("end", None)]
