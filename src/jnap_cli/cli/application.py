"""The `jnap` application: global options, settings on the context, and the commands, each from its module."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Annotated

import typer

from jnap_cli import __version__
from jnap_cli.cli.boundary import JnapGroup
from jnap_cli.cli.help import JnapCommand
from jnap_cli.cli.options import NoColorOpt, RegisterOpt
from jnap_cli.cli.settings import Settings, output_errors


def _typer() -> typer.Typer:
    return typer.Typer(
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


def _root(
    ctx: typer.Context,
    register: RegisterOpt = None,
    no_color: NoColorOpt = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Read the register itself, not its cache (as JNAP_NO_CACHE=1).")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an internal error.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """The register of the Police–CPS Joint National Action Plan (JNAP) on rape."""
    ctx.obj = Settings(register=register, no_color=no_color, debug=debug, cache=not no_cache)
    _show_progress(no_color)
    if ctx.invoked_subcommand is None:  # bare `jnap`: the help, as data on stdout
        with output_errors():
            typer.echo(ctx.get_help())


def _show_progress(no_color: bool) -> None:
    """Steps that take over a second show a bar on stderr, when stderr is a terminal (and not a dumb one)."""
    import os
    import sys

    from jnap_cli.render.terminal import isatty

    if isatty(sys.stderr) and os.environ.get("TERM") != "dumb":
        from jnap_cli import progress
        from jnap_cli.render.progress import DelayedBar
        from jnap_cli.render.terminal import use_color

        progress.listen(DelayedBar(sys.stderr, color=use_color(sys.stderr, no_color)))


# Short help is written out: Click would cut the docstrings' first lines at the terminal's width.
SUMMARIES = {
    "list": "List actions in register order; filters combine.",
    "filter": "List the actions in any of the given statuses.",
    "show": "Show the whole record of one or more actions.",
    "search": "Search text, commentary and themes, best first.",
    "plans": "The plans, with their action counts by status.",
    "themes": "The themes of each plan, with their action counts.",
    "stats": "Counts by plan, theme and status; completed shares.",
    "graph": "The links between actions: Mermaid, DOT or edges.",
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
    "report": "The register as one HTML page, or Markdown.",
    "cache": "Where the cache is, what it holds; prune or clear it.",
}
# Each command's module and function, imported only when the command is built.
COMMANDS: dict[str, str] = {
    "list": "lookups:list_",
    "filter": "lookups:filter_",
    "show": "lookups:show",
    "search": "search:search",
    "plans": "lookups:plans",
    "themes": "lookups:themes",
    "stats": "stats:stats",
    "graph": "graph:graph",
    "glossary": "search:glossary",
    "check": "check:check",
    "diff": "diff:diff",
    "set-status": "edit:set_status",
    "comment": "edit:comment",
    "link": "edit:link",
    "add": "edit:add",
    "edit": "edit:edit",
    "history": "history:history",
    "init": "init:init",
    "report": "report:report",
    "cache": "cache:app",  # a group: `jnap cache info`
}
GLOBAL_OPTIONS_WITH_VALUES = ("-r", "--register")


def build(only: str | None = None) -> typer.Typer:
    """The application with every command, or with `only` that one ("": none): Typer builds each
    command's parameters on every run, so a run that names its command builds just that one."""
    application = _typer()
    application.callback()(_root)
    names = [] if only == "" else [only] if only in COMMANDS else list(COMMANDS)
    for name in names:
        module, function = COMMANDS[name].split(":")
        command = getattr(importlib.import_module(f"jnap_cli.cli.{module}"), function)
        if isinstance(command, typer.Typer):
            application.add_typer(command, name=name, short_help=SUMMARIES[name])
        else:
            application.command(name, cls=JnapCommand, short_help=SUMMARIES[name])(command)
    return application


def invoked(args: Sequence[str]) -> str | None:
    """The command that `args` names after the global options, if it is one of ours and no help is asked
    of the whole application; "" for `--version` alone (no command is needed); else None (build every
    command)."""
    if list(args) == ["--version"]:
        return ""
    position = 0
    while position < len(args):
        arg = args[position]
        if arg in GLOBAL_OPTIONS_WITH_VALUES:
            position += 2
        elif arg.startswith("-"):
            if (
                arg in ("-h", "--help", "--version")
                or arg.startswith("--install-completion")
                or arg.startswith("--show-completion")
            ):
                return None
            position += 1
        else:
            return arg if arg in COMMANDS else None
    return None


def __getattr__(name: str) -> typer.Typer:
    """`app`, the application with every command, built when first asked for (tests, docs)."""
    if name == "app":
        globals()["app"] = built = build()
        return built
    raise AttributeError(name)
