"""`jnap diff`: two plans of the register, or two versions of it (files or git revisions)."""

from __future__ import annotations

from typing import Annotated

import typer

from jnap_cli.cli.options import EmptyOpt, NoColorOpt, OutputOpt, RegisterOpt, ThemeOpt, choices, complete_versions
from jnap_cli.cli.settings import settings
from jnap_cli.errors import ExitCode, UsageError
from jnap_cli.model.vocab import DiffFormat


def diff(
    ctx: typer.Context,
    versions: Annotated[
        list[str],
        typer.Argument(
            help="Two plan ids (original refresh), or OLD [NEW]: register files or git revisions "
            "(HEAD~1, a tag, REV:path/to/actions.toml). One version compares with the current register.",
            metavar="VERSION",
            autocompletion=complete_versions,
        ),
    ],
    register: RegisterOpt = None,
    fmt: Annotated[
        DiffFormat,
        typer.Option("--format", "-f", metavar="FORMAT", case_sensitive=False, help=f"{choices(DiffFormat)}."),
    ] = DiffFormat.TEXT,
    fields: Annotated[
        str | None, typer.Option("--fields", metavar="FIELDS", help="Record formats: the fields of each row.")
    ] = None,
    stat: Annotated[bool, typer.Option("--stat", help="Only the summary counts.")] = False,
    exit_code: Annotated[bool, typer.Option("--exit-code", help="Exit 1 when there are differences.")] = False,
    fail_on_regression: Annotated[
        bool, typer.Option("--fail-on-regression", help="Exit 1 when a status moves out of complete.")
    ] = False,
    suggest: Annotated[bool, typer.Option("--suggest", help="Plans: add candidate links by text similarity.")] = False,
    theme: ThemeOpt = None,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Compare two plans of the register, or two versions of it (files or git revisions).

    Examples:
      # Which refresh actions carry on which originals
      $ jnap diff original refresh
      # The same, for the themes about victims only
      $ jnap diff original refresh --theme victims
      # In CI: fail when a status moves out of complete
      $ jnap diff HEAD~1 --fail-on-regression
    """
    from jnap_cli.cli.output_file import named_format
    from jnap_cli.diff.plans import PlanDiff
    from jnap_cli.diff.revisions import compare
    from jnap_cli.diff.versions import has_differences, has_regression
    from jnap_cli.render.diff_text import emit_diff

    chosen = settings(ctx, register=register, no_color=no_color)
    fmt, output = named_format(ctx, fmt, output_file), chosen.output(fields=fields, empty=empty, to=output_file)
    result = compare(versions, chosen.register_path(), suggest=suggest, theme=theme)
    if isinstance(result, PlanDiff) and (exit_code or fail_on_regression):
        raise UsageError("--exit-code and --fail-on-regression compare versions, not plans")
    emit_diff(result, fmt, output, stat=stat)
    if isinstance(result, PlanDiff):
        return
    if (exit_code and has_differences(result)) or (fail_on_regression and has_regression(result)):
        raise typer.Exit(ExitCode.FINDINGS)
