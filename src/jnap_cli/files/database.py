"""Where an exported SQLite database may go, and writing it there all at once (`jnap export sqlite`).

SQLite reads and writes a database file at any offset, so the target must be a regular file (or a new
one): standard output, a FIFO, a terminal or another device is refused, as is a directory. The database
is written by `atomic.replace` (a temporary file beside the target, renamed over it): an interrupted or
failed export leaves the old file as it was and no temporary file. An existing file is replaced only
when it is empty or a database jnap exported before (its `_metadata` says so), or with `force`: a
re-export is routine, losing someone else's database to a typo is not.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from jnap_cli.errors import OutputFailed, WriteRefused
from jnap_cli.files import atomic

MARKER_TABLE = "_metadata"
MARKER_KEY = "generator"  # its value starts with MARKER_PREFIX in every database jnap exports
MARKER_PREFIX = "jnap "
_KINDS = (
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISFIFO, "is a FIFO"),
    (stat.S_ISCHR, "is a terminal or another device"),
    (stat.S_ISBLK, "is a block device"),
    (stat.S_ISSOCK, "is a socket"),
)
_SEEKABLE = "SQLite needs a regular file it can seek in"


@dataclass(frozen=True)
class Target:
    """A checked place to write a database: its real path, and the file there now (None: a new file)."""

    path: Path
    real: Path
    existing: os.stat_result | None


def check_target(path: Path, *, force: bool = False) -> Target:
    """Where the database `path` names will be written, or why it cannot be: `OutputFailed` (exit 2) for
    what is not a regular file or a missing folder, `WriteRefused` (exit 3) for a file jnap did not write
    (without `force`)."""
    if str(path) == "-":
        raise OutputFailed(f"-: a database cannot be written to standard output ({_SEEKABLE})", "give a file name")
    real = Path(os.path.realpath(path))
    try:
        existing: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise OutputFailed(f"{path}: cannot write: {exc.strerror or exc}", "nothing was written") from None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        kind = next((what for test, what in _KINDS if test(existing.st_mode)), "is not a regular file")
        raise OutputFailed(f"{path}: {kind} ({_SEEKABLE})", "give the path of a file to write")
    if str(real).startswith(("/proc/", "/dev/fd/")):  # an open descriptor's name that is no file on disk
        raise OutputFailed(f"{path}: not a file on disk ({_SEEKABLE})", "give the path of a file to write")
    if not real.parent.is_dir():
        raise OutputFailed(f"{path}: no such directory: {real.parent}", "create it first")
    if existing is not None and existing.st_size > 0 and not force and not written_by_jnap(real):
        raise WriteRefused(
            f"{path}: already exists and is not a database jnap exported",
            "give --force to replace it, or choose another path",
        )
    return Target(path, real, existing)


def written_by_jnap(path: Path) -> bool:
    """Whether `path` is a SQLite database jnap exported: opened read-only; anything unreadable is not."""
    import sqlite3
    from urllib.parse import quote

    try:
        connection = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        query = f"select value from {MARKER_TABLE} where key = ?"  # noqa: S608 -- a constant name
        found = connection.execute(query, (MARKER_KEY,)).fetchone()
    except sqlite3.Error:
        return False
    finally:
        connection.close()
    return found is not None and isinstance(found[0], str) and found[0].startswith(MARKER_PREFIX)


def write_database(target: Target, data: bytes) -> list[str]:
    """Write the database `data` at `target` all at once; warnings worth a line on stderr.

    The file there must still be the one `check_target` saw: one that changed or appeared meanwhile is
    not replaced (`WriteRefused`)."""

    def still_the_same() -> None:
        try:
            now: os.stat_result | None = os.stat(target.real)
        except FileNotFoundError:
            now = None
        if _identity(now) != _identity(target.existing):
            raise WriteRefused(f"{target.path}: changed while the database was built", "nothing was written")

    return atomic.replace(target.real, data, OutputFailed, before_rename=still_the_same, new=target.existing is None)


def _identity(info: os.stat_result | None) -> tuple[int, int, int, int] | None:
    return None if info is None else (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
