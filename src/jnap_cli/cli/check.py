"""`jnap check`: the register's findings for CI, in the format a pipeline reads."""

from __future__ import annotations

from typing import Annotated

import typer

from jnap_cli.cli.boundary import note
from jnap_cli.cli.options import EmptyOpt, NoColorOpt, OutputOpt, RegisterOpt, choices, fields_option
from jnap_cli.cli.settings import settings
from jnap_cli.errors import ExitCode, JnapError
from jnap_cli.model.vocab import FindingFormat
from jnap_cli.render.views import FINDING


def check(
    ctx: typer.Context,
    register: RegisterOpt = None,
    fmt: Annotated[
        FindingFormat,
        typer.Option("--format", "-f", metavar="FORMAT", case_sensitive=False, help=f"{choices(FindingFormat)}."),
    ] = FindingFormat.TEXT,
    fields: Annotated[str | None, fields_option(FINDING)] = None,
    select: Annotated[
        list[str] | None, typer.Option(metavar="CODES", help="Only these rule codes (comma-separated).")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(metavar="CODES", help="Skip these rule codes (comma-separated).")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Check the register for CI: commentary, evidence, links and numbering. Exit 1 on errors.

    Examples:
      # Check the register; exit 1 on errors
      $ jnap check
      # As annotations on a GitHub pull request
      $ jnap check --format github
      # One rule only
      $ jnap check --select evidence-not-found
    """
    from jnap_cli.checks.report import check_register
    from jnap_cli.checks.rules import parse_codes
    from jnap_cli.cli.output_file import named_format
    from jnap_cli.register.paths import shown
    from jnap_cli.render.findings import emit_findings

    chosen = settings(ctx, register=register, no_color=no_color)
    fmt, output = named_format(ctx, fmt, output_file), chosen.output(fields=fields, empty=empty, to=output_file)
    path, report = check_register(chosen.register_path, parse_codes(select), frozenset(parse_codes(ignore) or ()))
    # Even a register that cannot be read is reported in the chosen format: CI parsing it sees why.
    emit_findings(report.findings, fmt, output)
    if report.failure is not None:
        raise report.failure
    if report.actions is None and path is not None:
        raise JnapError(f"{shown(path)}: invalid register: {len(report.findings)} problem(s) shown above")
    note(f"{report.actions} actions checked: {report.errors} error(s), {report.warnings} warning(s)")
    if report.errors or (strict and report.warnings):
        raise typer.Exit(ExitCode.FINDINGS)
