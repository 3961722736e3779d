"""A lock the operating system releases when its holder dies: `flock` on a file beside what it guards.

Writers of one register take turns through it. It is taken only around read-check-write, never
while a person is typing in `$EDITOR`. A jnap that is killed (`kill -9`, a CI cancel, a closed
terminal) cannot leave a stale lock: the kernel drops a `flock` with the last descriptor of its holder,
and the next writer locks the file that is left behind and goes on.

The lock file is removed by its holder before it lets go. A waiter may have opened the file just
before that and then lock a name that no longer exists, so every holder checks, once it has the lock,
that the name still leads to the file it locked, and starts again if not (as Python's `filelock`
and git's lockfiles do not need to, since they never share a removed file).

While it holds the lock, a writer records in the file who it is (process id, command, since when),
so that a writer that gives up can say who holds it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from jnap_cli.errors import WriteRefused

WAIT_SECONDS = 15.0  # how long a writer waits for another (20 writers at once take 3-6 s on 2 busy cores)
_POLL_SECONDS = (0.005, 0.1)  # first and longest pause between tries


def lock_path(target: Path) -> Path:
    """The lock of the file (or directory) `target`: named after its real path, whatever path named it."""
    real = Path(os.path.realpath(target))
    return real / ".jnap.lock" if real.is_dir() else real.with_name(real.name + ".lock")


@contextlib.contextmanager
def held(target: Path, *, wait: float | None = None) -> Iterator[None]:
    """Hold the lock of `target` (a register file, or a directory register) for the `with` block.

    Waits up to `wait` seconds (`WAIT_SECONDS`) for another holder, then refuses the write
    (`WriteRefused`, exit 3) naming the holder.
    """
    from jnap_cli.files.atomic import signals_held

    path = lock_path(target)
    deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
    pause = _POLL_SECONDS[0]
    handle: int | None = None
    try:
        while True:
            with signals_held():  # a signal cannot leave a lock file that no `finally` removes
                handle = _acquire(path)
            if handle is not None:
                break
            if time.monotonic() >= deadline:
                raise WriteRefused(
                    f"{path}: {_holder(path)} is writing the register", "wait for it to finish, then retry"
                )
            time.sleep(pause)
            pause = min(pause * 2, _POLL_SECONDS[1])
        yield
    finally:
        if handle is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)  # while still locked: a waiter that opened it will see it gone and start again
            os.close(handle)  # releases the lock


def _acquire(path: Path) -> int | None:
    """The lock file's descriptor, locked and signed, or None when another holds it."""
    handle = _open(path)
    if not _try_lock(handle, path):
        os.close(handle)
        return None
    _sign(handle)
    return handle


def _open(path: Path) -> int:
    """The lock file, opened (created if need be) without following a link or blocking on a FIFO."""
    flags = os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        try:
            handle = os.open(path, os.O_RDWR | flags, 0o644)
        except PermissionError:  # another user's lock file: a read-only descriptor locks it as well
            handle = os.open(path, os.O_RDONLY | flags)
    except PermissionError:
        raise WriteRefused(
            f"{path}: cannot take the lock: it belongs to another user", "remove it if no jnap of theirs is running"
        ) from None
    except OSError as exc:
        why = "it is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        raise WriteRefused(f"{path}: cannot take the lock: {why}", "the register is unchanged") from None
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise WriteRefused(f"{path}: cannot take the lock: not a regular file", "remove it")
    return handle


def _try_lock(handle: int, path: Path) -> bool:
    """Lock `handle` without waiting; true when it is locked and `path` still names the file it locked."""
    import fcntl

    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:
        os.close(handle)
        raise WriteRefused(
            f"{path}: cannot take the lock: {exc.strerror or exc}", "the register is unchanged"
        ) from None
    mine = os.fstat(handle)
    try:
        now = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False  # its holder removed it just before letting go: lock the next one
    return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)


def _sign(handle: int) -> None:
    """Record who holds the lock: process id, when, and the command (best effort: a read-only
    descriptor, or a full disk, leaves it unsigned)."""
    command = " ".join(["jnap", *sys.argv[1:]])[:200].replace("\n", " ")
    since = time.strftime("%H:%M:%S")
    with contextlib.suppress(OSError):
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n{since}\n{command}\n".encode("utf-8", "backslashreplace"), 0)


def _holder(path: Path) -> str:
    """Who holds the lock, as its holder recorded it: `jnap (pid 4242, since 10:02:03: jnap comment R4 …)`."""
    from jnap_cli.text import one_line

    try:
        with open(path, "rb") as stream:
            pid, since, command = ([*stream.read(512).decode("utf-8", "replace").split("\n"), "", "", ""])[:3]
    except OSError:
        return "another jnap"
    if not pid.isdigit():
        return "another jnap"
    return f"another jnap (pid {pid}, since {one_line(since)}: {one_line(command)})"
