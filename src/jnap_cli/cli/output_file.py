"""`-o FILE` of the commands that print records: what they print is held, then written to FILE in one go
(`files.atomic.write_output`: a file replaced at once, a FIFO or device written into) once the command
has printed it, even when it then exits 1 (findings, differences); a command that fails writes nothing."""

from __future__ import annotations

import io
import os
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar, cast

Format = TypeVar("Format", bound=StrEnum)


def held(path: Path, register: Path | None) -> io.TextIOWrapper:
    """A text stream (with a `buffer` for binary formats) that holds the command's output for `path`.

    A path that is the register (or a file of a directory register) is refused (exit 2) before any
    work is done: writing there would destroy it."""
    if register is not None:
        refuse_the_register(path, register)
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="", write_through=True)


def write_held(path: Path, stream: io.TextIOWrapper) -> list[str]:
    """Write what the command printed (`held`) to its `-o FILE`; the write's warnings."""
    from jnap_cli.errors import OutputFailed
    from jnap_cli.files.atomic import write_output

    stream.flush()
    return write_output(path, cast("io.BytesIO", stream.buffer).getvalue(), OutputFailed)


def refuse_the_register(output: Path, register: Path, hint: str = "write the output elsewhere") -> None:
    """Output written over the register (or into a directory register as one of its files) would
    destroy it: refuse that path (exit 2). Every writer of `-o FILE` asks this first."""
    from jnap_cli.errors import OutputFailed
    from jnap_cli.register.directory import is_member_name

    real, kept = os.path.realpath(output), os.path.realpath(register)
    inside = os.path.isdir(kept) and os.path.dirname(real) == kept and is_member_name(os.path.basename(real))
    if real == kept or inside:
        raise OutputFailed(f"{output}: that is the register (or one of its files)", hint)


def named_format(ctx: Any, fmt: Format, to: Path | None) -> Format:
    """`--format` when given; else the record format `-o FILE`'s name asks for (`-o findings.xlsx`),
    else the command's default: for commands whose default is text of their own (check, diff)."""
    from typer._click.core import ParameterSource

    from jnap_cli.model.vocab import SUFFIXES

    named = SUFFIXES.get(to.suffix.lower()) if to is not None else None
    if named is None or ctx.get_parameter_source("fmt") is not ParameterSource.DEFAULT:
        return fmt
    return type(fmt)(named.value)
