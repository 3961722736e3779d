"""The single error boundary: every failure becomes one line on stderr and a named exit code.

A closed pipe ends quietly (exit 0), Ctrl-C exits 130, a usage mistake 2, a failed write of stdout 2
with its own message, and anything unexpected 70 with one line (`--debug` adds the traceback).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import Any

import typer

from jnap_cli.cli import completion
from jnap_cli.cli.help import HelpGroup
from jnap_cli.cli.settings import HELD, GuardedOutput, Settings, output_errors
from jnap_cli.errors import ExitCode, JnapError, Terminated
from jnap_cli.text import escape_unsafe


class JnapGroup(HelpGroup):
    """The error boundary: every failure becomes one line on stderr and a named exit code."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        completion.install()
        _tolerate_unencodable_output()
        if sys.stdout is None:  # started with stdout closed (jnap list >&-)
            _error("standard output is closed; redirect it to a file or /dev/null")
            sys.exit(ExitCode.USAGE)
        previous = _signals_raise()
        try:
            code = super().main(*args, **kwargs)
            GuardedOutput(sys.stdout).flush()  # a closed pipe or a full disk shows here for small output
        except (_PipeClosed, BrokenPipeError):
            code = _closed_pipe()
        except typer.TyperException as exc:
            code = _usage_failure(exc)
        except (typer.Abort, KeyboardInterrupt):
            code = ExitCode.INTERRUPTED
        except Terminated as stop:
            code = _die_of(stop.signum)
        except JnapError as exc:
            for line in exc.lines():
                note(line)
            code = exc.exit_code
        except _Internal as internal:
            code = _interrupted_within(internal.error) or _internal(internal.error, internal.debug)
        except Exception as exc:  # noqa: BLE001 - the boundary: anything else is our bug
            code = _interrupted_within(exc) or _internal(exc, debug=False)
        finally:
            _restore(previous)
        if _PENDING:  # a signal whose exception Python swallowed (in a `__del__`, an import's cleanup)
            _die_of(_PENDING[-1])
        sys.exit(int(code or 0))

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        # --help and --version write while the command line is parsed, before invoke().
        try:
            with output_errors():
                return super().make_context(*args, **kwargs)
        except BrokenPipeError as exc:
            raise _PipeClosed from exc

    def invoke(self, ctx: Any) -> Any:
        try:
            try:
                result = super().invoke(ctx)
            except typer.Exit:  # printed, then exit 1 for findings: an `-o FILE` is written all the same
                _write_held(ctx)
                raise
            _write_held(ctx)
            return result
        except BrokenPipeError as exc:  # Typer would turn it into exit 1; we stop quietly instead
            raise _PipeClosed from exc
        except (JnapError, typer.Exit, typer.Abort, typer.TyperException, KeyboardInterrupt):
            raise
        except Exception as exc:  # our bug: keep the context's --debug for the report
            root = ctx.find_root().obj
            raise _Internal(exc, debug=isinstance(root, Settings) and root.debug) from exc


def _write_held(ctx: Any) -> None:
    """The command's `-o FILE`, once it has printed (`output_file`), said on stderr as `jnap report` says
    it; a command that failed writes nothing."""
    held = ctx.find_root().meta.pop(HELD, None)
    if held is None:  # no `-o FILE`
        return
    from jnap_cli.cli.output_file import write_held

    path, stream = held
    for warning in write_held(path, stream):
        note(f"warning: {warning}")
    note(f"wrote {path}")


class _PipeClosed(Exception):
    """The reader of stdout went away."""


class _Internal(Exception):
    """An unexpected exception inside a command, with whether `--debug` was given."""

    def __init__(self, error: Exception, debug: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.debug = debug


def _usage_failure(exc: typer.TyperException) -> int:
    """A command-line mistake (unknown option, missing argument): one line, with what was likely meant
    or a pointer to --help."""
    from jnap_cli.cli.usage import describe

    _error(describe(exc))
    return ExitCode.USAGE if exc.exit_code == 2 else int(exc.exit_code)


def _error(line: str) -> None:
    note(f"error: {line}")


def note(line: str) -> None:
    """A line for people on stderr, after the data already written to stdout.

    Messages quote register text and arguments, so they are escaped like any other output. A closed
    stdout or stderr must not turn the note into a traceback or change the exit code.
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stdout.flush()
    shown = escape_unsafe(line).replace("\n", "\\n")  # one line, whatever an argument contained
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(f"jnap: {shown}\n")
        sys.stderr.flush()


def _closed_pipe() -> int:
    """The reader went away (`jnap list | head -1`): stop quietly, as `cat` would."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # no file descriptor: nothing to silence
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the exit-time flush goes nowhere
    return ExitCode.OK


def _internal(exc: BaseException, debug: bool) -> int:
    if debug or os.environ.get("JNAP_DEBUG"):
        import traceback

        with contextlib.suppress(OSError, ValueError, AttributeError):
            traceback.print_exception(exc, file=sys.stderr)
    message = str(exc).splitlines()[0] if str(exc) else ""
    _error(f"internal error: {type(exc).__name__}: {message} (run with --debug for the traceback)")
    return ExitCode.INTERNAL


def _tolerate_unencodable_output() -> None:
    """On a non-UTF-8 stdout, print `\\u2019` for characters it cannot encode instead of crashing."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


_TERMINATING = (signal.SIGTERM, signal.SIGHUP)


def _signals_raise() -> dict[int, Any]:
    """From here on, Ctrl-C is a KeyboardInterrupt this boundary turns into 130 (Python's own SIGINT
    handling, after the script's quiet start-up handler in `entry`), and SIGTERM and SIGHUP are a
    `Terminated` that unwinds the command before jnap dies of the signal. The handlers it replaced."""
    previous: dict[int, Any] = {}
    _PENDING.clear()
    sys.unraisablehook = _quiet_unraisable
    with contextlib.suppress(ValueError):  # not the main thread: signals are not ours to set
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum in _TERMINATING:
            previous[signum] = signal.signal(signum, _terminated)
    return previous


_PENDING: list[int] = []  # the terminating signals received


def _terminated(signum: int, _frame: object) -> None:
    _PENDING.append(signum)
    raise Terminated(signum)


def _interrupted_within(error: BaseException) -> int | None:
    """The exit of a signal that arrived inside code which wrapped its exception in another (an import
    running `__set_name__` makes a RuntimeError of it): dying of SIGTERM or SIGHUP, or 130 for Ctrl-C;
    None for a real bug."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, Terminated):
            return _die_of(cause.signum)
        if isinstance(cause, KeyboardInterrupt):
            return ExitCode.INTERRUPTED
        cause = cause.__cause__ or cause.__context__
    return None


def _quiet_unraisable(unraisable: Any) -> None:
    """Python prints an exception it cannot raise (in a `__del__`, a weakref callback) with a traceback; a
    signal's is not an error, and the boundary still acts on the signal (`_PENDING`)."""
    if not isinstance(unraisable.exc_value, (Terminated, KeyboardInterrupt)):
        sys.__unraisablehook__(unraisable)


def _restore(previous: dict[int, Any]) -> None:
    """Put back the handlers `_signals_raise` replaced (for callers that run jnap in their own process)."""
    sys.unraisablehook = sys.__unraisablehook__
    with contextlib.suppress(ValueError, TypeError):
        for signum, handler in previous.items():
            if signum != signal.SIGINT:
                signal.signal(signum, handler)


def _die_of(signum: int) -> int:
    """End the process by the signal it was sent, with its default action, as git does after cleaning up:
    whoever waits for jnap sees it killed by that signal, not an exit code jnap chose. Where a signal
    cannot end the process (not the main thread), the shell's number for it: 128 + the signal."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stdout.flush()
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.flush()
    with contextlib.suppress(ValueError, OSError):
        signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signum})
        os.kill(os.getpid(), signum)
    return 128 + signum
