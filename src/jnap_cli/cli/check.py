"""`jnap check`: the register's findings for CI, in the format a pipeline reads."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jnap_cli.cli.boundary import note
from jnap_cli.cli.options import EmptyOpt, NoColorOpt, OutputOpt, RegisterOpt, choices, fields_option
from jnap_cli.cli.settings import settings
from jnap_cli.errors import ExitCode, JnapError, UsageError
from jnap_cli.model.vocab import FindingFormat
from jnap_cli.render.views import FINDING
from jnap_cli.text import plural

if TYPE_CHECKING:
    from jnap_cli.checks.report import Report


def check(
    ctx: typer.Context,
    registers: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="REGISTER",
            help="Register files (or directories) to check, each on its own, as pre-commit passes them "
            "[default: the one --register or the settings name].",
            show_default=False,
        ),
    ] = None,
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
      # Named register files, each checked on its own (as pre-commit passes them)
      $ jnap check data/actions.toml --select evidence-not-found
    """
    from jnap_cli.checks.report import check_file, check_register
    from jnap_cli.checks.rules import parse_codes
    from jnap_cli.cli.output_file import named_format
    from jnap_cli.register.paths import shown
    from jnap_cli.render.findings import emit_findings

    chosen = settings(ctx, register=register, no_color=no_color)
    if registers and chosen.register is not None:
        raise UsageError("give the register with --register or as arguments, not both", "drop one of them")
    fmt, output = named_format(ctx, fmt, output_file), chosen.output(fields=fields, empty=empty, to=output_file)
    include, exclude = parse_codes(select), frozenset(parse_codes(ignore) or ())
    reports: list[tuple[Path | None, Report]] = (
        [(path, check_file(path, include, exclude, cache=chosen.cache)) for path in registers]
        if registers
        else [check_register(chosen.register_path, include, exclude, cache=chosen.cache)]
    )
    # Even a register that cannot be read is reported in the chosen format: CI parsing it sees why.
    emit_findings([f for _, report in reports for f in report.findings], fmt, output)
    for path, report in reports:
        if report.failure is not None:
            raise report.failure
        if report.actions is None and path is not None:
            raise JnapError(f"{shown(path)}: invalid register: {len(report.findings)} problem(s) shown above")
    errors, warnings = sum(r.errors for _, r in reports), sum(r.warnings for _, r in reports)
    actions = sum(r.actions or 0 for _, r in reports)
    registers_checked = f" in {len(reports)} registers" if len(reports) > 1 else ""
    note(f"{plural(actions, 'action')}{registers_checked} checked: {errors} error(s), {warnings} warning(s)")
    if errors or (strict and warnings):
        raise typer.Exit(ExitCode.FINDINGS)
