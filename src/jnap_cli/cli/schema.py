"""`jnap schema`: the JSON Schema of a register file, for editors and validators."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jnap_cli.cli.settings import settings


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
    from jnap_cli.cli.document import write_text

    hint, wrote = "write the schema elsewhere", "the JSON Schema of a register file"
    write_text(text, output, out=chosen.out, register=chosen.register_path(), hint=hint, wrote=wrote)
