"""Help that reads well: arguments shown as `ID...` (not Typer's `{ID}...` and `ID <list[str]>`), and the
examples a command's docstring ends with (after `Examples:`) shown last, as written."""

from __future__ import annotations

import textwrap
from typing import Any

from typer.core import TyperCommand, TyperGroup

from jnap_cli.cli.coercion import PlainValues

EXAMPLES = "Examples:"


def split_examples(text: str | None) -> tuple[str | None, tuple[str, ...]]:
    """A docstring's help text, and the lines of the `Examples:` section it ends with (none without one).

    Each example is a `$ jnap …` line, after a `# what it shows` line; tests/test_help_examples.py runs them."""
    head, marker, tail = (text or "").partition(f"\n{EXAMPLES}\n")
    if not marker:
        return text, ()
    return head.rstrip(), tuple(textwrap.dedent(tail).strip("\n").splitlines())


class WithExamples:
    """Help that ends with the command's examples, as written (Click would re-wrap an epilog)."""

    help: str | None
    examples: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help, self.examples = split_examples(self.help)

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        super().format_epilog(ctx, formatter)  # type: ignore[misc]
        if self.examples:
            with formatter.section(EXAMPLES.rstrip(":")):
                for line in self.examples:
                    formatter.write(f"{'':>{formatter.current_indent}}{line}\n" if line.strip() else "\n")


class HelpGroup(PlainValues, WithExamples, TyperGroup):
    """A group of commands whose help ends with its examples."""


class JnapCommand(PlainValues, WithExamples, TyperCommand):
    """A command whose usage line and argument list name arguments plainly (`ID...`, `[TERM]`), and whose
    help ends with its examples."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        from jnap_cli.cli.settings import output_errors

        with output_errors():  # `jnap list --help > /dev/full`: one line, not an internal error
            return super().make_context(*args, **kwargs)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                pieces.append(_usage_name(param))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((_name(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def _name(param: Any) -> str:
    """`ID...` for an argument that takes several values, `TERM` for one."""
    name = str(param.metavar or param.name).upper()
    return f"{name}..." if param.nargs != 1 else name


def _usage_name(param: Any) -> str:
    return _name(param) if param.required else f"[{_name(param)}]"
