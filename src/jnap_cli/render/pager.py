"""Long output on a terminal through a pager, as git and gh page theirs.

The rule (docs/scripting.md, "Pager"): only when stdout is a terminal (not `TERM=dumb`) and `--no-pager`
is not given; the pager is `$JNAP_PAGER`, else `$PAGER`, else `less`; set to nothing (or `cat`), there
is none. It runs with `LESS=FRX` and `LV=-c` unless those are set (as git does), so `less` shows colour
and leaves the screen as it was. jnap holds what it prints until it is more than the screen holds:
shorter output is printed as it would be without a pager, and no pager is started.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any, cast

from jnap_cli.text import escape_unsafe, one_line

if TYPE_CHECKING:
    import subprocess

DEFAULT = "less"
ENVIRONMENT = {"LESS": "FRX", "LV": "-c"}  # what git gives the pager, unless the user set them
_ESCAPES = re.compile(r"\x1b\[[0-9;]*m")  # colour: no width on the screen


def pager_command(environ: Mapping[str, str]) -> list[str] | None:
    """The pager to run, as arguments: `$JNAP_PAGER`, else `$PAGER`, else `less`; None when the one
    chosen is empty or `cat`. A value is split as a shell splits words (no pipes or variables)."""
    import shlex

    chosen = next((environ[name] for name in ("JNAP_PAGER", "PAGER") if name in environ), DEFAULT)
    try:
        words = shlex.split(chosen)
    except ValueError:  # an unclosed quote: run it as one word, and fail to start it
        words = [chosen]
    return words if words and words != ["cat"] else None


class Pager:
    """A text stream for a terminal that pages long output: it holds what is written until it fills the
    screen, then starts the pager and writes through it. `close` prints what it still holds (the output
    was short) or waits for the pager to end.

    While it holds, a line for people on stderr (a summary, a warning) first prints what is held, so
    the two stay in order, and nothing is paged; while the pager runs, stderr is held until it ends, so
    no line lands on the pager's screen.
    """

    def __init__(
        self,
        stream: IO[str],
        command: list[str],
        *,
        height: int,
        width: int,
        errors: IO[str],
        environ: Mapping[str, str],
    ) -> None:
        self._stream = stream
        self._command = command
        self._height, self._width = height, max(width, 1)
        self._errors = errors
        self._environ = environ
        self._held: list[str] = []
        self._rows, self._partial = 0, ""  # the screen rows of the held lines, and the line not yet ended
        self._process: subprocess.Popen[str] | None = None
        self._direct = False  # printing as it comes: short so far and interleaved with stderr, or no pager
        self._late: list[str] = []  # stderr written while the pager runs

    # The stream

    def write(self, text: str) -> int:
        """Hold `text`, page it, or print it, as the output so far decides."""
        if self._direct:
            return self._stream.write(text)
        if self._process is not None:
            assert self._process.stdin is not None
            return self._process.stdin.write(text)
        self._held.append(text)
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        self._rows += sum(_rows(line, self._width) for line in lines)
        if self._rows + bool(self._partial) >= self._height:
            self._start()
        return len(text)

    def flush(self) -> None:
        """Flush what is printed or paged; what is held stays held."""
        if self._process is not None and self._process.stdin is not None:
            self._process.stdin.flush()
        elif self._direct:
            self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    # stderr while it holds or pages

    def errors(self) -> IO[str]:
        """A stream to stand for stderr while this one holds or pages (`note`)."""
        return cast("IO[str]", _Errors(self, self._errors))

    def note(self, text: str) -> int:
        """What is written to stderr: after the output held so far, or once the pager has ended."""
        if self._process is not None:
            self._late.append(text)
            return len(text)
        if self._held:
            self._print_held()
        return self._errors.write(text)

    # The end

    def close(self) -> None:
        """Print what is held, or end the pager's input and wait for it; then what stderr held. A pager
        already quit (`q` in less) raises nothing here: the output was read as far as wanted."""
        try:
            if self._process is None:
                if not self._direct:
                    self._print_held()
                self._stream.flush()
                return
            self._end_pager(self._process)
        finally:
            late, self._late = "".join(self._late), []
            if late:
                self._errors.write(late)
                self._errors.flush()

    def _start(self) -> None:
        """Start the pager and give it what is held; if it cannot start, print instead."""
        import subprocess

        environment = {**self._environ}
        for name, value in ENVIRONMENT.items():
            environment.setdefault(name, value)
        encoding = getattr(self._stream, "encoding", None) or "utf-8"
        try:
            self._process = subprocess.Popen(  # the user's own pager, as git and gh run it
                self._command,
                stdin=subprocess.PIPE,
                env=environment,
                text=True,
                encoding=encoding,
                errors="backslashreplace",
            )
        except OSError as exc:
            if self._command != [DEFAULT]:  # a pager the user chose: say why it is not used
                shown = escape_unsafe(one_line(" ".join(self._command)))
                self._errors.write(f"jnap: warning: cannot start the pager '{shown}' ({exc.strerror or exc}); "
                                   "printing instead\n")  # fmt: skip
            self._print_held()
            return
        held, self._held = "".join(self._held), []
        assert self._process.stdin is not None
        self._process.stdin.write(held)

    def _print_held(self) -> None:
        held, self._held = "".join(self._held), []
        self._direct = True
        self._stream.write(held)
        self._stream.flush()

    @staticmethod
    def _end_pager(process: subprocess.Popen[str]) -> None:
        """Close the pager's input and wait for the reader to quit; Ctrl-C meanwhile is the pager's (less
        uses it to stop a search), as git leaves it."""
        try:
            if process.stdin is not None:
                with contextlib.suppress(BrokenPipeError):  # the reader quit early: it read what it wanted
                    process.stdin.close()
        finally:
            while True:
                try:
                    process.wait()
                    break
                except KeyboardInterrupt:
                    continue


class _Errors:
    """stderr while a `Pager` holds or pages: every write goes through `Pager.note`."""

    def __init__(self, pager: Pager, stream: IO[str]) -> None:
        self._pager = pager
        self._stream = stream

    def write(self, text: str) -> int:
        return self._pager.note(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _rows(line: str, width: int) -> int:
    """The screen rows a line takes: one, or more when it is wider than the screen."""
    if "\x1b" in line:
        line = _ESCAPES.sub("", line)
    if line.isascii():
        return max(1, -(-len(line) // width))
    from rich.cells import cell_len

    return max(1, -(-cell_len(line) // width))
