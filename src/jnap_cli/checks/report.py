"""`jnap check` as a function: a register file (or directory) → its findings, located and ordered by line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from jnap_cli.checks.rules import RULES, run_checks, select
from jnap_cli.errors import InputUnreadable, RegisterInvalid
from jnap_cli.model.finding import Finding
from jnap_cli.model.integrity import finders
from jnap_cli.model.vocab import Severity
from jnap_cli.register.load import load_text, locate
from jnap_cli.register.paths import shown

if TYPE_CHECKING:
    from jnap_cli.model.schema import Register
    from jnap_cli.register.cache import Source


@dataclass(frozen=True)
class Report:
    """What a check found.

    `actions` is None when the register is invalid (its integrity findings only) or cannot be read
    (one `unreadable` finding, and the error itself in `failure`).
    """

    findings: tuple[Finding, ...]
    actions: int | None
    failure: InputUnreadable | None = None

    @property
    def errors(self) -> int:
        return sum(finding.severity == "error" for finding in self.findings)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors


def check_register(
    resolve: Callable[[], Path],
    include: set[str] | None = None,
    exclude: frozenset[str] = frozenset(),
    *,
    cache: bool = True,
) -> tuple[Path | None, Report]:
    """`check_file` on the register `resolve` names; a setting that names none (a broken `jnap.toml`)
    is an `unreadable` finding too, about the settings file."""
    try:
        path = resolve()
    except InputUnreadable as unreadable:
        origin = unreadable.origin or "jnap.toml"
        return None, Report((unreadable_finding(unreadable, origin),), None, unreadable)
    return path, check_file(path, include, exclude, cache=cache)


def check_file(
    path: Path, include: set[str] | None = None, exclude: frozenset[str] = frozenset(), *, cache: bool = True
) -> Report:
    """Every finding of the rules kept by `include`/`exclude`, in file order.

    Integrity findings cannot be selected away: nothing else can be checked until they are fixed.
    A file that cannot be read or parsed is one `unreadable` finding, with the error in `failure`.
    Findings name the file relative to the top of its git work tree (`data/actions.toml`, as
    GitHub's annotations need), else as `path` gives it. A directory register is `check_directory`.

    With `cache` (and the cache on: `register.cache.enabled`), the findings of a valid file are kept,
    and a file unchanged since (same bytes, same jnap, same rules: `rules_key`) is not read again.
    """
    from jnap_cli.register import cache as kept
    from jnap_cli.register.source import is_directory

    if is_directory(path):
        return check_directory(path, include, exclude)
    where, cache = shown(path), cache and kept.enabled()
    rules = rules_key() if cache else ""
    found = kept.read_findings(path, rules, where) if cache else None
    if found is not None:
        count, findings = found
        return Report(tuple(select(findings, include, set(exclude))), count)
    try:
        register, text, source = _read(path)
    except InputUnreadable as unreadable:
        return Report((unreadable_finding(unreadable, where),), None, unreadable)
    except RegisterInvalid as invalid:
        named = [replace(f, path=where) if f.path == str(path) else f for f in invalid.findings]
        return Report(tuple(sorted(named, key=_by_line)), None)
    every = sorted(locate(run_checks(register), where, text), key=_by_line)
    if cache:
        kept.store_findings(path, source, rules, len(register.actions), every)
    return Report(tuple(select(every, include, set(exclude))), len(register.actions))


def _read(path: Path) -> tuple[Register, str, Source | None]:
    """`load_located`, with what a cache of the file records of the bytes read (`register.cache.read`)."""
    from jnap_cli.register import cache, tomlfile

    data, source = cache.read(path, tomlfile.read_bytes)
    text = tomlfile.decode(data, str(path))
    del data
    return load_text(text, str(path)), text, source


def rules_key() -> str:
    """What a file's findings depend on besides the file and jnap's version (which every cache entry is
    keyed on): the rules (code, severity, whether fatal) and the source of the modules that find them,
    so that a rule changed in place (an editable install) never answers with what it found before."""
    import hashlib
    import sys

    digest = hashlib.sha256()
    for rule in RULES.values():
        digest.update(f"{rule.code}\0{rule.severity}\0{rule.fatal}\0".encode())
    modules = {function.__module__ for fatal in (True, False) for function in finders(fatal=fatal)}
    for name in sorted(modules):
        file = getattr(sys.modules.get(name), "__file__", None)
        digest.update(name.encode() + b"\0")
        if file is not None:
            digest.update(Path(file).read_bytes())
    return digest.hexdigest()


def check_directory(folder: Path, include: set[str] | None = None, exclude: frozenset[str] = frozenset()) -> Report:
    """`check_file` for a directory register: each finding names its own file (as `shown` gives it)
    and line, in file order then line order. Every file that cannot be read is an `unreadable` finding
    (the first is the `failure`), and every file's schema problems are reported together."""
    from jnap_cli.register.directory import combine, member_paths, read_member

    names = {str(folder): shown(folder)}
    try:
        paths = member_paths(folder)
    except InputUnreadable as unreadable:
        return Report((unreadable_finding(unreadable, shown(folder)),), None, unreadable)
    names |= {str(path): shown(path) for path in paths}
    order = {name: position for position, name in enumerate(names.values())}

    def ordered(findings: list[Finding]) -> tuple[Finding, ...]:
        named = [replace(f, path=names.get(f.path or "", f.path)) for f in findings]
        return tuple(sorted(named, key=lambda f: (order.get(f.path or "", -1), _by_line(f))))

    members, problems, failure = [], [], None
    for path in paths:
        try:
            members.append(read_member(path))
        except InputUnreadable as unreadable:
            problems.append(unreadable_finding(unreadable, str(path)))
            failure = failure or unreadable
        except RegisterInvalid as invalid:
            problems.extend(invalid.findings)
    if problems:
        return Report(ordered(problems), None, failure)
    try:
        directory = combine(str(folder), members)
    except InputUnreadable as unreadable:
        return Report((unreadable_finding(unreadable, shown(folder)),), None, unreadable)
    except RegisterInvalid as invalid:
        return Report(ordered(invalid.findings), None)
    findings = directory.locate(select(run_checks(directory.register), include, set(exclude)))
    return Report(ordered(findings), len(directory.register.actions))


def unreadable_finding(error: InputUnreadable, origin: str) -> Finding:
    """An `InputUnreadable` as an `unreadable` finding: its file and line, the column (when known) at the
    end of the message (`invalid TOML: Invalid value (column 10)`), and the hint."""
    message = error.problem if error.problem is not None else error.message
    if error.column is not None:
        message = f"{message} (column {error.column})"
    if error.hint:
        message = f"{message}; {error.hint}"
    return Finding("unreadable", Severity.ERROR, message, path=origin, line=error.line)


def _by_line(finding: Finding) -> int:
    return finding.line or 0
