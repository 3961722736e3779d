"""The one reader of TOML files (registers, the glossary, git revisions): path → bytes → text → TOML.

Every input is held to the same rules (a regular file, at most `MAX_BYTES`, UTF-8 without a BOM) and
every failure is one `InputUnreadable` line naming the file, and the line and column where known.
"""

from __future__ import annotations

import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from jnap_cli.errors import InputUnreadable

MAX_BYTES = 16 * 1024 * 1024  # far above any real plan; stops /dev/zero-like inputs


def read_bytes(path: Path, *, kind: str = "register", hint: str = "pass --register PATH or set JNAP_REGISTER") -> bytes:
    """The file's bytes, or a one-line `InputUnreadable` saying why they cannot be had.

    `kind` names what the file should be (register, glossary); `hint` what to do when it is missing.
    """
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
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputUnreadable.at(str(path), f"cannot read: {exc.strerror or exc}") from None


def decode(data: bytes, origin: str) -> str:
    """Bytes (from a file or from git) → text, held to one set of rules: size, no BOM, UTF-8."""
    if len(data) > MAX_BYTES:
        raise InputUnreadable.at(origin, f"larger than {MAX_BYTES // (1024 * 1024)} MiB; not a register")
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


_TOML_POSITION = re.compile(r"^(?P<msg>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")
_TOML_AT_END = re.compile(r"^(?P<msg>.*?) \(at end of document\)$")


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
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise InputUnreadable.at(origin, "invalid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        where = _TOML_POSITION.match(message)
        if where:
            line, column = int(where["line"]), int(where["col"])
            raise InputUnreadable.at(origin, f"invalid TOML: {where['msg']}", line=line, column=column) from None
        at_end = _TOML_AT_END.match(message)
        if at_end:
            line, column = end_position(text)
            raise InputUnreadable.at(origin, f"invalid TOML: {at_end['msg']}", line=line, column=column) from None
        raise InputUnreadable.at(origin, f"invalid TOML: {message}") from None


def read(path: Path, **kwargs: str) -> tuple[str, dict[str, Any]]:
    """A TOML file's text and its parsed document."""
    text = decode(read_bytes(path, **kwargs), str(path))
    return text, parse(text, str(path))
