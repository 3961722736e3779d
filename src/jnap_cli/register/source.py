"""A register's source: one TOML file (`register.load`) or a directory of them (`register.directory`).

Commands read a register through `load`, whichever it is (the editing commands through
`writing.opened`, which also finds the one file to write).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from jnap_cli.register.paths import resolve_path

if TYPE_CHECKING:
    from jnap_cli.model.schema import Register


def is_directory(path: Path) -> bool:
    """Whether `path` names a directory register (false for names the system cannot look up)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def load(path: Path | None = None, *, cache: bool = True) -> Register:
    """Read and validate a register file or directory, through the cache of each file (`register.cache`)
    unless `cache` is false; raise `InputUnreadable` or `RegisterInvalid`.

    Without `path`, the register that `register.paths.resolve_path` finds.
    """
    where = resolve_path(path)
    if is_directory(where):
        from jnap_cli.register.directory import load_directory

        return load_directory(where, cache=cache).register
    from jnap_cli.register.load import load_file

    return load_file(where, cache=cache)
