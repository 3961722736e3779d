"""`jnap cache`: where the cache is, what it holds, and removing what is not needed (`register.cache_files`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Annotated

import typer

from jnap_cli.cli.boundary import note
from jnap_cli.cli.help import HelpGroup, JnapCommand
from jnap_cli.cli.options import EmptyOpt, FormatOpt, NoColorOpt, OutputOpt, fields_option
from jnap_cli.cli.settings import output_errors, settings
from jnap_cli.render.views import View

if TYPE_CHECKING:
    from jnap_cli.register.cache_files import CachedFile
    from jnap_cli.render.records import Output

CACHED_FILE = View(
    "cached file",
    fields=("file", "kind", "bytes", "last_used", "prunable", "entry"),
    summary=("file", "kind", "bytes", "last_used", "prunable"),
    wide=frozenset({"file", "entry"}),
    ids=("entry",),
)
CachedFieldsOpt = Annotated[str | None, fields_option(CACHED_FILE)]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="List what would be removed; remove nothing.")]

app = typer.Typer(name="cache", cls=HelpGroup, invoke_without_command=True, rich_markup_mode=None)


@app.callback()
def cache(ctx: typer.Context) -> None:
    """The cache of each register and glossary file read, with its search index: where it is, what it
    holds, and removing what is not needed. An entry is made again whenever its file is read.

    Examples:
      # What the cache holds
      $ jnap cache info
      # Remove the entries of registers that are gone
      $ jnap cache prune
    """
    if ctx.invoked_subcommand is None:  # bare `jnap cache`: its help, as data on stdout
        with output_errors():
            typer.echo(ctx.get_help())


@app.command("dir", cls=JnapCommand, short_help="Print the cache directory.")
def dir_(ctx: typer.Context) -> None:
    """Print the cache directory (which may not exist yet: it is made when a register is first cached).

    Examples:
      # Where the cache is
      $ jnap cache dir
      # How much room it takes
      $ du -sh "$(jnap cache dir)"
    """
    from jnap_cli.register.cache_files import directory
    from jnap_cli.text import escape_unsafe

    settings(ctx).out.write(escape_unsafe(str(directory())) + "\n")


@app.command("info", cls=JnapCommand, short_help="List the cached files, and what pruning would remove.")
def info(
    ctx: typer.Context,
    fmt: FormatOpt = None,
    fields: CachedFieldsOpt = None,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """List jnap's files in the cache directory: the file each entry caches and as what (register, part
    of a directory register, glossary), the entry's size, when a read last used it, and why pruning
    would remove it; a summary on stderr.

    Examples:
      # The cached files, and what pruning would remove
      $ jnap cache info
      # As JSON
      $ jnap cache info --format json
    """
    from jnap_cli.register.cache_files import listing

    _emit(settings(ctx, no_color=no_color).output(fmt, fields, empty, output_file, register=False), listing, "")


@app.command("prune", cls=JnapCommand, short_help="Remove what nothing will use again.")
def prune(
    ctx: typer.Context,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = None,
    fields: CachedFieldsOpt = None,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Remove the entries whose register is gone, unused for 30 days or unreadable, and the files of
    interrupted builds (as jnap does once a day by itself), listing them.

    Examples:
      # What pruning would remove
      $ jnap cache prune --dry-run
      # Remove it
      $ jnap cache prune
    """
    from jnap_cli.register.cache_files import prune as pruned

    output = settings(ctx, no_color=no_color).output(fmt, fields, empty, output_file, register=False)
    _emit(output, partial(pruned, dry_run=dry_run), _removed(dry_run))


@app.command("clear", cls=JnapCommand, short_help="Remove every cached file.")
def clear(
    ctx: typer.Context,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = None,
    fields: CachedFieldsOpt = None,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Remove all of jnap's files in the cache directory, listing them (nothing else there is touched).

    Examples:
      # What clearing would remove
      $ jnap cache clear --dry-run
      # Empty the cache
      $ jnap cache clear
    """
    from jnap_cli.register.cache_files import clear as cleared

    output = settings(ctx, no_color=no_color).output(fmt, fields, empty, output_file, register=False)
    _emit(output, partial(cleared, dry_run=dry_run), _removed(dry_run))


def _removed(dry_run: bool) -> str:
    return "would remove " if dry_run else "removed "


def _emit(output: Output, files: Callable[[], list[CachedFile]], verb: str) -> None:
    """The records of `files()` (fields checked first, so that a usage mistake removes nothing), then a
    summary line on stderr."""
    from jnap_cli.register.cache_files import directory, record
    from jnap_cli.render.records import choose_fields, emit

    choose_fields(CACHED_FILE, output.fields, output.chosen_format())
    found = files()
    emit([record(file) for file in found], CACHED_FILE, output)
    count = f"{len(found)} file" + ("" if len(found) == 1 else "s")
    note(f"{verb}{count}, {_size(sum(file.size for file in found))} in {directory()}")


def _size(size: int) -> str:
    """A size as people read it: 512 bytes, 1.2 MiB."""
    shown, unit = float(size), "bytes"
    for larger in ("KiB", "MiB", "GiB", "TiB"):
        if shown < 1024:
            break
        shown, unit = shown / 1024, larger
    return f"{size} bytes" if unit == "bytes" else f"{shown:.1f} {unit}"
