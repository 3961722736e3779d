"""Help that reads well: arguments shown as `ID...` (not Typer's `{ID}...` and `ID <list[str]>`)."""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand


class JnapCommand(TyperCommand):
    """A command whose usage line and argument list name arguments plainly: `ID...`, `[TERM]`."""

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
