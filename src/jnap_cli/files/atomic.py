"""Every file jnap writes goes through here: a register, a new register, a report, an export.

- A regular file is replaced all at once, as git commits a lockfile: the new bytes go to a temporary
  file beside it (created 0600, written, fsynced, then given the old file's owner, group and mode),
  a last check runs (`before_rename`, which refuses a file another program changed meanwhile), the
  temporary file is renamed over the old one and the directory is fsynced. Readers see the old file or
  the new one, never a mixture, and a failure at any step leaves the old file and no temporary file.
- A character device or a FIFO (`-o /dev/stdout`, `-o >(gzip > r.gz)`, a named pipe) is written into,
  never replaced; so is a file named through `/proc/…/fd` or `/dev/fd` (the shell's own redirection).
- A symbolic link is followed: its target is what is written.
- A directory, a socket or a block device is refused with one line.

SIGTERM, SIGHUP and SIGINT are held back from the moment the temporary file exists until it is
renamed or removed, so that a signal cannot leave half a job behind; they are delivered right after.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from jnap_cli.errors import JnapError

_HELD_SIGNALS = {signal.SIGTERM, signal.SIGHUP, signal.SIGINT}
_MAGIC_LINKS = ("/proc/", "/dev/fd/")  # names of an already open file: write into it, never replace it


def temporary_name(target: Path) -> Path:
    """A new temporary file's name beside `target`: hidden, so that no directory register reads it."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")


def is_temporary_of(name: str, target: Path) -> bool:
    """Whether `name` is one of `target`'s temporary files (left behind by a killed jnap): exactly the
    names `temporary_name` makes, eight lowercase hex digits between the dots."""
    prefix = f".{target.name}."
    middle = name[len(prefix) : -len(".tmp")]
    return (
        name.startswith(prefix)
        and name.endswith(".tmp")
        and len(middle) == 8
        and all(ch in "0123456789abcdef" for ch in middle)
    )


def remove_temporaries(target: Path) -> int:
    """Remove the temporary files a killed writer of `target` left beside it; how many were removed.

    Only safe while holding `target`'s lock: no other jnap is writing it then."""
    removed = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if is_temporary_of(entry.name, target) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold back SIGTERM, SIGHUP and SIGINT for the `with` block (a no-op outside the main thread)."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    except (AttributeError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def private_temporary(path: Path) -> Iterator[tuple[Path, int]]:
    """A new file at `path`, readable by its owner only from the start, never through a link, and its
    open descriptor (the caller closes it); removed again if the `with` block fails in any way (an
    error, Ctrl-C, SIGTERM raised as `errors.Terminated`), left for the block to rename if it succeeds.
    Every temporary file jnap writes, the cache's SQLite files included, is made here."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    try:
        yield path, handle
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def replace(
    target: Path,
    data: bytes,
    error: type[JnapError],
    *,
    before_rename: Callable[[], None] | None = None,
    new: bool = False,
    unchanged: str = "nothing was written",
) -> list[str]:
    """Replace the regular file `target` (a real path, no link) by `data`, or create it.

    `before_rename` runs last, just before the rename, and may raise to refuse the write. With `new`,
    `target` must not exist yet and is never replaced, even by a file that appears meanwhile. Failures
    raise `error`, with `unchanged` as its hint. Returns warnings worth a line on stderr (an owner that
    could not be kept).
    """
    try:
        old = os.stat(target) if not new else None
    except FileNotFoundError:
        old = None
    warnings: list[str] = []
    with signals_held():
        try:
            with private_temporary(temporary_name(target)) as (temporary, handle):
                try:
                    _write_all(handle, data)
                    os.fsync(handle)
                    warnings += _same_owner(handle, old, target, error)
                    os.fchmod(handle, stat.S_IMODE(old.st_mode) if old is not None else _new_file_mode())
                finally:
                    os.close(handle)
                if before_rename is not None:
                    before_rename()
                _rename(temporary, target, new)
        except FileExistsError:
            raise error(f"{target}: already exists (created meanwhile)", unchanged) from None
        except OSError as exc:
            raise error(f"{target}: cannot write: {exc.strerror or exc}", unchanged) from None
    warnings += sync_directory(target.parent)
    return warnings


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]


def _rename(temporary: Path, target: Path, new: bool) -> None:
    """Move the temporary file into place; with `new`, only if nothing is there (a hard link, which
    fails on an existing name, where the file system has them)."""
    if not new:
        os.replace(temporary, target)
        return
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV):
            raise
        if os.path.lexists(target):  # no hard links here: the last look, then the rename
            raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
        os.replace(temporary, target)
        return
    os.unlink(temporary)


def _same_owner(handle: int, old: os.stat_result | None, target: Path, error: type[JnapError]) -> list[str]:
    """Give the new file the old one's owner and group where this process may. A group that cannot be
    kept is refused (its members would lose access); an owner that cannot be kept is a warning."""
    if old is None or (old.st_uid, old.st_gid) == (os.geteuid(), os.getegid()):
        return []
    try:
        os.fchown(handle, old.st_uid, old.st_gid)
        return []
    except PermissionError:
        pass
    if old.st_gid != os.getegid():
        try:
            os.fchown(handle, -1, old.st_gid)
        except PermissionError:
            raise error(
                f"{target}: its group (gid {old.st_gid}) cannot be kept by this user, and its members would "
                "lose access to it",
                "edit it as its owner or as a member of its group",
            ) from None
    return [f"{target} is now owned by uid {os.geteuid()} (it was uid {old.st_uid}): only root can keep another's"]


def _new_file_mode() -> int:
    """What the umask gives a new file (the temporary file was made 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def sync_directory(folder: Path) -> list[str]:
    """Make a rename in `folder` durable; a warning when the disk reports an error. Some systems cannot
    sync a directory at all (they say EINVAL or ENOTSUP): nothing to warn about there."""
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return []
    try:
        os.fsync(handle)
    except OSError as exc:
        if exc.errno in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF):
            return []
        return [f"{folder}: the directory could not be synced ({exc.strerror}): a power cut could undo the write"]
    finally:
        os.close(handle)
    return []


# --- output paths -----------------------------------------------------------------------------------


def write_output(path: Path, data: bytes, error: type[JnapError], *, new: bool = False) -> list[str]:
    """Write `data` to the output path `path` by what it is (see the module's docstring).

    With `new`, an existing path is refused (a register is never replaced unasked). Returns warnings.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None  # nothing there, or a link to nothing: create what it names
    except OSError as exc:
        raise error(f"{path}: cannot write: {exc.strerror or exc}", "nothing was written") from None
    if info is not None and new:
        raise error(f"{path}: already exists", "give --force to replace it, or choose another path")
    descriptor = _own_descriptor(path, info) if info is not None else None
    if descriptor is not None:  # `-o /dev/stdout`: jnap's own stdout, wherever the shell sent it
        sys.stdout.flush()
        _write_into(descriptor, data, path, error, close=False)
        return []
    if info is not None and not stat.S_ISREG(info.st_mode):
        if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            _write_into(_opened(path, error, append=False), data, path, error)
            return []
        raise error(f"{path}: {_kind(info.st_mode)}; give the path of a file to write", "nothing was written")
    if info is not None and _through_open_file(path) is not None:
        _write_into(_opened(path, error, append=True), data, path, error)  # another process's open file
        return []
    real = Path(os.path.realpath(path))
    if not real.parent.is_dir():
        raise error(f"{path}: no such directory: {real.parent}", "create it first")
    return replace(real, data, error, new=new or info is None)


def _through_open_file(path: Path) -> int | None:
    """The descriptor number when `path` reaches its file through `/proc/…/fd/N` or `/dev/fd/N`, the
    names of a file some process holds open: its links are followed one by one (`realpath` would skip
    past them). None otherwise."""
    current = os.path.abspath(path)
    for _ in range(40):  # as many links as the kernel follows
        if current.startswith(_MAGIC_LINKS):
            number = current.rsplit("/", 1)[-1]
            return int(number) if number.isdigit() and "/fd/" in current else -1
        try:
            target = os.readlink(current)
        except OSError:
            return None
        current = os.path.normpath(os.path.join(os.path.dirname(current), target))
    return None


def _own_descriptor(path: Path, info: os.stat_result) -> int | None:
    """jnap's own descriptor that `path` names (`/dev/stdout`, `/proc/self/fd/1`), if it does: writing to
    it shares the shell's offset, where opening the name again would write over what came before."""
    number = _through_open_file(path)
    if number is None or number < 0:
        return None
    try:
        mine = os.fstat(number)
    except OSError:
        return None
    return number if (mine.st_dev, mine.st_ino) == (info.st_dev, info.st_ino) else None


def _opened(path: Path, error: type[JnapError], *, append: bool) -> int:
    flags = os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC | (os.O_APPEND if append else 0)
    try:
        return os.open(path, flags)
    except OSError as exc:
        raise error(f"{path}: cannot write: {exc.strerror or exc}", "nothing was written") from None


def _write_into(handle: int, data: bytes, path: Path, error: type[JnapError], *, close: bool = True) -> None:
    """Write into what is already open: a terminal, a pipe, a shell's redirection. A reader that went
    away (`-o /dev/stdout | head`) ends jnap quietly, as for its standard output."""
    try:
        _write_all(handle, data)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise error(f"{path}: cannot write: {exc.strerror or exc}", "the output is incomplete") from None
    finally:
        if close:
            os.close(handle)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISSOCK(mode):
        return "is a socket"
    if stat.S_ISBLK(mode):
        return "is a block device"
    return "is not a regular file"
