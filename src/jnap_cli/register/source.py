"""A register's source: one TOML file (`register.load`) or a directory of them (`register.directory`).

Commands read a register through `load`, whichever it is, and the editing commands find the one file
to write through `open_for_edit`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jnap_cli.register.paths import resolve_path

if TYPE_CHECKING:
    from jnap_cli.model.schema import Register
    from jnap_cli.register.directory import Directory

Check = Callable[[str, str], object]
"""Validates a file's new text (`text, origin`) as part of its register; raises what loading raises."""


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
    from jnap_cli.register.load import load as load_file

    return load_file(where, cache=cache)


@dataclass(frozen=True)
class Target:
    """The one file an edit writes, and how its new text is validated with the rest of its register."""

    path: Path
    check: Check


@dataclass(frozen=True)
class Opened:
    """A register read for an edit: the register, and where each of its actions is written."""

    register: Register
    path: Path
    directory: Directory | None = None

    def holding(self, action_id: str) -> Target:
        """The file that holds action `action_id`."""
        if self.directory is None:
            return self._whole()
        return self._member(self.directory.member_holding(action_id))

    def home_of(self, plan_id: str, file: str | None, after: str | None) -> tuple[Target, str | None]:
        """Where a new action of `plan_id` goes, and the action it follows there: in a register file,
        the file and `after`; in a directory, the file `file` names, else the one `Directory.home_of` picks."""
        if self.directory is None:
            if file is not None:
                from jnap_cli.errors import UsageError

                raise UsageError("--file names a file of a directory register", "leave it out for a register file")
            return self._whole(), after
        index, last = self.directory.home_of(plan_id, file)
        return self._member(index), last

    def _whole(self) -> Target:
        from jnap_cli.register.load import load_text

        return Target(self.path, load_text)

    def _member(self, index: int) -> Target:
        directory = self.directory
        assert directory is not None
        member = directory.members[index]
        assert member.path is not None
        return Target(member.path, lambda text, origin: directory.with_text(index, text))


def open_for_edit(path: Path) -> Opened:
    """The register at `path` (a file or directory), read and validated, ready to place an edit."""
    if is_directory(path):
        from jnap_cli.register.directory import load_directory

        directory = load_directory(path)
        return Opened(directory.register, path, directory)
    from jnap_cli.register.load import load_located

    return Opened(load_located(path)[0], path)
