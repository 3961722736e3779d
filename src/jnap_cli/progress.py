"""Progress of long work (reading, indexing, comparing), told to whoever listens: by default nobody.

The core marks its long steps with `step`; the CLI listens (`listen`) only when stderr is a terminal,
and its listener (`render.progress`) shows a bar only once a step has taken `render.progress.DELAY`.
Pure: no Rich, no threads, nothing printed here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Protocol


class Listener(Protocol):
    """What hears of progress: a step begins (with its size, if known), advances, ends."""

    def begin(self, what: str, total: int | None) -> None: ...

    def advance(self, amount: int) -> None: ...

    def end(self) -> None: ...


_listener: Listener | None = None
_depth = 0  # steps under way: only the outermost is told (one bar, never one bar replacing another)


def listen(listener: Listener | None) -> None:
    """Tell `listener` of every step from now on (None: nobody)."""
    global _listener  # noqa: PLW0603 (one listener per process, as one terminal per process)
    _listener = listener


def _ignore(_amount: int) -> None:
    return None


@contextlib.contextmanager
def step(what: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """A long step: `with step("Indexing", len(actions)) as advance: … advance(1) …`.

    A step inside another (indexing each file of a directory being read) is part of the outer one:
    only the outer step is told to the listener.
    """
    global _depth  # noqa: PLW0603 (see _listener)
    listener = _listener if _depth == 0 else None
    _depth += 1
    try:
        if listener is None:
            yield _ignore
            return
        listener.begin(what, total)
        try:
            yield listener.advance
        finally:
            listener.end()
    finally:
        _depth -= 1
