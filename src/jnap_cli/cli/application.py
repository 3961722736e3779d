"""The `jnap` application: global options, settings on the context, and the table of commands (`COMMANDS`),
each imported from its module only when it is built."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Annotated, NamedTuple

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
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Print long output directly, not through a pager (as JNAP_PAGER=).")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an internal error.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """The register of the Police–CPS Joint National Action Plan (JNAP) on rape.

    Examples:
      # What is not finished yet
      $ jnap list --not-status complete
      # Find an action, then read it in full
      $ jnap search "early advice" --limit 1 --format ids | jnap show -
      # Check the register, as CI does
      $ jnap check
    """
    ctx.obj = Settings(register=register, no_color=no_color, debug=debug, cache=not no_cache, pager=not no_pager)
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


class Command(NamedTuple):
    """A command of `jnap`: its name, where it lives (`module:function` in `jnap_cli.cli`, imported only when
    the command is built; a `typer.Typer` there is a group) and its short help, written out because Click
    would cut the docstring's first line at the terminal's width. A named tuple: a third of a frozen
    dataclass's cost at import, which every run pays."""

    name: str
    target: str
    summary: str


# Every command, once, in the order of `jnap --help` and docs/cli.md.
COMMANDS = (
    Command("list", "lookups:list_", "List actions in register order; filters combine."),
    Command("filter", "lookups:filter_", "List the actions in any of the given statuses."),
    Command("show", "lookups:show", "Show the whole record of one or more actions."),
    Command("search", "search:search", "Search text, commentary and themes, best first."),
    Command("plans", "lookups:plans", "The plans, with their action counts by status."),
    Command("themes", "lookups:themes", "The themes of each plan, with their action counts."),
    Command("stats", "stats:stats", "Counts by plan, theme and status; completed shares."),
    Command("graph", "graph:graph", "The links between actions: Mermaid, DOT or edges."),
    Command("glossary", "search:glossary", "The annex's acronyms and named things, with sources."),
    Command("check", "check:check", "Check the register for CI; exit 1 on errors."),
    Command("diff", "diff:diff", "Compare two plans, or two versions of the register."),
    Command("set-status", "edit:set_status", "Set an action's status, with its evidence."),
    Command("comment", "edit:comment", "Replace or extend an action's commentary."),
    Command("link", "edit:link", "Add or remove a link between two actions."),
    Command("add", "edit:add", "Add an action to a plan."),
    Command("edit", "edit:edit", "Edit one action's table in $EDITOR."),
    Command("history", "history:history", "Every commit that changed an action, newest first."),
    Command("init", "init:init", "Start a new register for another action plan."),
    Command("schema", "schema:schema", "The JSON Schema of a register file, for editors."),
    Command("report", "report:report", "The register as one HTML page, or Markdown."),
    Command("export", "export:app", "Write the register as a SQLite database, for Datasette."),
    Command("cache", "cache:app", "Where the cache is, what it holds; prune or clear it."),
)
NAMES = frozenset(command.name for command in COMMANDS)


def build(only: str | None = None) -> typer.Typer:
    """The application with every command, or with `only` that one ("": none): Typer builds each
    command's parameters on every run, so a run that names its command builds just that one."""
    application = _typer()
    application.callback()(_root)
    for command in [c for c in COMMANDS if c.name == only] if only == "" or only in NAMES else COMMANDS:
        _add(application, command)
    return application


def _add(application: typer.Typer, command: Command) -> None:
    module, function = command.target.split(":")
    target = getattr(importlib.import_module(f"jnap_cli.cli.{module}"), function)
    if isinstance(target, typer.Typer):
        application.add_typer(target, name=command.name, short_help=command.summary)
    else:
        application.command(command.name, cls=JnapCommand, short_help=command.summary)(target)


def invoked(args: Sequence[str]) -> str | None:
    """The command that `args` names after the global options, if it is one of ours and no help is asked
    of the whole application; "" for `--version` alone (no command is needed); else None (build every
    command)."""
    if list(args) == ["--version"]:
        return ""
    with_values: frozenset[str] | None = None  # found only when a global option comes first
    position = 0
    while position < len(args):
        arg = args[position]
        if not arg.startswith("-"):
            return arg if arg in NAMES else None
        if arg in ("-h", "--help", "--version") or arg.startswith(("--install-completion", "--show-completion")):
            return None
        with_values = global_options_with_values() if with_values is None else with_values
        position += 2 if arg in with_values else 1
    return None


def global_options_with_values() -> frozenset[str]:
    """The names of the root's options that take a value (`-r PATH`), as Click parses them: in a real run
    the command is found before Typer parses anything, and such an option's value is not a command."""
    from typer.core import TyperOption
    from typer.main import get_command

    options = [param for param in get_command(build("")).params if isinstance(param, TyperOption)]
    return frozenset(name for o in options if not (o.is_flag or o.count) for name in (*o.opts, *o.secondary_opts))
