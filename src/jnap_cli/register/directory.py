"""A register kept as a directory: every `*.toml` file directly in it, read as one register.

Which files: the names ending in `.toml` directly in the directory (its subdirectories are not
read), except hidden ones (a leading `.`: editors' swap and lock files, jnap's temporary files);
editors' backups (`x.toml~`, `x.toml.bak`, `#x.toml#`) do not end in `.toml`. A symlink is followed.
They are read in name order (code points: `1-refresh.toml` before `2-original.toml`, `B` before `a`),
and the register's plans and actions are theirs in that order, each file's in its own order.

What a file holds: any key of a register file, each optional. `title`, `source` and `[publication]`
may be in any one file (`register.toml`, say), or repeated in others with the same value; `title`
and `source` must be somewhere. `[[plans]]` and `[[actions]]` may be in any file, and an action's plan
may be defined in another file. A file with none of these (comments only) adds nothing.

Ids are unique across the files, and so are plan ids and the numbers of a plan: a duplicate is
reported where it is repeated, naming the file and line of the first. Every problem names its file
and line, as with a single register file.

Each file is read and checked on its own (`read_member`: one file → its `RegisterPart`, from its
bytes alone, so that it can be cached per file); the rules that need the whole register
(`model.integrity.integrity`) then run on the combination (`combine`).
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from jnap_cli.errors import InputUnreadable, RegisterInvalid, UsageError
from jnap_cli.model.finding import Finding
from jnap_cli.model.schema import Publication, Register, RegisterPart
from jnap_cli.model.vocab import Severity
from jnap_cli.register import tomlfile
from jnap_cli.register.load import load_part, locate, part_from_document

SUFFIX = ".toml"
NO_FILES_HINT = "put the register's *.toml files in it, or pass a register file"
METADATA = ("title", "source", "publication")


def is_member_name(name: str) -> bool:
    """Whether a file of this name in a register's directory is one of the register's files."""
    return name.endswith(SUFFIX) and len(name) > len(SUFFIX) and not name.startswith(".")


def member_paths(folder: Path) -> list[Path]:
    """The register's files in `folder`, in name order; a directory without one is a one-line error."""
    try:
        names = [entry.name for entry in os.scandir(folder) if is_member_name(entry.name)]
    except OSError as exc:
        raise InputUnreadable.at(str(folder), f"cannot list the directory: {exc.strerror or exc}") from None
    paths = [folder / name for name in sorted(names) if not (folder / name).is_dir()]
    if not paths:
        raise InputUnreadable.at(str(folder), "no *.toml files in this directory", NO_FILES_HINT)
    return paths


@dataclass(frozen=True)
class Member:
    """One file of a directory register: how messages name it, its text, and what it gives."""

    origin: str  # its path, or `REV:path` for a version read from git
    text: str
    part: RegisterPart
    path: Path | None = None  # None for a version read from git


def read_member(path: Path) -> Member:
    """One file of a directory register, read and checked on its own (`InputUnreadable`, `RegisterInvalid`)."""
    origin = str(path)
    return member_from_text(tomlfile.decode(tomlfile.read_bytes(path), origin), origin, path)


def member_from_text(text: str, origin: str, path: Path | None = None) -> Member:
    """A file's text (from disk, or from git) → its `Member`, checked on its own."""
    return Member(origin, text, load_part(text, origin), path)


def gather(origin: str, readers: Iterable[Callable[[], Member]]) -> Directory:
    """The register made of the files that `readers` read, in order: the schema problems of every
    file together (an unreadable file stops at once, as a register file does), then `combine`."""
    from jnap_cli.progress import step

    members: list[Member] = []
    problems: list[Finding] = []
    readers = list(readers)
    with step(f"Reading {len(readers)} files of {origin}", len(readers)) as advance:
        for read in readers:
            try:
                members.append(read())
            except RegisterInvalid as invalid:
                problems.extend(invalid.findings)
            advance(1)
    if problems:
        raise RegisterInvalid(problems)
    return combine(origin, members)


def load_directory(folder: Path, *, cache: bool = False) -> Directory:
    """The register kept in `folder`, read and validated (`InputUnreadable`, `RegisterInvalid`).

    With `cache`, each file comes from its own cache (`register.cache`) while it is unchanged, without
    its text; a register whose files disagree is then read again from the files, to place its findings.
    """
    paths = member_paths(folder)
    if cache:
        from jnap_cli.register import cache as cached

        if cached.enabled():
            with contextlib.suppress(RegisterInvalid):
                return gather(str(folder), [partial(_cached_member, path) for path in paths])
    return gather(str(folder), [partial(read_member, path) for path in paths])


def _cached_member(path: Path) -> Member:
    """`read_member`, through the file's cache: a cached file's `Member` has no text (it is not read)."""
    from jnap_cli.register import cache

    store = cache.open_store(path, "part")
    if store is not None:
        try:
            return Member(str(path), "", store.part(), path)
        except cache.damage():
            pass
        finally:
            store.close()
    data, source = cache.read(path, tomlfile.read_bytes)
    member = member_from_text(tomlfile.decode(data, str(path)), str(path), path)
    cache.store(path, source, member.part)
    return member


@dataclass(frozen=True)
class Directory:
    """A directory register: its files and the one register they make."""

    origin: str
    members: tuple[Member, ...]
    register: Register
    # Where each file's actions and plans start in the register's.
    action_starts: tuple[int, ...] = field(default=(), repr=False)
    plan_starts: tuple[int, ...] = field(default=(), repr=False)

    def locate(self, findings: Iterable[Finding]) -> list[Finding]:
        """Findings about the whole register, each placed in its file at its line (`register.load.locate`).

        A finding that belongs to no one file (a plan's missing numbers) names the directory.
        """
        placed: list[tuple[int, Finding]] = []
        by_member: dict[int, list[tuple[int, Finding]]] = {}
        for position, finding in enumerate(findings):
            where = self._member_of(finding)
            if where is None:
                placed.append((position, replace(finding, path=self.origin)))
            else:
                by_member.setdefault(where[0], []).append((position, where[1]))
        for index, entries in by_member.items():
            member = self.members[index]
            located = locate([finding for _, finding in entries], member.origin, member.text)
            located = [f if f.line or not f.field else replace(f, line=_table_line(member.text, f)) for f in located]
            placed.extend(zip([position for position, _ in entries], located, strict=True))
        return [finding for _, finding in sorted(placed, key=lambda pair: pair[0])]

    def _member_of(self, finding: Finding) -> tuple[int, Finding] | None:
        """The file a finding about the register is in, and the finding as that file alone numbers it."""
        if finding.index is not None:
            index = bisect.bisect_right(self.action_starts, finding.index) - 1
            return index, replace(finding, index=finding.index - self.action_starts[index])
        if finding.plan is not None:
            index = bisect.bisect_right(self.plan_starts, finding.plan) - 1
            return index, replace(finding, plan=finding.plan - self.plan_starts[index])
        key = (finding.field or "").split(".")[0]
        if key in METADATA:
            for index, member in enumerate(self.members):
                if getattr(member.part, key) is not None:
                    return index, finding
        return None

    def where_action(self, index: int) -> str:
        """`file:line` of the register's `index`-th action."""
        return _where(self.locate([Finding("", Severity.ERROR, "", index=index, field="id")])[0])

    def where_plan(self, index: int) -> str:
        """`file:line` of the register's `index`-th plan."""
        return _where(self.locate([Finding("", Severity.ERROR, "", field="id", plan=index)])[0])

    def member_holding(self, action_id: str) -> int:
        """The position of the file that holds the action `action_id` (an id of the register)."""
        ids = [action.id for action in self.register.actions]
        index = ids.index(action_id)
        return bisect.bisect_right(self.action_starts, index) - 1

    def member_named(self, name: str) -> int:
        """The position of the file called `name` (`refresh.toml`, or its path); else a usage error."""
        for index, member in enumerate(self.members):
            if member.path is not None and name in (member.path.name, str(member.path)):
                return index
        names = ", ".join(member.path.name for member in self.members if member.path is not None)
        raise UsageError(f"no file {name!r} in the register's directory {self.origin}", f"its files: {names}")

    def home_of(self, plan_id: str, name: str | None = None) -> tuple[int, str | None]:
        """Where a new action of `plan_id` goes: the file (`name`, else the one holding the plan's last
        action, else the one defining the plan) and the action it follows there (None: the file's end)."""
        if name is not None:
            index = self.member_named(name)
        else:
            ours = [action.id for action in self.register.actions if action.plan == plan_id]
            if ours:
                index = self.member_holding(ours[-1])
            else:
                index = next(i for i, m in enumerate(self.members) if any(p.id == plan_id for p in m.part.plans))
        in_file = [action.id for action in self.members[index].part.actions if action.plan == plan_id]
        return index, in_file[-1] if in_file else None

    def with_document(self, index: int, document: dict[str, Any], text: str) -> Directory:
        """The register with its `index`-th file's text replaced by `text` (parsed: `document`),
        validated as a whole."""
        member = self.members[index]
        members = list(self.members)
        members[index] = Member(member.origin, text, part_from_document(document, text, member.origin), member.path)
        return combine(self.origin, members)


def combine(origin: str, members: Sequence[Member]) -> Directory:
    """The register that the files make, validated as one: its metadata agree and are given, and the
    integrity rules hold across the files. `origin` names the directory."""
    from jnap_cli.model.integrity import integrity

    plans = tuple(plan for member in members for plan in member.part.plans)
    actions = tuple(action for member in members for action in member.part.actions)
    if not plans and not actions:
        raise InputUnreadable.at(
            origin,
            "the register is empty: none of its files has [[plans]] or [[actions]]",
            "add at least one [[actions]] table",
        )
    given = {key: _given(members, key) for key in METADATA}
    title = next((str(value) for _, value in given["title"]), "")
    source = next((str(value) for _, value in given["source"]), "")
    publication = next((value for _, value in given["publication"] if isinstance(value, Publication)), None)
    register = Register(title=title, source=source, publication=publication, plans=plans, actions=actions)
    starts = _starts([len(member.part.actions) for member in members])
    plan_starts = _starts([len(member.part.plans) for member in members])
    directory = Directory(origin, tuple(members), register, starts, plan_starts)
    problems = _metadata_problems(directory, given)
    problems += directory.locate(_naming_the_first(directory, integrity(register)))
    if problems:
        raise RegisterInvalid(problems)
    return directory


def _starts(counts: list[int]) -> tuple[int, ...]:
    starts, total = [], 0
    for count in counts:
        starts.append(total)
        total += count
    return tuple(starts)


def _given(members: Sequence[Member], key: str) -> list[tuple[int, object]]:
    return [(index, value) for index, m in enumerate(members) if (value := getattr(m.part, key)) is not None]


def _metadata_problems(directory: Directory, given: dict[str, list[tuple[int, object]]]) -> list[Finding]:
    """`title` and `source` given somewhere; each of the metadata the same wherever it is given."""
    problems = []
    for key in ("title", "source"):
        if not given[key]:
            message = "required key is missing from every file; give it in one of them"
            problems.append(Finding("schema", Severity.ERROR, message, field=key, path=directory.origin))
    for key, values in given.items():
        if not values:
            continue
        first_index, first = values[0]
        first_member = directory.members[first_index]
        first_where = _where(_located_key(first_member, key))
        for index, value in values[1:]:
            if value != first:
                message = f"differs from the {key} at {first_where}; give it in one file, or the same in every file"
                problems.append(_located_key(directory.members[index], key, message))
    return problems


def _located_key(member: Member, key: str, message: str = "") -> Finding:
    finding = locate([Finding("metadata-conflict", Severity.ERROR, message, field=key)], member.origin, member.text)[0]
    return finding if finding.line else replace(finding, line=_table_line(member.text, finding))


def _table_line(text: str, finding: Finding) -> int | None:
    """The line of `[publication]` for a finding about it, or of `plans = [...]` for one about an inline plan."""
    key = "plans" if finding.plan is not None else (finding.field or "").split(".", maxsplit=1)[0]
    return _key_line(text, key) if key in ("plans", "publication") else None


def _key_line(text: str, key: str) -> int | None:
    """The first line of a top-level table or key (`[publication]`, `plans = [...]`), which the source
    map does not number: it numbers `[[tables]]` and the keys inside them."""
    found = re.search(rf"^[ \t]*(?:\[[ \t]*{key}[ \t]*\]|{key}[ \t]*=)", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _naming_the_first(directory: Directory, findings: list[Finding]) -> list[Finding]:
    """Duplicate ids, plan ids and numbers reworded to name the file and line of the first one."""
    register = directory.register
    first_id: dict[str, int] = {}
    first_number: dict[tuple[str, int], int] = {}
    for index, action in enumerate(register.actions):
        first_id.setdefault(action.id.casefold(), index)
        first_number.setdefault((action.plan, action.number), index)
    first_plan: dict[str, int] = {}
    for index, plan in enumerate(register.plans):
        first_plan.setdefault(plan.id.casefold(), index)
    return [_reworded(directory, finding, first_id, first_number, first_plan) for finding in findings]


def _reworded(
    directory: Directory,
    finding: Finding,
    first_id: dict[str, int],
    first_number: dict[tuple[str, int], int],
    first_plan: dict[str, int],
) -> Finding:
    register = directory.register
    if finding.code == "duplicate-id" and finding.index is not None:
        action = register.actions[finding.index]
        where = directory.where_action(first_id[action.id.casefold()])
        return replace(finding, message=f"id {action.id!r} is already used by the action at {where}")
    if finding.code == "duplicate-id" and finding.plan is not None:
        plan = register.plans[finding.plan]
        where = directory.where_plan(first_plan[plan.id.casefold()])
        return replace(finding, message=f"plan id {plan.id!r} is already used by the plan at {where}")
    if finding.code == "duplicate-number" and finding.index is not None:
        action = register.actions[finding.index]
        first = first_number[(action.plan, action.number)]
        where = directory.where_action(first)
        message = f"number {action.number} of plan {action.plan!r} is already used by {register.actions[first].id}"
        return replace(finding, message=f"{message} at {where}")
    return finding


def _where(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}" if finding.line else str(finding.path)
