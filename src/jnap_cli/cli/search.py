"""The text commands: search and glossary."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from jnap_cli.cli.options import (
    EmptyOpt,
    FormatOpt,
    LimitOpt,
    NoColorOpt,
    OutputOpt,
    PlanOpt,
    RegisterOpt,
    choices,
    complete_glossary,
    fields_option,
)
from jnap_cli.cli.settings import settings
from jnap_cli.model.vocab import SearchField
from jnap_cli.render.views import SEARCH_HIT, TERM


def search(
    ctx: typer.Context,
    query: Annotated[
        list[str], typer.Argument(metavar="QUERY", help='Words (all must match); "quoted phrases"; or a --regex.')
    ],
    register: RegisterOpt = None,
    field: Annotated[
        SearchField | None,
        typer.Option("--field", metavar="FIELD", case_sensitive=False, help=f"Search only {choices(SearchField)}."),
    ] = None,
    regex: Annotated[bool, typer.Option("--regex", "-E", help="QUERY is a regular expression.")] = False,
    expand: Annotated[bool, typer.Option(help="Match acronyms and their expansions (ISVA ⇄ Independent…).")] = True,
    plan: PlanOpt = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = None,
    fields: Annotated[str | None, fields_option(SEARCH_HIT)] = None,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Full-text search over text, commentary and theme, best match first: your words as typed, then by score.

    Examples:
      # A phrase, best match first
      $ jnap search "early advice"
      # Only in commentary, of one plan
      $ jnap search training --field commentary --plan refresh
      # The best match, in full
      $ jnap search ISVA --limit 1 --format ids | jnap show -
    """
    from jnap_cli.model.vocab import RecordFormat
    from jnap_cli.query.glossary import load_glossary
    from jnap_cli.query.indexed import search_file, search_ids
    from jnap_cli.query.search import DEFAULT_FIELDS
    from jnap_cli.render.records import emit

    chosen = settings(ctx, register=register, no_color=no_color)
    searched = DEFAULT_FIELDS if field is None else (field.value,)
    glossary = load_glossary(cache=chosen.cache) if expand else None
    output = chosen.output(fmt, fields, empty, output_file)
    if output.chosen_format() is RecordFormat.IDS:  # ids alone: every hit of a word is ranked from the index
        ids = search_ids(
            chosen.register_path(),
            " ".join(query),
            fields=searched,
            regex=regex,
            glossary=glossary,
            plan=plan,
            limit=limit,
            cache=chosen.cache,
        )
        emit([{"id": action_id} for action_id in ids], SEARCH_HIT, output)
        return
    hits, rows = search_file(
        chosen.register_path(),
        " ".join(query),
        fields=searched,
        regex=regex,
        glossary=glossary,
        plan=plan,
        limit=limit,
        cache=chosen.cache,
    )
    marks = [{"snippet": hit.spans} for hit in hits]
    emit(rows, SEARCH_HIT, output, highlights=marks)


def glossary(
    ctx: typer.Context,
    term: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="TERM",
            help="Look up one term, expansion or words of one (case-insensitive; no quotes needed).",
            autocompletion=complete_glossary,
        ),
    ] = None,
    fmt: FormatOpt = None,
    fields: Annotated[str | None, fields_option(TERM)] = None,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """The annex's acronyms and named things: expansions, descriptions and their sources.

    Examples:
      # Every acronym and named thing
      $ jnap glossary
      # What one stands for
      $ jnap glossary ISVA
      # Where an entry's words come from
      $ jnap glossary NPCC --fields term,source,cited_title,cited_url
    """
    from jnap_cli.query.glossary import entries, load_glossary
    from jnap_cli.render.records import emit

    chosen = settings(ctx, no_color=no_color)
    rows = [asdict(entry) for entry in entries(load_glossary(cache=chosen.cache), " ".join(term) if term else None)]
    emit(rows, TERM, chosen.output(fmt, fields, empty, output_file, register=False))
