"""A register's source: one TOML file (`register.load`) or a directory of them (`register.directory`).

Commands read a register through `load`, whichever it is, and the editing commands find the one file
to write through `open_for_edit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jnap_cli.register.paths import resolve_path

if TYPE_CHECKING:
    from jnap_cli.model.schema import Register
    from jnap_cli.register.directory import Directory
    from jnap_cli.register.splice import FileText


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
class Opened:
    """A register read for an edit: the register, and where each of its actions is written."""

    register: Register
    path: Path
    directory: Directory | None = None
    file: FileText | None = None  # a register file, as read (parsed once)

    def holding(self, action_id: str) -> FileText:
        """The file that holds action `action_id`."""
        if self.directory is None:
            return self._whole()
        return self._member(self.directory.member_holding(action_id))

    def home_of(self, plan_id: str, file: str | None, after: str | None) -> tuple[FileText, str | None]:
        """Where a new action of `plan_id` goes, and the action it follows there: in a register file,
        the file and `after`; in a directory, the file `file` names, else the one `Directory.home_of` picks."""
        if self.directory is None:
            if file is not None:
                from jnap_cli.errors import UsageError

                raise UsageError("--file names a file of a directory register", "leave it out for a register file")
            return self._whole(), after
        index, last = self.directory.home_of(plan_id, file)
        return self._member(index), last

    def _whole(self) -> FileText:
        assert self.file is not None
        return self.file

    def _member(self, index: int) -> FileText:
        from jnap_cli.register import tomlfile
        from jnap_cli.register.splice import FileText

        directory = self.directory
        assert directory is not None
        member = directory.members[index]
        assert member.path is not None

        def check(document: dict[str, Any], text: str, origin: str) -> object:
            return directory.with_document(index, document, text)

        return FileText(member.path, member.text, tomlfile.parse(member.text, member.origin), check)


def open_for_edit(path: Path) -> Opened:
    """The register at `path` (a file or directory), read and validated, ready to place an edit."""
    if is_directory(path):
        from jnap_cli.register.directory import load_directory

        directory = load_directory(path)
        return Opened(directory.register, path, directory)
    from jnap_cli.register import tomlfile
    from jnap_cli.register.load import load_document
    from jnap_cli.register.splice import FileText

    text = tomlfile.decode(tomlfile.read_bytes(path), str(path))
    document = tomlfile.parse(text, str(path))
    register = load_document(document, text, str(path))
    return Opened(register, path, file=FileText(path, text, document, load_document))
