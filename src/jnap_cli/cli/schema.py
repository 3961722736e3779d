"""`jnap schema`: the JSON Schema of a register file, for editors and validators."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jnap_cli.cli.boundary import note
from jnap_cli.cli.settings import settings
from jnap_cli.errors import OutputFailed


def schema(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the schema to FILE ('-': stdout); a file is replaced at once, a FIFO or terminal written into.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """The JSON Schema of a register file, generated from the rules jnap reads it by: required keys,
    types, statuses, id patterns, and no unknown keys. Editors use it to check and complete a register
    as it is typed (taplo, Even Better TOML: a `#:schema` line, which `jnap init` writes); `jnap check`
    checks what a schema cannot (unique ids, links to real actions, numbering).

    Examples:
      # The schema, for a look at the keys a register may hold
      $ jnap schema
      # Keep a copy beside a register, where its #:schema line points
      $ jnap schema -o jnap-register.schema.json
    """
    from jnap_cli.model.json_schema import register_schema_text

    chosen = settings(ctx)
    text = register_schema_text()
    if output is None or str(output) == "-":  # `-o -`: standard output, as for other tools
        chosen.out.write(text)
        return
    from jnap_cli.cli.output_file import refuse_the_register
    from jnap_cli.files.atomic import write_output

    refuse_the_register(output, chosen.register_path(), "write the schema elsewhere")
    for warning in write_output(output, text.encode("utf-8"), OutputFailed):
        note(f"warning: {warning}")
    note(f"wrote {output}: the JSON Schema of a register file")
