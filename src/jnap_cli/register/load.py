"""Register file → `Register`: read, parse, validate, and say where each problem is (file:line).

Every failure becomes an `InputUnreadable` (one line) or a `RegisterInvalid` (one line per problem),
never a traceback. Lines are found only for registers that have findings (`locate`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from jnap_cli.errors import InputUnreadable, RegisterInvalid
from jnap_cli.model.finding import Finding
from jnap_cli.model.schema import Register
from jnap_cli.model.vocab import ID_PATTERN, Severity, Status
from jnap_cli.register.paths import resolve_path

if TYPE_CHECKING:
    from jnap_cli.model.schema import RegisterPart
    from jnap_cli.register.cache import Store

T = TypeVar("T")

_REGISTER_KEYS = {"title", "source", "plans", "actions"}


def load_file(path: Path | None = None, *, cache: bool = True) -> Register:
    """Read and validate a register file, or take it from its cache (`register.cache`) while the file is unchanged.

    Raises `InputUnreadable` or `RegisterInvalid`.
    """
    from jnap_cli.register.cache import enabled

    resolved = resolve_path(path)
    if not (cache and enabled()):
        return load_located(resolved)[0]
    found = cached(resolved, keep_open=False)
    if isinstance(found, Register):
        return found
    from jnap_cli.register.cache import damage

    try:
        return found.register()
    except damage():
        return load_located(resolved)[0]  # a damaged cache: read the file
    finally:
        found.close()


def cached(path: Path, *, keep_open: bool = True) -> Store | Register:
    """The register file's cache, open, while the file is unchanged. Else the file is read, validated and
    cached: then its new cache, opened again (search index and all) with `keep_open`, or the register
    itself without it, or when no cache could be written. Raises as `load_file` does when the register
    cannot be read or is invalid. Only for a cache that is on (`register.cache.enabled`)."""
    from jnap_cli.register import cache

    found = cache.open_store(path)
    if found is not None:
        return found
    from jnap_cli.register import tomlfile

    data, source = cache.read(path, tomlfile.read_bytes)
    text = tomlfile.decode(data, str(path))
    del data  # memory stays near the file's size: the text, then the register
    register = load_text(text, str(path))
    del text
    cache.store(path, source, register)
    return (cache.open_store(path) if keep_open else None) or register


def load_located(path: Path) -> tuple[Register, str]:
    """`load_file`, keeping the file's text so that later findings can be located (`locate`)."""
    from jnap_cli.register import tomlfile

    text = tomlfile.decode(tomlfile.read_bytes(path), str(path))
    return load_text(text, str(path)), text


def load_text(text: str, origin: str) -> Register:
    """Parse and validate register text; `origin` names it in messages (a path, or `REV:path`)."""
    from jnap_cli.progress import step
    from jnap_cli.register import tomlfile

    with step(f"Reading {origin}"):
        return load_document(tomlfile.parse(text, origin), text, origin)


def load_document(raw: dict[str, Any], text: str, origin: str) -> Register:
    """Validate a parsed register file (`raw`, parsed from `text`, which places its findings)."""
    from jnap_cli.model.integrity import integrity

    if raw.get("actions", []) == [] and raw.get("plans", []) == [] and raw.keys() <= _REGISTER_KEYS:
        # Another kind of TOML file (a glossary, a pyproject) has keys of its own: the schema names them.
        # A register with plans and no actions yet is a new one (`jnap init`): valid, 0 actions checked.
        raise InputUnreadable.at(
            origin, "the register is empty: it has no [[actions]]", "add at least one [[actions]] table"
        )
    register = validate(raw, origin, text)
    del raw  # the register holds what it needs: memory stays near the file's size
    problems = integrity(register)
    if problems:
        raise RegisterInvalid(locate(problems, origin, text))
    return register


def load_part(text: str, origin: str) -> RegisterPart:
    """One file of a directory register (`register.directory`), parsed and checked on its own: every
    key is optional, and the integrity rules wait for the whole directory."""
    from jnap_cli.register import tomlfile

    return part_from_document(tomlfile.parse(text, origin), text, origin)


def part_from_document(raw: dict[str, Any], text: str, origin: str) -> RegisterPart:
    """`load_part` of a file already parsed (`raw`, from `text`)."""
    from jnap_cli.model import validation

    return _checked(validation.register_part, raw, origin, text)


def validate(raw: dict[str, Any], origin: str, text: str) -> Register:
    """`Register.model_validate`, with pydantic's errors turned into located findings."""
    from jnap_cli.model import validation

    return _checked(validation.register, raw, origin, text)


def _checked(build: Callable[[dict[str, Any]], T], raw: dict[str, Any], origin: str, text: str) -> T:
    from pydantic import ValidationError

    try:
        return build(raw)
    except ValidationError as exc:
        findings = [_schema_finding(error, raw) for error in exc.errors(include_url=False)]
        raise RegisterInvalid(locate(findings, origin, text)) from None


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
        message = f"{error['input']!r} is not a known status ({', '.join(Status)})"
    if table == "actions" and index is not None and action_id is None and name is None:
        name = f"actions[{index + 1}]"  # neither an id nor a field to name it by
    return Finding(
        code,
        Severity.ERROR,
        message,
        action_id=action_id,
        index=index if table == "actions" else None,
        field=name,
        plan=index if table == "plans" else None,
    )


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key (misspelt?)"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"should be a table (got {_shown_value(error.get('input'))})"
    shown = _shown_value(error.get("input"))
    if kind == "string_pattern_mismatch" and (error.get("ctx") or {}).get("pattern") != ID_PATTERN:
        return f"{shown} is blank: give the words, or leave the key out"  # a quote or a glossary text
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


def locate(findings: list[Finding], origin: str, text: str) -> list[Finding]:
    """Each finding with its file and line; the text is scanned only when there is a finding to place."""
    if not findings:
        return []
    from jnap_cli.register.sourcemap import scan

    source = scan(text)
    located = []
    for finding in findings:
        key = finding.field.split(".")[0] if finding.field else None
        if finding.index is not None:
            line = source.line("actions", finding.index, key)
        elif finding.plan is not None:
            line = source.line("plans", finding.plan, key)
        else:
            line = source.line("", None, key) or (source.line(key, 0, None) if key else None)  # [[key]]
        located.append(replace(finding, path=origin, line=line))
    return located
