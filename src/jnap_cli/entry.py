"""The `jnap` script: Ctrl-C is quiet (exit 130) from the moment this module is imported.

The handler is installed at import, before anything else is imported: Typer and the command line
take tens of milliseconds to load, and an interrupt then must not print a traceback. (Python's own
start-up, before any of jnap runs, is not ours to guard.)
"""

import os
import signal


def _interrupted(_signum: int, _frame: object) -> None:
    os._exit(130)


# Until the error boundary (cli.boundary) takes over, an interrupt ends the process at once.
signal.signal(signal.SIGINT, _interrupted)


def main() -> None:
    """Entry point of the `jnap` script and of `python -m jnap_cli`."""
    import sys

    try:
        from typer.main import get_command

        from jnap_cli.cli.application import build, invoked

        # Completion asks about every command: build them all then.
        only = None if os.environ.get("_JNAP_COMPLETE") else invoked(sys.argv[1:])
        command = get_command(build(only))
    except Exception as exc:  # noqa: BLE001 - a bug in building the command line: still one line, exit 70
        sys.stderr.write(f"jnap: error: internal error: {type(exc).__name__}: {exc} (cannot start)\n")
        sys.exit(70)
    try:
        command()
    finally:  # the command is done and its output flushed: an interrupt while Python shuts down ends it quietly
        signal.signal(signal.SIGINT, _interrupted)
