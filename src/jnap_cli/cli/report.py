"""`jnap report`: the whole register as one self-contained HTML page, or as Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jnap_cli.cli.options import NoColorOpt, RegisterOpt, choices
from jnap_cli.cli.settings import settings
from jnap_cli.model.vocab import ReportFormat


def report(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the report to FILE ('-': stdout); a file is replaced at once, a FIFO or terminal written into.",
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
    toggles; Markdown suits a wiki page or a pull-request comment.

    Examples:
      # The register as one HTML page
      $ jnap report -o report.html
      # Markdown, for a wiki or a pull request
      $ jnap report --format markdown -o report.md
    """
    from jnap_cli import __version__
    from jnap_cli.render import report as render

    chosen = settings(ctx, register=register, no_color=no_color)
    loaded = chosen.load()
    draw = render.html if fmt is ReportFormat.HTML else render.markdown
    text = draw(loaded, generator=f"jnap {__version__}", made=render.origin(chosen.register_path()))
    from jnap_cli.cli.document import write_text

    wrote = f"{fmt.value} report of {len(loaded.actions)} actions"
    write_text(
        text, output, out=chosen.out, register=chosen.register_path(), hint="write the report elsewhere", wrote=wrote
    )
