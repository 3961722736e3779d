"""Register file → `Register`: read, parse, validate, and say where each problem is (file:line).

The only module that touches the register file. Every failure becomes a `RegisterUnreadable`
(one line) or a `RegisterInvalid` (one line per problem), never a traceback.
"""

from __future__ import annotations

import datetime
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from jnap_cli.errors import RegisterInvalid, RegisterUnreadable
from jnap_cli.findings import Finding
from jnap_cli.models import STATUSES, Register

ENV_VAR = "JNAP_REGISTER"
MAX_BYTES = 16 * 1024 * 1024  # far above any real plan; stops /dev/zero-like inputs

_TABLE = re.compile(r"^\s*\[\[\s*(\w+)\s*\]\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')\s*[=.]")


def bundled(name: str) -> Path:
    """A data file shipped with jnap: inside the installed package, or the checkout's `data/` when editable."""
    packaged = Path(str(resources.files("jnap_cli"))) / "data" / name
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "data" / name


def default_path() -> Path:
    """The bundled register (a copy of the repository's `data/actions.toml`)."""
    return bundled("actions.toml")


def exists(path: Path) -> bool:
    """`path.exists()`, false for names the system cannot even look up (too long, bad bytes)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def resolve_path(path: Path | None) -> Path:
    """`--register`, else `$JNAP_REGISTER`, else the bundled register."""
    if path is not None:
        return path
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else default_path()


@dataclass
class SourceMap:
    """Line numbers of tables and keys in a TOML file, found by a light scan of its text."""

    # (table, index, key) → line; key "" is the table header, table "" the top level.
    lines: dict[tuple[str, int, str], int] = field(default_factory=dict)

    def line(self, table: str, index: int | None, key: str | None) -> int | None:
        """The line of `key` in the `index`-th `[[table]]`, else of the table header."""
        idx = -1 if index is None else index
        if key and (table, idx, key) in self.lines:
            return self.lines[(table, idx, key)]
        return self.lines.get((table, idx, ""))


def scan(text: str) -> SourceMap:
    """Map `[[table]]` headers and `key =` lines to line numbers, skipping multi-line strings."""
    source = SourceMap()
    counts: dict[str, int] = {}
    table, index = "", -1
    closer: str | None = None  # the delimiter that ends the multi-line string we are in
    # TOML ends lines at \n only; str.splitlines() would also split at U+2028, \x0c and the like.
    for number, line in enumerate(text.split("\n"), start=1):
        if closer is not None:
            end = _closing(line, closer)
            if end >= 0:
                closer = _open_string(line[end:])
            continue
        header = _TABLE.match(line)
        if header:
            table = header.group(1)
            index = counts.get(table, 0)
            counts[table] = index + 1
            source.lines.setdefault((table, index, ""), number)
            continue
        key = _KEY.match(line)
        if key:
            name = key.group(1)
            source.lines.setdefault((table, index, name[1:-1] if name[0] in "\"'" else name), number)
        closer = _open_string(line)
    return source


def _closing(line: str, closer: str) -> int:
    """The position just after the delimiter that closes a multi-line string on `line`, or -1."""
    position = 0
    while True:
        found = line.find(closer, position)
        if found < 0:
            return -1
        if closer == "'''" or _unescaped(line, found):
            end = found + 3
            while line[end : end + 1] == closer[0]:  # up to two quotes may end the string's content
                end += 1
            return end
        position = found + 1


def _unescaped(line: str, at: int) -> bool:
    """True when the character at `at` is not escaped by an odd run of backslashes."""
    before = line[:at]
    return (len(before) - len(before.rstrip("\\"))) % 2 == 0


def _open_string(line: str) -> str | None:
    """The delimiter of a multi-line string that `line` leaves open, or None.

    One-line strings and comments are skipped, so that quotes inside them do not count.
    """
    position = 0
    while position < len(line):
        ch = line[position]
        if ch == "#":
            return None
        if line.startswith(('"""', "'''"), position):
            delim = line[position : position + 3]
            end = _closing(line[position + 3 :], delim)
            if end < 0:
                return delim
            position += 3 + end
            continue
        if ch == '"':
            position += 1
            while position < len(line) and not (line[position] == '"' and _unescaped(line, position)):
                position += 1
        elif ch == "'":
            closing = line.find("'", position + 1)
            position = len(line) if closing < 0 else closing
        position += 1
    return None


def read_text(path: Path) -> str:
    """The file's text, or a one-line `RegisterUnreadable` saying why it cannot be had."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise RegisterUnreadable(f"{path}: no such file", "pass --register PATH or set JNAP_REGISTER") from None
    except OSError as exc:
        raise RegisterUnreadable(f"{path}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise RegisterUnreadable(f"{path}: is a directory", "pass the path of a .toml register file")
    if not stat.S_ISREG(info.st_mode):
        raise RegisterUnreadable(f"{path}: not a regular file", "pass the path of a .toml register file")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise RegisterUnreadable(f"{path}: cannot read: {exc.strerror or exc}") from None
    return decode(data, str(path))


def decode(data: bytes, origin: str) -> str:
    """Register bytes (from a file or from git) → text, held to one set of rules: size, no BOM, UTF-8."""
    if len(data) > MAX_BYTES:
        raise RegisterUnreadable(f"{origin}: larger than {MAX_BYTES // (1024 * 1024)} MiB; not a register")
    if data.startswith(b"\xef\xbb\xbf"):
        raise RegisterUnreadable(
            f"{origin}:1: starts with a UTF-8 byte-order mark", "save the file as UTF-8 without a BOM"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise RegisterUnreadable(
            f"{origin}:{line}:{column}: not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            "save the file as UTF-8",
        ) from None


_TOML_POSITION = re.compile(r"^(?P<msg>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def parse_toml(path: Path | str, text: str) -> dict[str, Any]:
    """Parsed TOML, or `RegisterUnreadable` with the line and column tomllib reports."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise RegisterUnreadable(f"{path}: invalid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        where = _TOML_POSITION.match(message)
        if where:
            raise RegisterUnreadable(f"{path}:{where['line']}:{where['col']}: invalid TOML: {where['msg']}") from None
        raise RegisterUnreadable(f"{path}: invalid TOML: {message}") from None


def load(path: Path | None = None) -> Register:
    """Read and validate a register; raise `RegisterUnreadable` or `RegisterInvalid`."""
    return load_located(resolve_path(path))[0]


def load_located(path: Path) -> tuple[Register, SourceMap]:
    """`load`, keeping the line map so that later findings can be located too."""
    return load_text(read_text(path), str(path))


def load_text(text: str, origin: str) -> tuple[Register, SourceMap]:
    """Parse and validate register text; `origin` names it in messages (a path, or `REV:path`)."""
    from jnap_cli.checks import integrity

    raw = parse_toml(origin, text)
    source = scan(text)
    if not raw.get("actions") and not _has_schema_error(raw):
        raise RegisterUnreadable(
            f"{origin}: the register is empty: it has no [[actions]]", "add at least one [[actions]] table"
        )
    register = validate(raw, origin, source)
    problems = integrity(register)
    if problems:
        raise RegisterInvalid(locate(problems, origin, source))
    return register, source


def _has_schema_error(raw: dict[str, Any]) -> bool:
    """True when `actions` is present but not a list of tables (a schema error, not emptiness)."""
    return "actions" in raw and not isinstance(raw["actions"], list)


def validate(raw: dict[str, Any], path: Path | str, source: SourceMap) -> Register:
    """`Register.model_validate`, with pydantic's errors turned into located findings."""
    from pydantic import ValidationError

    try:
        return Register.model_validate(raw)
    except ValidationError as exc:
        findings = [_schema_finding(error, raw) for error in exc.errors(include_url=False)]
        raise RegisterInvalid(locate(findings, str(path), source)) from None


def _schema_finding(error: Any, raw: dict[str, Any]) -> Finding:
    loc: tuple[int | str, ...] = tuple(error["loc"])
    table, index, field_path = "", None, list(loc)
    if len(loc) >= 2 and loc[0] in ("actions", "plans") and isinstance(loc[1], int):
        table, index, field_path = str(loc[0]), loc[1], list(loc[2:])
    name = ".".join(str(p) for p in field_path) or None
    action_id = None
    if table == "actions" and index is not None:
        entry = raw["actions"][index]
        action_id = entry.get("id") if isinstance(entry, dict) and isinstance(entry.get("id"), str) else None
    code, message = "schema", _message(error)
    if table == "actions" and field_path[:1] == ["status"] and error["type"] == "enum":
        code = "unknown-status"
        message = f"{error['input']!r} is not a known status ({', '.join(STATUSES)})"
    if table == "plans" and index is not None:
        name = f"plans[{index + 1}].{name}" if name else f"plans[{index + 1}]"
    elif table == "actions" and index is not None and action_id is None and name is None:
        name = f"actions[{index + 1}]"  # neither an id nor a field to name it by
    return Finding(code, "error", message, action_id=action_id, index=index if table == "actions" else None, field=name)


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key (misspelt?)"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"should be a table (got {_shown_value(error.get('input'))})"
    shown = _shown_value(error.get("input"))
    if kind == "string_pattern_mismatch":
        return f"{shown} is not a valid id: use letters, digits, '_', '.', '-', starting with a letter"
    message = str(error["msg"]).replace("valid tuple", "valid array").replace("valid list", "valid array")
    return f"{message[:1].lower()}{message[1:].rstrip('.')} (got {shown})"


def _shown_value(got: Any) -> str:
    """A TOML value as a message shows it: scalars as written, containers and dates by their kind."""
    if isinstance(got, (str, int, float, bool)):
        return repr(got)
    return _TOML_TYPES.get(type(got), "a value")


_TOML_TYPES: dict[type, str] = {
    dict: "a table",
    list: "an array",
    datetime.date: "a date",
    datetime.datetime: "a date-time",
    datetime.time: "a time",
}


def locate(findings: list[Finding], path: str, source: SourceMap) -> list[Finding]:
    """Fill in each finding's file and line from the source map."""
    located = []
    for finding in findings:
        key = finding.field.split(".")[0] if finding.field else None
        if finding.index is not None:
            line = source.line("actions", finding.index, key)
        elif finding.field and finding.field.startswith("plans["):
            number = int(finding.field[6 : finding.field.index("]")])
            line = source.line("plans", number - 1, finding.field.partition(".")[2] or None)
        else:
            line = source.line("", None, key)
        located.append(replace(finding, path=path, line=line))
    return located
