"""`jnap report`: the whole register as one self-contained HTML page, or as Markdown."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from jnap_cli.cli.boundary import note
from jnap_cli.cli.options import NoColorOpt, RegisterOpt, choices
from jnap_cli.cli.settings import settings
from jnap_cli.errors import OutputFailed
from jnap_cli.model.vocab import ReportFormat


def report(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the report to FILE (replaced all at once) instead of standard output.",
            dir_okay=False,
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            case_sensitive=False,
            help=f"{choices(ReportFormat)}: one self-contained web page, or Markdown for a wiki or a pull request.",
        ),
    ] = ReportFormat.HTML,
    register: RegisterOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """The whole register as a report: a summary of the statuses as a chart and a table, the links between
    actions as a graph, then every plan, theme and action with its status, evidence and links. The HTML
    page needs nothing but itself (no network, works from a file), prints, and has a search box and status
    toggles; Markdown suits a wiki page or a pull-request comment."""
    from jnap_cli import __version__
    from jnap_cli.render import report as render

    chosen = settings(ctx, register=register, no_color=no_color)
    loaded = chosen.load()
    draw = render.html if fmt is ReportFormat.HTML else render.markdown
    text = draw(loaded, generator=f"jnap {__version__}")
    if output is None:
        chosen.out.write(text)
        return
    write_replacing(output, text)
    note(f"wrote {output}: {fmt.value} report of {len(loaded.actions)} actions")


def write_replacing(path: Path, text: str) -> None:
    """Write `text` to `path` all at once: a temporary file beside it, synced, then renamed onto it.

    A failure (a missing directory, no permission, a full disk) is `OutputFailed` (exit 2) and leaves
    `path` as it was.
    """
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputFailed(f"cannot write {path}: {exc.strerror or exc}", "nothing was written") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            os.chmod(temporary, _mode(path))
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise OutputFailed(f"cannot write {path}: {exc.strerror or exc}", "nothing was written") from None
        raise


def _mode(path: Path) -> int:
    """The replaced file's permissions, else what the umask gives a new file (mkstemp makes it 0600)."""
    with contextlib.suppress(OSError):
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
