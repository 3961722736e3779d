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
        raise InputUnreadable(f"{path}: no such file", hint) from None
    except (OSError, ValueError) as exc:
        raise InputUnreadable(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputUnreadable(f"{path}: is a directory", f"pass the path of a .toml {kind} file")
    if not stat.S_ISREG(info.st_mode):
        raise InputUnreadable(f"{path}: not a regular file", f"pass the path of a .toml {kind} file")
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputUnreadable(f"{path}: cannot read: {exc.strerror or exc}") from None


def decode(data: bytes, origin: str) -> str:
    """Bytes (from a file or from git) → text, held to one set of rules: size, no BOM, UTF-8."""
    if len(data) > MAX_BYTES:
        raise InputUnreadable(f"{origin}: larger than {MAX_BYTES // (1024 * 1024)} MiB; not a register")
    if data.startswith(b"\xef\xbb\xbf"):
        raise InputUnreadable(
            f"{origin}:1: starts with a UTF-8 byte-order mark", "save the file as UTF-8 without a BOM"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputUnreadable(
            f"{origin}:{line}:{column}: not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            "save the file as UTF-8",
        ) from None


_TOML_POSITION = re.compile(r"^(?P<msg>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def parse(text: str, origin: str) -> dict[str, Any]:
    """Parsed TOML, or `InputUnreadable` with the line and column tomllib reports."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise InputUnreadable(f"{origin}: invalid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        where = _TOML_POSITION.match(message)
        if where:
            raise InputUnreadable(f"{origin}:{where['line']}:{where['col']}: invalid TOML: {where['msg']}") from None
        raise InputUnreadable(f"{origin}: invalid TOML: {message}") from None


def read(path: Path, **kwargs: str) -> tuple[str, dict[str, Any]]:
    """A TOML file's text and its parsed document."""
    text = decode(read_bytes(path, **kwargs), str(path))
    return text, parse(text, str(path))
