"""A progress bar on stderr for a run that takes more than about a second (`jnap_cli.progress`).

Nothing is drawn, and Rich is not even imported, while a run is younger than `DELAY`: most runs are
quick and their stderr stays empty. A step still going at that age shows its bar then; a step that
begins later shows its bar at once. The bar is transient (it clears itself when the step ends) and
never touches stdout.
"""

from __future__ import annotations

import threading
import time
from typing import IO, Any

from jnap_cli.text import escape_unsafe

DELAY = 1.0  # seconds a step runs before its bar shows


class DelayedBar:
    """A `progress.Listener`: a Rich progress bar on `stream` for steps running `delay` seconds after it was made."""

    def __init__(self, stream: IO[str], *, delay: float = DELAY, color: bool = True) -> None:
        self._stream = stream
        self._shows_at = time.monotonic() + delay
        self._color = color
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._progress: Any = None
        self._task: Any = None
        self._what = ""
        self._total: int | None = None
        self._done = 0

    def begin(self, what: str, total: int | None) -> None:
        with self._lock:
            self._what, self._total, self._done = what, total, 0
            self._timer = threading.Timer(max(0.0, self._shows_at - time.monotonic()), self._show)
            self._timer.daemon = True
            self._timer.start()

    def advance(self, amount: int) -> None:
        with self._lock:
            self._done += amount
            if self._progress is not None:
                self._progress.update(self._task, completed=self._done)

    def end(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._progress is not None:
                self._progress.stop()
                self._progress = None

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with self._lock:
            if self._timer is None:  # ended meanwhile
                return
            console = Console(
                file=self._stream, markup=False, emoji=False, highlight=False, no_color=not self._color, stderr=True
            )
            columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}", markup=False)]
            if self._total is not None:
                columns += [BarColumn(), MofNCompleteColumn()]
            columns.append(TimeElapsedColumn())
            self._progress = Progress(
                *columns, console=console, transient=True, redirect_stdout=False, redirect_stderr=False
            )
            self._task = self._progress.add_task(escape_unsafe(self._what), total=self._total, completed=self._done)
            self._progress.start()
