"""`jnap export`: the register in another program's format; `sqlite`, a database for Datasette."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Annotated, Any

import typer

from jnap_cli.cli.boundary import note
from jnap_cli.cli.help import HelpGroup, JnapCommand
from jnap_cli.cli.options import RegisterOpt
from jnap_cli.cli.settings import output_errors, settings
from jnap_cli.errors import OutputFailed
from jnap_cli.text import plural

app = typer.Typer(name="export", cls=HelpGroup, invoke_without_command=True, rich_markup_mode=None)


@app.callback()
def export(ctx: typer.Context) -> None:
    """The register in another program's format, to publish or to query: `sqlite` writes a SQLite
    database that Datasette serves as a website with a search box, facets and a JSON API.

    Examples:
      # The register as a SQLite database
      $ jnap export sqlite jnap.db
      # With Datasette's metadata (serve: datasette jnap.db -m metadata.json)
      $ jnap export sqlite jnap.db --metadata metadata.json
    """
    if ctx.invoked_subcommand is None:  # bare `jnap export`: its help, as data on stdout
        with output_errors():
            typer.echo(ctx.get_help())


@app.command("sqlite", cls=JnapCommand, short_help="Write the register as a SQLite database, for Datasette.")
def sqlite(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The database to write (a regular file).")],
    metadata: Annotated[
        Path | None,
        typer.Option(
            "--metadata",
            "-m",
            metavar="PATH",
            help="Also write Datasette's metadata (title, source, descriptions, facets) to PATH ('-': stdout).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE even if it is not a database jnap exported.")
    ] = False,
    register: RegisterOpt = None,
) -> None:
    """Write the register as a SQLite database: tables `actions` (every field of `jnap list --format
    json`, a list as a JSON array), `plans`, `links` (one row per continues or builds_on link, with its
    reason; the view `links_both_ways` reads each from both ends), `glossary` and `_metadata`; the view
    `themes`. Foreign keys tie them together, and full-text indexes give Datasette a search box.

    FILE is replaced all at once, and only once the database is complete; it must be a regular file
    (SQLite seeks in it), and a file there already must be a database jnap exported (else give --force).

    Examples:
      # Export, then query it with Datasette (pip install datasette)
      $ jnap export sqlite jnap.db && datasette jnap.db --get /jnap/plans.csv
      # With Datasette's metadata: title, source, descriptions, facets
      $ jnap export sqlite jnap.db --metadata metadata.json
    """
    from jnap_cli import __version__
    from jnap_cli.files.database import check_target, write_database
    from jnap_cli.query.glossary import load_glossary
    from jnap_cli.render import sqlite as export

    chosen = settings(ctx, register=register)
    from jnap_cli.cli.output_file import refuse_the_register

    for written in (file, *([metadata] if metadata else [])):
        refuse_the_register(written, chosen.register_path(), "export it elsewhere")
    if metadata is not None and _same_file(metadata, file):
        raise OutputFailed(f"{metadata}: that is the database", "give the metadata another name")
    target = check_target(file, force=force)  # before the work: a refusal costs nothing
    loaded = chosen.load()
    glossary = load_glossary(cache=chosen.cache)
    for warning in write_database(target, export.database(loaded, glossary, version=__version__)):
        note(f"warning: {warning}")
    links = sum(len(a.continues) + len(a.builds_on) for a in loaded.actions)
    note(
        f"wrote {file}: {plural(len(loaded.actions), 'action')}, {plural(len(loaded.plans), 'plan')}, "
        f"{plural(links, 'link')}, {plural(len(glossary.terms), 'glossary term')}"
    )
    if metadata is not None:
        _write_metadata(metadata, export.datasette_metadata(loaded, Path(file).stem), chosen.out)


def _write_metadata(path: Path, metadata: dict[str, Any], out: IO[str]) -> None:
    """Datasette's metadata as JSON (which Datasette reads whatever the file's name: JSON is YAML too)."""
    import json

    text = json.dumps(metadata, indent=2, ensure_ascii=False) + "\n"
    if str(path) == "-":
        out.write(text)
        return
    from jnap_cli.files.atomic import write_output

    for warning in write_output(path, text.encode("utf-8"), OutputFailed):
        note(f"warning: {warning}")
    note(f"wrote {path}: Datasette's metadata")


def _same_file(one: Path, other: Path) -> bool:
    import os

    return str(one) != "-" and os.path.realpath(one) == os.path.realpath(other)
