"""`jnap graph`: the relations between actions (continues, builds on) as Mermaid, DOT or an edge list."""

from __future__ import annotations

from typing import Annotated

import typer

from jnap_cli.cli.options import (
    BasisOpt,
    EmptyOpt,
    Filters,
    NoColorOpt,
    NotStatusOpt,
    OutputOpt,
    PlanOpt,
    RegisterOpt,
    StatusOpt,
    ThemeOpt,
    choices,
    complete_from_register,
    complete_words,
)
from jnap_cli.cli.settings import settings
from jnap_cli.errors import NoMatch, UsageError
from jnap_cli.model.vocab import GraphFormat, RecordFormat
from jnap_cli.render.views import EDGE


def graph(
    ctx: typer.Context,
    register: RegisterOpt = None,
    plan: PlanOpt = None,
    theme: ThemeOpt = None,
    status: StatusOpt = None,
    not_status: NotStatusOpt = None,
    basis: BasisOpt = None,
    around_id: Annotated[
        str | None,
        typer.Option(
            "--around",
            metavar="ID",
            help="Only the actions within --depth links of this one, either way.",
            autocompletion=complete_from_register("id"),
        ),
    ] = None,
    depth: Annotated[
        int | None, typer.Option("--depth", metavar="N", min=0, help="Links to follow from --around [default: 1].")
    ] = None,
    fmt: Annotated[
        GraphFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            case_sensitive=False,
            help=f"{choices(GraphFormat)} [default: table on a terminal, else tsv].",
            show_default=False,
        ),
    ] = None,
    fields: Annotated[
        str | None,
        typer.Option(
            "--fields",
            metavar="FIELDS",
            help="Record formats: the fields of each edge, in order (source, target, kind, reason).",
            autocompletion=complete_words(EDGE.fields),
        ),
    ] = None,
    empty: EmptyOpt = None,
    output_file: OutputOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """The links between actions as a graph: an edge from the action that continues (or builds on) another
    to that other, for every link whose two ends pass the filters.

    mermaid renders in GitHub Markdown; dot is Graphviz; the record formats print the edge list (source,
    target, kind, reason).

    Examples:
      # Every link, as a Mermaid graph
      $ jnap graph
      # The links within two steps of R4, for Graphviz
      $ jnap graph --around R4 --depth 2 --format dot
      # The links as a table of edges
      $ jnap graph --format table
    """
    from jnap_cli.query.graph import around, edge_records, edges

    if depth is not None and around_id is None:
        raise UsageError("--depth counts links from --around ID", "add --around ID, or leave --depth out")
    chosen = settings(ctx, register=register, no_color=no_color)
    drawn = fmt is GraphFormat.MERMAID or fmt is GraphFormat.DOT
    output = chosen.output(None if fmt is None or drawn else RecordFormat(fmt.value), fields, empty, output_file)
    loaded = chosen.load()
    ids = {a.id for a in Filters(plan, theme, status, not_status, basis).select(loaded)}
    if around_id is not None:
        ids &= around(loaded, around_id, 1 if depth is None else depth)
    found = edges(loaded, ids)
    if not found:
        raise NoMatch("no relations match")
    if drawn:
        from jnap_cli.render import graph_text

        draw = graph_text.mermaid if fmt is GraphFormat.MERMAID else graph_text.dot
        output.stream.write(draw(loaded, found))
        return
    from jnap_cli.render.records import emit

    records = [{**record, "ends": [record["source"], record["target"]]} for record in edge_records(found)]
    emit(records, EDGE, output)
