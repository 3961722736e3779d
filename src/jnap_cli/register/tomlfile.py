"""The one reader of TOML files (registers, the glossary, git revisions): path → bytes → text → TOML.

Every input is held to the same rules (a regular file, at most `max_bytes()`, UTF-8 without a BOM) and
every failure is one `InputUnreadable` line naming the file, and the line and column where known.
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path
from typing import Any

from jnap_cli.errors import InputUnreadable, UsageError

# A guard against absurd input, far above any real register (100,000 actions are about 90 MiB).
DEFAULT_MAX_BYTES = 1024**3
MAX_BYTES_VARIABLE = "JNAP_MAX_BYTES"
_SIZE = r"(?i)(?P<number>\d{1,15})\s*(?P<unit>[kmgt]?)i?b?"  # compiled when a size is given (`re`'s cache)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}

READ_TRIES = 3  # reads of a file that keeps changing before giving up
# A writer can stall mid-file (ext4 pauses 10-20 ms when a file is rewritten in place), leaving a
# half-written file that does not change while it is read: a file modified more recently than this
# must also stay unchanged until it is this old (watched every `SETTLE_POLL_NS`).
SETTLE_NS = 50_000_000
SETTLE_POLL_NS = 5_000_000


def max_bytes() -> int:
    """The largest file jnap reads: `$JNAP_MAX_BYTES` (bytes, or with a K, M, G or T suffix), else 1 GiB."""
    setting = os.environ.get(MAX_BYTES_VARIABLE, "").strip()
    if not setting:
        return DEFAULT_MAX_BYTES
    size = re.fullmatch(_SIZE, setting)
    if size is None or int(size["number"]) == 0:
        raise UsageError(f"{MAX_BYTES_VARIABLE}={setting!r} is not a size", "give bytes, or a size such as 512M or 2G")
    return int(size["number"]) * _UNITS[size["unit"].lower()]


def shown_size(size: int) -> str:
    """A byte count as the largest whole unit that divides it: 1 GiB, 512 MiB, 1000 bytes."""
    for unit, factor in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def _too_large(origin: str, limit: int, kind: str = "register") -> InputUnreadable:
    return InputUnreadable.at(
        origin, f"larger than {shown_size(limit)}; not a {kind}", f"set {MAX_BYTES_VARIABLE} higher to read it"
    )


class ChangedWhileRead(InputUnreadable):
    """A file that kept changing while it was read (another program is writing it)."""


def read_bytes(
    path: Path, *, kind: str = "register", hint: str = "give the path of an existing register file"
) -> bytes:
    """The file's bytes, or a one-line `InputUnreadable` saying why they cannot be had (`read_stable`)."""
    return read_stable(path, kind=kind, hint=hint)[0]


def read_stable(
    path: Path, *, kind: str = "register", hint: str = "give the path of an existing register file"
) -> tuple[bytes, os.stat_result]:
    """The file's bytes and its status as they were read, or a one-line `InputUnreadable`.

    `kind` names what the file should be (register, glossary); `hint` what to do when it is missing.
    A file rewritten while it is read (its size, mtime or inode differ after the read, or the bytes
    read are not its size, or it changes within `SETTLE_NS` of its last modification) is read again,
    up to `READ_TRIES` times, so that a half-written file is not taken for a whole one; one that keeps
    changing is `ChangedWhileRead`. Memory follows the file's size, never the size guard's.
    """
    info = _stat(path, kind, hint)
    limit = max_bytes()
    if info.st_size > limit:
        raise _too_large(str(path), limit, kind)
    previous: bytes | None = None
    for _ in range(READ_TRIES):
        data = _read_limited(path, info.st_size, limit)
        after = _stat(path, kind, hint)
        if len(data) > limit:
            raise _too_large(str(path), limit, kind)
        # The same bytes twice from an unchanged file whose size is not what it holds (a /proc or FUSE
        # file) are what it holds.
        if _identity(after) == _identity(info) and (len(data) == after.st_size or data == previous):
            settled = _settled(path, after, kind, hint)
            if _identity(settled) == _identity(after):
                return data, settled
            after = settled
        info, previous = after, data
    raise ChangedWhileRead.at(str(path), "changed while being read; try again")


_CHUNK = 1 << 20


def _read_limited(path: Path, expected: int, limit: int) -> bytes:
    """At most `limit + 1` bytes of the file, in a buffer sized by what the file says it holds (a
    file of size 0 under /proc is read in chunks). Opened without blocking: a file that would make a
    read wait (a kernel log, a FIFO put in its place) is refused rather than waited for."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise InputUnreadable.at(str(path), f"cannot read: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):  # replaced by something else since its stat
            raise InputUnreadable.at(str(path), "not a regular file", "pass the path of a .toml file")
        chunks: list[bytes] = []
        total = 0
        want = min(expected, limit) + 1
        while total <= limit:
            chunk = os.read(handle, want - total if total < want else min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    except BlockingIOError:
        raise InputUnreadable.at(str(path), "cannot read: it would wait for data", "pass a register file") from None
    except OSError as exc:
        raise InputUnreadable.at(str(path), f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(handle)


def _settled(path: Path, info: os.stat_result, kind: str, hint: str) -> os.stat_result:
    """The file's status once it is `SETTLE_NS` old, or as soon as it changes before then.

    A modification time in the future (a skewed clock) waits `SETTLE_NS`, no longer.
    """
    young_for = min(max(SETTLE_NS - (time.time_ns() - info.st_mtime_ns), 0), SETTLE_NS)
    deadline = time.monotonic_ns() + young_for
    now = info
    while (left := deadline - time.monotonic_ns()) > 0:
        time.sleep(min(left, SETTLE_POLL_NS) / 1e9)
        now = _stat(path, kind, hint)
        if _identity(now) != _identity(info):
            break
    return now


def _stat(path: Path, kind: str, hint: str) -> os.stat_result:
    """The file's status, when it is a regular file; else the one-line reason it cannot be read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputUnreadable.at(str(path), "no such file", hint) from None
    except (OSError, ValueError) as exc:
        raise InputUnreadable.at(str(path), f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputUnreadable.at(str(path), "is a directory", f"pass the path of a .toml {kind} file")
    if not stat.S_ISREG(info.st_mode):
        raise InputUnreadable.at(str(path), "not a regular file", f"pass the path of a .toml {kind} file")
    return info


def _identity(info: os.stat_result) -> tuple[int, int, int, int, int]:
    """What changes when a file is rewritten in place (size, mtime, ctime) or replaced (device, inode)."""
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def same_file_state(one: os.stat_result, other: os.stat_result) -> bool:
    """Whether two looks at a file saw it in the same state: nothing rewrote, replaced or touched it.

    The change time is compared as git compares it: a rewrite that restores the size and the
    modification time (`touch -d`) still moves it."""
    return _identity(one) == _identity(other)


def decode(data: bytes, origin: str) -> str:
    """Bytes (from a file or from git) → text, held to one set of rules: size, no BOM, UTF-8."""
    if len(data) > (limit := max_bytes()):
        raise _too_large(origin, limit)
    if data.startswith(b"\xef\xbb\xbf"):
        raise InputUnreadable.at(
            origin, "starts with a UTF-8 byte-order mark", "save the file as UTF-8 without a BOM", line=1
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputUnreadable.at(
            origin,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            "save the file as UTF-8",
            line=line,
            column=column,
        ) from None


# Compiled by `re` when first used, on an error: a warm run imports this module but parses nothing.
_TOML_POSITION = r"^(?P<msg>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$"
_TOML_AT_END = r"^(?P<msg>.*?) \(at end of document\)$"


def end_position(text: str) -> tuple[int, int]:
    """The line and column just after the last character of `text` (1-based).

    A final newline ends the last line rather than starting another, so an unterminated
    `a = [1,` followed by a newline is placed after the comma, where an editor shows the problem.
    """
    lines = text.split("\n")  # TOML ends lines at \n only
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return len(lines), len(lines[-1].removesuffix("\r")) + 1


def parse(text: str, origin: str) -> dict[str, Any]:
    """Parsed TOML, or `InputUnreadable` with the line and column tomllib reports."""
    import tomllib  # here: a run answered from the cache parses no TOML

    try:
        return tomllib.loads(text)
    except RecursionError:
        raise InputUnreadable.at(origin, "invalid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        where = re.match(_TOML_POSITION, message)
        if where:
            line, column = int(where["line"]), int(where["col"])
            raise InputUnreadable.at(origin, f"invalid TOML: {where['msg']}", line=line, column=column) from None
        at_end = re.match(_TOML_AT_END, message)
        if at_end:
            line, column = end_position(text)
            raise InputUnreadable.at(origin, f"invalid TOML: {at_end['msg']}", line=line, column=column) from None
        raise InputUnreadable.at(origin, f"invalid TOML: {message}") from None


def read(path: Path, **kwargs: str) -> tuple[str, dict[str, Any]]:
    """A TOML file's text and its parsed document."""
    text = decode(read_bytes(path, **kwargs), str(path))
    return text, parse(text, str(path))
