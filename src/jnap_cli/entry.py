"""The `jnap` script: Ctrl-C is quiet (exit 130) from the first millisecond, before the heavy imports."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import Any


def main() -> None:
    """Entry point of the `jnap` script and of `python -m jnap_cli`."""
    # Until the error boundary takes over (cli.boundary), an interrupt ends the process at once:
    # importing Typer and building the command line take tens of milliseconds.
    signal.signal(signal.SIGINT, _interrupted)
    try:
        from jnap_cli.cli.app import app

        command = typer_command(app)
    except Exception as exc:  # noqa: BLE001 - a bug in building the command line: still one line, exit 70
        sys.stderr.write(f"jnap: error: internal error: {type(exc).__name__}: {exc} (cannot start)\n")
        sys.exit(70)
    command()


def typer_command(app: Any) -> Any:
    """The Click command Typer builds from `app`: built here, so that a failure is caught above."""
    from typer.main import get_command

    return get_command(app)


def _interrupted(_signum: int, _frame: FrameType | None) -> None:
    os._exit(130)
