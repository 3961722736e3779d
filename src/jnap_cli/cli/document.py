"""One document (a report, the schema) written where `-o` says: the one way `report` and `schema` write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jnap_cli.cli.boundary import note
from jnap_cli.cli.output_file import refuse_the_register


def write_text(text: str, output: Path | None, *, out: Any, register: Path, hint: str, wrote: str) -> None:
    """A document (a report, the schema) to `-o FILE`, or to `out` without one or with `-o -`: the register
    refused as a target, then written as `write_output` writes, its warnings and `jnap: wrote FILE: …`
    on stderr."""
    from jnap_cli.errors import OutputFailed
    from jnap_cli.files.atomic import write_output

    if output is None or str(output) == "-":  # `-o -`: standard output, as for other tools
        out.write(text)
        return
    refuse_the_register(output, register, hint)
    for warning in write_output(output, text.encode("utf-8"), OutputFailed):
        note(f"warning: {warning}")
    note(f"wrote {output}: {wrote}")
