"""Writing a planned change (`writing.splice`) to a register: locked, checked, atomic, or not at all.

The protocol, as git's lockfiles and `rename` make it safe, with a lock the kernel releases:

1. Take the lock of the register (`files.lock`, named after the real path of the file written,
   whatever path named it; a directory register's writes also take the directory's lock first,
   since ids and numbers are unique across its files). Only read-check-write happens under it,
   never a person typing in `$EDITOR`.
2. Read and plan the change under it (`apply`'s `make`).
3. Read the file once more: it must be the bytes the change was planned from, with one name
   (a hard-linked register would keep its old text under its other names).
4. Write the new bytes to a temporary file beside it, fsync it, give it the register's owner, group
   and mode; then, immediately before the rename, look at the register again: if anything changed
   it since step 3 (an outside editor's save, a `sed -i`), refuse. Rename, fsync the directory.

Every refusal is `WriteRefused` (exit 3) and leaves the register untouched; the temporary files that
a killed jnap left beside the register are removed in step 3, under the lock.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from jnap_cli.errors import InputUnreadable, WriteRefused
from jnap_cli.files import atomic, lock
from jnap_cli.register import cache, tomlfile
from jnap_cli.writing.splice import Change

T = TypeVar("T")

_RETRY = "run the command again"


def commit(change: Change) -> list[str]:
    """Write `change`, holding the lock of its file (the caller holds it); warnings for stderr."""
    target = Path(os.path.realpath(change.path))  # a symlinked register is updated through the link
    try:
        current, seen = tomlfile.read_stable(target)
    except tomlfile.ChangedWhileRead:
        raise WriteRefused(f"{change.path}: changed on disk while it was being read", _RETRY) from None
    except InputUnreadable as exc:
        raise WriteRefused(f"{change.path}: cannot read it again", exc.message) from None
    if current != change.old:
        raise ChangedOnDisk(f"{change.path}: changed on disk since it was read", _RETRY)
    if seen.st_nlink > 1:
        raise WriteRefused(
            f"{change.path}: has {seen.st_nlink} names (hard links); replacing it would leave the others with "
            "the old text",
            "edit a copy with one name (cp FILE NEW && mv NEW FILE)",
        )
    atomic.remove_temporaries(target)

    def still_as_read() -> None:
        try:
            now = os.stat(target)
        except OSError:
            now = None
        if now is None or not tomlfile.same_file_state(now, seen):
            raise WriteRefused(f"{change.path}: changed on disk while jnap was writing it", _RETRY)

    warnings = atomic.replace(
        target, change.new, WriteRefused, before_rename=still_as_read, unchanged="the register is unchanged"
    )
    cache.forget(target)  # its key would miss it anyway; this also frees the space at once
    return warnings


class ChangedOnDisk(WriteRefused):
    """The register is not the bytes the change was planned from."""


def apply(register: Path, make: Callable[[], tuple[Change, T]]) -> tuple[Change, T, list[str]]:
    """Plan (`make`) and write a change to the register at `register` (a file, or a directory register)
    under its lock(s); the change, what `make` said of it, and warnings.

    In a directory register, `make` runs under the directory's lock and names the file to write; that
    file's lock is taken next. A writer that named that file alone (`-r DIR/file.toml`) may have written
    it in between: then the change is planned once more, holding both locks.
    """
    if not _is_directory(register):
        with lock.held(register):
            change, said = _planned(make)
            return change, said, commit(change)
    with lock.held(register):
        change, said = _planned(make)
        with lock.held(change.path):
            try:
                return change, said, commit(change)
            except ChangedOnDisk:
                pass
            again, said = _planned(make)
            if os.path.realpath(again.path) != os.path.realpath(change.path):
                raise WriteRefused(f"{register}: changed on disk while the edit was being planned", _RETRY)
            return again, said, commit(again)


def _planned(make: Callable[[], tuple[Change, T]]) -> tuple[Change, T]:
    """`make()`, with a file that keeps changing while it is read refused as a write (exit 3)."""
    try:
        return make()
    except tomlfile.ChangedWhileRead as exc:
        raise WriteRefused(exc.message, "the register is unchanged; " + _RETRY) from None


def _is_directory(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False
