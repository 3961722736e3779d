"""The `jnap` application: global options, settings on the context, and the commands, each from its module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from jnap_cli import __version__
from jnap_cli.cli import check, diff, edit, history, init, lookups, search
from jnap_cli.cli.boundary import JnapGroup
from jnap_cli.cli.help import JnapCommand
from jnap_cli.cli.options import NoColorOpt, RegisterOpt
from jnap_cli.cli.settings import Settings, output_errors

app = typer.Typer(
    cls=JnapGroup,
    name="jnap",
    help="The register of the Police–CPS Joint National Action Plan (JNAP) on rape.",
    invoke_without_command=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        with output_errors():
            typer.echo(f"jnap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    register: RegisterOpt = None,
    no_color: NoColorOpt = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an internal error.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """The register of the Police–CPS Joint National Action Plan (JNAP) on rape."""
    ctx.obj = Settings(register=register, no_color=no_color, debug=debug)
    if ctx.invoked_subcommand is None:  # bare `jnap`: the help, as data on stdout
        with output_errors():
            typer.echo(ctx.get_help())


# Short help is written out: Click would cut the docstrings' first lines at the terminal's width.
SUMMARIES = {
    "list": "List actions in register order; filters combine.",
    "filter": "List the actions in any of the given statuses.",
    "show": "Show the whole record of one or more actions.",
    "search": "Search text, commentary and themes, best first.",
    "plans": "The plans, with their action counts by status.",
    "themes": "The themes of each plan, with their action counts.",
    "glossary": "The plan's acronyms and terms of art.",
    "check": "Check the register for CI; exit 1 on errors.",
    "diff": "Compare two plans, or two versions of the register.",
    "set-status": "Set an action's status, with its evidence.",
    "comment": "Replace or extend an action's commentary.",
    "link": "Add or remove a link between two actions.",
    "add": "Add an action to a plan.",
    "edit": "Edit one action's table in $EDITOR.",
    "history": "Every commit that changed an action, newest first.",
    "init": "Start a new register for another action plan.",
}
COMMANDS: dict[str, Callable[..., None]] = {
    "list": lookups.list_,
    "filter": lookups.filter_,
    "show": lookups.show,
    "search": search.search,
    "plans": lookups.plans,
    "themes": lookups.themes,
    "glossary": search.glossary,
    "check": check.check,
    "diff": diff.diff,
    "set-status": edit.set_status,
    "comment": edit.comment,
    "link": edit.link,
    "add": edit.add,
    "edit": edit.edit,
    "history": history.history,
    "init": init.init,
}
for name, command in COMMANDS.items():
    app.command(name, cls=JnapCommand, short_help=SUMMARIES[name])(command)
