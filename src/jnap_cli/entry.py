"""The `jnap` script: Ctrl-C is quiet (exit 130) from the first millisecond, before the heavy imports."""

from __future__ import annotations

import os
import signal
from types import FrameType


def main() -> None:
    """Entry point of the `jnap` script and of `python -m jnap_cli`."""
    # Until the error boundary takes over (cli.boundary), an interrupt ends the process at once:
    # importing Typer and building the command line take tens of milliseconds.
    signal.signal(signal.SIGINT, _interrupted)
    from jnap_cli.cli.app import app

    app()


def _interrupted(_signum: int, _frame: FrameType | None) -> None:
    os._exit(130)
