"""A register read for an edit: the register, parsed once, and the one file each action is written to
(a register file, or the file of a directory register that holds it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jnap_cli.register.source import is_directory
from jnap_cli.writing.splice import FileText

if TYPE_CHECKING:
    from jnap_cli.model.schema import Register
    from jnap_cli.register.directory import Directory


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

    text = tomlfile.decode(tomlfile.read_bytes(path), str(path))
    document = tomlfile.parse(text, str(path))
    register = load_document(document, text, str(path))
    return Opened(register, path, file=FileText(path, text, document, load_document))
