"""One action's history: every commit that changed it, newest first, read from git.

git lists the commits that touched the register file (`git log --follow`, so a moved register keeps
its history), or its directory; each version is read as `jnap diff` reads a revision (`read_version`:
git runs no program the repository names, and a blob over the size guard is refused unread) and
consecutive versions are compared with `diff_versions`. The action is followed through the renames
that the diff reports. A version that cannot be read or does not validate is skipped: its commit gets
one `skipped` record whose `note` says why, and the versions on either side are compared instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jnap_cli.diff.git import run_git
from jnap_cli.diff.revisions import read_version
from jnap_cli.diff.versions import FieldChange, FieldValue, diff_versions
from jnap_cli.errors import InputUnreadable, JnapError
from jnap_cli.model.schema import Register
from jnap_cli.text import one_line

FIELDS: tuple[str, ...] = ("commit", "date", "author", "subject", "change", "field", "old", "new", "note")
"""The keys of a history record, in order."""

HINT = "jnap history reads the register's git history: give a register that git tracks (--register PATH)"
_FORMAT = "%x1e%H%x1f%h%x1f%an%x1f%aI%x1f%s"


@dataclass(frozen=True)
class Commit:
    """A commit that touched the register file, and the file's path (from the top level) in it."""

    hash: str
    short: str
    author: str
    date: str  # the author date, ISO 8601
    subject: str
    path: str


def history(register: Path, action_id: str) -> list[dict[str, Any]]:
    """Records of every commit that added, removed, renamed or changed `action_id` (any case), newest first.

    One record per changed field: `{"commit", "date", "author", "subject", "change", "field", "old",
    "new", "note"}`; `added` and `removed` give the action's text as field `text`. A version that does
    not parse adds a `skipped` record (its `note` says why) instead of stopping.
    """
    commits = log(register)
    versions: list[tuple[Commit, Register | None, str | None]] = []
    for commit in commits:
        try:
            versions.append((commit, read_version(f"{commit.hash}:{commit.path}", register), None))
        except JnapError as exc:
            versions.append((commit, None, one_line(" ".join(exc.lines()).removeprefix("error: "))))

    found: list[dict[str, Any]] = []
    key = action_id.casefold()
    readable = [(commit, version) for commit, version, _ in versions if version is not None]
    skipped = {commit.hash: note for commit, _, note in versions if note is not None}
    # Walk newest → oldest: each readable version against the readable one before it (the oldest against nothing).
    records_of: dict[str, list[dict[str, Any]]] = {}
    for index, (commit, newer) in enumerate(readable):
        older = readable[index + 1][1] if index + 1 < len(readable) else None
        changes, key = _changes(older, newer, key)
        records_of[commit.hash] = [_record(commit, *change) for change in changes]
    for commit in commits:
        if commit.hash in skipped:
            found.append(_record(commit, "skipped", None, None, None, note=skipped[commit.hash]))
        found.extend(records_of.get(commit.hash, []))
    return found


def _changes(older: Register | None, newer: Register, key: str) -> tuple[list[tuple[str, str, Any, Any]], str]:
    """What happened to the action `key` (casefolded id in `newer`) between two versions: (change,
    field, old, new) tuples, and its key in `older` (another id when it was renamed)."""
    if older is None:  # the oldest version: an action in it was added by that commit
        added = [action for action in newer.actions if action.id.casefold() == key]
        return [("added", "text", None, action.text) for action in added], key
    diff = diff_versions(older, newer)
    for action in diff.added:
        if action.id.casefold() == key:
            return [("added", "text", None, action.text)], key
    for action in diff.removed:
        if action.id.casefold() == key:
            return [("removed", "text", action.text, None)], key
    for rename in diff.renamed:
        # Asked for by its new id (follow it back to the old one) or by the id it had before.
        if key in (rename.new_id.casefold(), rename.old_id.casefold()):
            fields = [("renamed", "id", rename.old_id, rename.new_id)]
            return fields + list(_fields("renamed", rename.fields)), rename.old_id.casefold()
    for change in diff.changed:
        if change.id.casefold() == key:
            return list(_fields("changed", change.fields)), key
    return [], key


def _fields(change: str, fields: Mapping[str, FieldChange]) -> Iterator[tuple[str, str, Any, Any]]:
    for name, values in fields.items():
        yield change, name, _plain(values.old), _plain(values.new)


def _plain(value: FieldValue) -> Any:
    """A field's value as JSON has it: a list for a tuple."""
    return list(value) if isinstance(value, tuple) else value


def _record(
    commit: Commit, change: str, field: str | None, old: Any, new: Any, note: str | None = None
) -> dict[str, Any]:
    return {
        "commit": commit.short,
        "date": commit.date,
        "author": commit.author,
        "subject": commit.subject,
        "change": change,
        "field": field,
        "old": old,
        "new": new,
        "note": note,
    }


def log(register: Path) -> list[Commit]:
    """The commits that touched the register file, newest first, following the file through moves.

    For a directory register, the commits that touched anything in the directory, at its present path
    (git follows only single files through moves).
    """
    path = register.resolve()
    if not path.parent.is_dir():
        raise InputUnreadable(f"{one_line(str(register))}: no such directory", HINT)
    folder = path.is_dir()
    follow = [] if folder else ["--follow"]
    out = _git(
        ["log", "-z", f"--format={_FORMAT}", "--name-only", *follow, "--", path.name],
        path.parent,
        str(register),
    )
    fixed = _top_level_path(path) if folder else None
    commits: list[Commit] = []
    last = ""
    for chunk in out.decode("utf-8", "replace").split("\x1e")[1:]:
        header, *names = chunk.split("\x00")
        full, short, author, date, subject = (header.split("\x1f", 4) + [""] * 5)[:5]
        given = [name.lstrip("\n") for name in names if name.strip()]
        # A merge lists no file: the register is where the newer commit had it.
        last = fixed or (given[0] if given else last or _top_level_path(path))
        commits.append(Commit(full, short, author, date, subject, last))
    return commits


def _top_level_path(path: Path) -> str:
    prefix = _git(["rev-parse", "--show-prefix"], path.parent, str(path)).decode("utf-8", "replace").strip()
    return f"{prefix}{path.name}"


def _git(args: list[str], where: Path, what: str) -> bytes:
    """git's stdout for the history of `what`, or a one-line error."""
    missing = (f"git is not installed; cannot read the history of {one_line(what)}", HINT)
    return run_git(args, where, what, missing=missing, failure="git cannot read its history", hint=HINT)
