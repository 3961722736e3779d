"""Settings on the Typer context: the register, colour, cache, pager and debug, given before or after the
command; and from them, the output stream (paged on a terminal) and the output options of a command that
prints records (`Settings.output`)."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import typer

from jnap_cli.errors import OutputFailed

if TYPE_CHECKING:
    from jnap_cli.model.schema import Register
    from jnap_cli.model.vocab import RecordFormat
    from jnap_cli.render.records import Output


@dataclass(frozen=True)
class Settings:
    """What every command may be told: `jnap [--no-color] [--no-cache] [--no-pager] [--debug] [-r PATH] CMD
    [-r PATH] [...]`."""

    register: Path | None = None
    no_color: bool = False
    debug: bool = False
    cache: bool = True  # `--no-cache` turns it off (as JNAP_NO_CACHE=1 does)
    pager: bool = True  # `--no-pager` turns it off (as JNAP_PAGER= does)

    @property
    def out(self) -> IO[str]:
        """Standard output, guarded so that a failed write is told apart from a failed read; on a terminal,
        long output goes through the pager (`render.pager`)."""
        return cast("IO[str]", GuardedOutput(self._paged() if self.pager else sys.stdout))

    @staticmethod
    def _paged() -> IO[str]:
        """stdout, through the pager when it is a terminal and a pager is set: one per run, ended with the
        run's context (before the error boundary speaks), with stderr held in step with it meanwhile."""
        from typer._click.globals import get_current_context  # Typer's own Click, as completion uses it

        from jnap_cli.render.terminal import isatty

        ctx = get_current_context(silent=True)
        if ctx is None or not isatty(sys.stdout) or sys.stderr is None or os.environ.get("TERM") == "dumb":
            return sys.stdout  # a dumb terminal cannot show a full-screen pager
        root = ctx.find_root()
        if _PAGER not in root.meta:
            root.meta[_PAGER] = _start_paging(root)
        return cast("IO[str]", root.meta[_PAGER])

    def color(self) -> bool:
        """Colour on stdout, as `--no-color`, NO_COLOR, TERM and FORCE_COLOR decide."""
        from jnap_cli.render.terminal import use_color

        return use_color(sys.stdout, self.no_color)

    def output(
        self,
        fmt: RecordFormat | None = None,
        fields: str | None = None,
        empty: str | None = None,
        to: Path | None = None,
        *,
        register: bool = True,
    ) -> Output:
        """How the command prints its records: its `--format`, `--fields` and `--empty`, with the colour
        these settings choose, to the guarded stdout, or to `-o FILE` (`to`; `-` is stdout), which may
        not be the register (`register`: the command has one)."""
        from typer._click.globals import get_current_context

        from jnap_cli.render.records import Output

        ctx = get_current_context(silent=True)
        title = " ".join(["jnap", *ctx.command_path.split()[1:]]) if ctx is not None else "jnap"
        if to is None or str(to) == "-" or ctx is None:
            return Output(format=fmt, fields=fields, color=self.color(), stream=self.out, empty=empty, title=title)
        from jnap_cli.cli.output_file import held

        stream = held(to, self.register_path() if register else None)
        ctx.find_root().meta[HELD] = (to, stream)
        return Output(format=fmt, fields=fields, stream=stream, empty=empty, title=title, suffix=to.suffix)

    def register_path(self) -> Path:
        """`--register`, else `$JNAP_REGISTER`, else the register of the git work tree around the current
        directory (its `jnap.toml` or `[tool.jnap]` setting, else its `data/actions.toml`), else the bundled one."""
        from jnap_cli.register.paths import resolve_path

        return resolve_path(self.register)

    def load(self) -> Register:
        """The register these settings name, read and validated."""
        from jnap_cli.register.source import load

        return load(self.register_path(), cache=self.cache)


_PAGER = "jnap.pager"  # where the run's paged stdout is kept, on the root context
HELD = "jnap.output_file"  # where the run's output for `-o FILE` is held, on the root context (`output_file`)


def _start_paging(root: Any) -> IO[str]:
    """A `Pager` on stdout if one is set (else stdout itself), standing in for stderr until the root
    context closes; then it prints what it holds or waits for the pager."""
    import shutil

    from jnap_cli.render.pager import Pager, pager_command

    command = pager_command(os.environ)
    if command is None:
        return sys.stdout
    size = shutil.get_terminal_size()
    errors = sys.stderr
    paged = Pager(sys.stdout, command, height=size.lines, width=size.columns, errors=errors, environ=os.environ)
    sys.stderr = paged.errors()

    def finish() -> None:
        try:
            with _guarded():
                paged.close()
        finally:
            sys.stderr = errors

    root.call_on_close(finish)
    return cast("IO[str]", paged)


def settings(ctx: typer.Context, *, register: Path | None = None, no_color: bool = False) -> Settings:
    """The root's settings with what the command itself was given (after its name) on top."""
    root = ctx.find_root().obj
    base = root if isinstance(root, Settings) else Settings()
    return replace(base, register=register or base.register, no_color=no_color or base.no_color)


class GuardedOutput:
    """A text stream that turns a failed write (a full disk, a vanished terminal) into `OutputFailed`.

    A closed pipe stays a `BrokenPipeError`: the boundary ends quietly on it, as `cat` does.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        with _guarded():
            return self._stream.write(text)

    def writelines(self, lines: Any) -> None:
        write = self._stream.write  # not its `writelines`: a `Pager` must see every line
        with _guarded():  # once for all the lines: a guard per line was a tenth of printing 25,000 ids
            for line in lines:
                write(line)

    def flush(self) -> None:
        with _guarded():
            self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def output_errors() -> Any:
    """Turn a failed write of stdout inside the block (a full disk) into `OutputFailed`; a closed pipe
    stays a `BrokenPipeError`. For what Click writes itself: `--help`, `--version`."""
    with _guarded():
        yield


@contextlib.contextmanager
def _guarded() -> Any:
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputFailed(f"cannot write output: {exc.strerror or exc}") from None
