"""The cache's directory and the files jnap keeps in it: private, known by name, listed, pruned, cleared.

Where: `platformdirs.user_cache_path("jnap")/registers/` (`$XDG_CACHE_HOME/jnap/registers` on Linux).
A register may be private, so its cache is no more readable than it: the directories jnap creates
are 0700 and every file is created 0600 (never widened, then narrowed).

Names: `{32 hex digits}.sqlite3` is an entry (`register.cache`), named by a hash of its register's
real path; `.{entry}.{pid}.tmp` is an entry being built by process `pid`. Only these names are jnap's:
listing, pruning and clearing look at nothing else, and never follow a symlink.

Bounded: before each new entry is written, the temporary files of builds that died (their process
is gone, or they are over an hour old) are removed; and, at most once a day (the mtime of the
`.pruned` marker), the entries whose register is gone or that no read has used for 30 days. An
entry's mtime is when it was last used: a read that uses it refreshes it, at most once a day.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jnap_cli.errors import InputUnreadable

DAY_NS = 86_400 * 1_000_000_000
UNUSED_NS = 30 * DAY_NS  # an entry no read has used for this long is pruned
BUILD_NS = 3_600 * 1_000_000_000  # a temporary file this old is a dead build's, whatever its pid says
ENTRY = re.compile(r"[0-9a-f]{32}\.sqlite3")
TEMPORARY = re.compile(r"\.[0-9a-f]{32}\.sqlite3\.([0-9]{1,10})\.tmp")
MARKER = ".pruned"  # its mtime: when the directory was last pruned


def directory() -> Path:
    return _user_cache() / "registers"


def _user_cache() -> Path:
    """`platformdirs.user_cache_path("jnap")`, found without importing platformdirs (2 ms of every run)
    where its answer is plain: on Linux, an absolute `$XDG_CACHE_HOME`, else an absolute `$HOME`'s
    `.cache`, each with `jnap` appended (tests hold this to platformdirs' own answer)."""
    if sys.platform == "linux":
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        if os.path.isabs(xdg):
            return Path(xdg, "jnap")
        if os.path.isabs(os.environ.get("HOME", "")):
            return Path(os.path.expanduser("~/.cache"), "jnap")
    from platformdirs import user_cache_path

    return user_cache_path("jnap", appauthor=False)


def entry_path(register: Path) -> Path:
    """Where the cache of the register at `register` is kept: named by a hash of its real path (`ENTRY`)."""
    name = hashlib.sha256(os.fsencode(os.path.realpath(register))).hexdigest()[:32]
    return directory() / f"{name}.sqlite3"


def make_directory() -> Path:
    """The cache directory, created 0700 (with any missing parent, as the XDG spec asks) if need be."""
    folder = directory()
    missing = []
    for candidate in (folder, *folder.parents):
        if candidate.is_dir():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another jnap made it first
            candidate.mkdir(mode=0o700)
    return folder


def temporary_path(entry: Path) -> Path:
    """Where this process builds `entry`."""
    return entry.with_name(f".{entry.name}.{os.getpid()}.tmp")


def create_private(path: Path) -> None:
    """A new empty file at `path`, 0600 from the start (SQLite would make it 0644 before any chmod)."""
    path.unlink(missing_ok=True)  # a temporary file left by a dead process that had this pid
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # O_EXCL: never through a symlink


def touch(entry: Path, mtime_ns: int) -> None:
    """Mark an entry (whose mtime was `mtime_ns`) used now; at most once a day, so a read rarely writes."""
    now = time.time_ns()
    if now - mtime_ns > DAY_NS:
        with contextlib.suppress(OSError):
            os.utime(entry, ns=(now, now))


@dataclass(frozen=True)
class CachedFile:
    """One of jnap's files in the cache directory, and whether pruning would remove it (and why)."""

    path: Path
    kind: str  # register, part, glossary (what its file was read as) or findings; temporary; unknown when unreadable
    register: str | None  # the real path of the file it caches
    size: int
    used_ns: int  # when a read last used it (at most a day out), or when it was written
    prunable: str | None = None


def record(found: CachedFile) -> dict[str, Any]:
    """A cached file as `jnap cache` shows it; `last_used` in local time, ISO 8601."""
    from datetime import datetime

    used = datetime.fromtimestamp(found.used_ns / 1e9).astimezone().isoformat(timespec="seconds")
    return {
        "file": found.register,
        "kind": found.kind,
        "bytes": found.size,
        "last_used": used,
        "prunable": found.prunable,
        "entry": str(found.path),
    }


def tidy() -> None:
    """Before a new entry is written: remove dead builds' temporary files, and once a day `prune`."""
    folder = directory()
    now = time.time_ns()
    marker = folder / MARKER
    try:
        due = now - marker.stat().st_mtime_ns > DAY_NS
    except FileNotFoundError:
        due = True
    except OSError:
        return
    with contextlib.suppress(OSError, InputUnreadable):
        if due:
            prune()
            create_private(marker)
        else:
            for found in listing(entries=False):
                if found.prunable is not None:
                    _remove(found.path)


def listing(*, entries: bool = True) -> list[CachedFile]:
    """jnap's files in the cache directory (only its temporary files without `entries`), in name order.

    A missing directory has none; one that cannot be listed is an `InputUnreadable`.
    """
    folder = directory()
    now = time.time_ns()
    try:
        with os.scandir(folder) as scan:
            names = sorted(item.name for item in scan)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise InputUnreadable(
            f"cannot read the cache directory {folder}: {exc.strerror or exc}",
            "check its permissions, or remove it: jnap makes it again",
        ) from None
    files = []
    for name in names:
        temporary = TEMPORARY.fullmatch(name)
        if temporary is None and not (entries and ENTRY.fullmatch(name)):
            continue
        path = folder / name
        try:
            info = path.lstat()
        except FileNotFoundError:  # removed since (by another jnap)
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        if temporary is not None:
            dead = now - info.st_mtime_ns > BUILD_NS or not _alive(int(temporary.group(1)))
            reason = "interrupted build" if dead else None
            files.append(CachedFile(path, "temporary", None, info.st_size, info.st_mtime_ns, reason))
        else:
            files.append(_entry(path, info, now))
    return files


def _entry(path: Path, info: os.stat_result, now: int) -> CachedFile:
    kind, register = _what(path)
    if register is None:
        reason: str | None = "unreadable"
    elif not os.path.exists(register):
        reason = "register gone"
    elif now - info.st_mtime_ns > UNUSED_NS:
        reason = "unused for 30 days"
    else:
        reason = None
    return CachedFile(path, kind, register, info.st_size, info.st_mtime_ns, reason)


def _what(path: Path) -> tuple[str, str | None]:
    """An entry's kind and the real path of its register, from its `meta` table; ("unknown", None) if unreadable."""
    import sqlite3

    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            meta = dict(connection.execute("SELECT key, value FROM meta WHERE key IN ('kind', 'path')").fetchall())
        finally:
            connection.close()
    except (sqlite3.Error, ValueError):
        return "unknown", None
    kind, register = meta.get("kind"), meta.get("path")
    if not isinstance(kind, str) or not isinstance(register, str):
        return "unknown", None
    return kind, register


def _alive(pid: int) -> bool:
    """Whether a process `pid` exists (it may be another user's: then it exists too)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:  # PermissionError: someone else's process
        return True
    return True


def prune(*, dry_run: bool = False) -> list[CachedFile]:
    """Remove what nothing will use again (`CachedFile.prunable`): entries whose register is gone, unused
    for 30 days or unreadable, and dead builds' temporary files. What was (or would be) removed."""
    gone = [found for found in listing() if found.prunable is not None]
    if not dry_run:
        for found in gone:
            _remove(found.path)
    return gone


def clear(*, dry_run: bool = False) -> list[CachedFile]:
    """Remove every one of jnap's files in the cache directory (each is made again when needed)."""
    gone = listing()
    if not dry_run:
        for found in gone:
            _remove(found.path)
    return gone


def _remove(path: Path) -> None:
    # unlink never follows a symlink: at worst it removes a link put there since the listing.
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise InputUnreadable(f"cannot remove {path}: {exc.strerror or exc}", "check its permissions") from None
