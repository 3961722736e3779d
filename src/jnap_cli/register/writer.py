"""Edits to a register file that change only the bytes they concern, written atomically or not at all.

An edit sets (or removes) one key of one action. The new value's text comes from tomli-w and is
spliced into the original bytes where the source map locates the key, so comments, key order,
quoting, blank lines, line endings and a missing final newline elsewhere stay byte-identical. The
result is parsed and validated again and compared with the intended change (exactly those keys of
that action differ, nothing else) before anything is written. Writing takes a lock beside the
register, refuses a file that changed since it was read, writes a temporary file in the same
directory (flushed, fsynced, with the original's mode), replaces the register with it (through a
symlink, which stays a link) and fsyncs the directory. Any refusal is a `WriteRefused` (exit 3) and
leaves the register untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jnap_cli.errors import InputUnreadable, JnapError, RegisterInvalid, WriteRefused
from jnap_cli.register import cache, tomlfile
from jnap_cli.register.load import load_text
from jnap_cli.register.sourcemap import SourceMap, scan

LOCK_SECONDS = 15.0  # how long a writer waits for other jnap writers (20 at once take 3-6 s on 2 busy cores)

Check = Callable[[str, str], object]
"""Validates a file's text (`text, origin`) as (part of) its register; raises what loading raises.

A register file is checked alone (`load_text`, the default); a file of a directory register with the
directory's other files (`register.source.Target.check`), so that ids stay unique across them."""


@dataclass(frozen=True)
class Edit:
    """Set `field` of action `action_id` to `value` (a TOML value); None removes the key."""

    action_id: str
    field: str
    value: Any


@dataclass(frozen=True)
class Change:
    """What an edit would do: the register's new bytes and the unified diff of the file."""

    path: Path
    old: bytes
    new: bytes

    def diff(self) -> str:
        """The unified diff of the file, as `--dry-run` prints it."""
        from difflib import SequenceMatcher

        before = self.old.decode("utf-8").splitlines(keepends=True)
        after = self.new.decode("utf-8").splitlines(keepends=True)
        # Without autojunk: a line repeated in every action (status_basis = "inferred") is a line like any other.
        matcher = SequenceMatcher(None, before, after, autojunk=False)
        out = [f"--- a/{self.path.name}\n", f"+++ b/{self.path.name}\n"]
        for group in matcher.get_grouped_opcodes(3):
            i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
            out.append(f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@\n")
            for tag, a1, a2, b1, b2 in group:
                if tag == "equal":
                    out += [" " + line for line in before[a1:a2]]
                    continue
                out += ["-" + line for line in before[a1:a2]]
                out += ["+" + line for line in after[b1:b2]]
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out)


def plan(path: Path, edits: Sequence[Edit], *, check: Check = load_text) -> Change:
    """The change `edits` make to the register file at `path`, verified; nothing is written."""
    data = tomlfile.read_bytes(path)
    text = tomlfile.decode(data, str(path))
    try:
        check(text, str(path))
    except (InputUnreadable, RegisterInvalid) as exc:
        raise WriteRefused(f"{path}: the register must be valid before it is edited", _first_line(exc)) from None
    ids = [entry.get("id") for entry in tomllib.loads(text).get("actions", [])]
    new = text
    for edit in edits:
        new = _splice(new, edit, ids, str(path))
    _verify(text, new, edits, str(path), check)
    return Change(path, data, new.encode("utf-8"))


def locked(path: Path) -> contextlib.AbstractContextManager[None]:
    """Hold the register's lock: read, plan and write inside it, and no other jnap writer interleaves."""
    return _locked(path.resolve())


def write(change: Change, *, holding_lock: bool = False) -> None:
    """Write `change` atomically, under the lock, unless the file changed since it was read."""
    target = change.path.resolve()  # a symlinked register is updated through the link
    with contextlib.nullcontext() if holding_lock else _locked(target):
        try:
            current = target.read_bytes()
        except OSError as exc:
            raise WriteRefused(f"{change.path}: cannot read it again: {exc.strerror or exc}") from None
        if hashlib.sha256(current).digest() != hashlib.sha256(change.old).digest():
            raise WriteRefused(f"{change.path}: changed on disk since it was read", "run the command again")
        _replace(target, change.new)
    cache.forget(target)  # its key would miss it anyway; this also frees the space at once


def block(path: Path, action_id: str) -> str:
    """The text of one action's `[[actions]]` table as the file has it (for `jnap edit`)."""
    text = tomlfile.decode(tomlfile.read_bytes(path), str(path))
    lines, start, end = _block_lines(text, action_id, str(path))
    return "\n".join(line.removesuffix("\r") for line in lines[start:end]) + "\n"


def plan_block(path: Path, action_id: str, new_block: str, *, check: Check = load_text) -> Change:
    """The change that replaces one action's table by `new_block` (its `[[actions]]` text); verified."""
    data = tomlfile.read_bytes(path)
    text = tomlfile.decode(data, str(path))
    lines, start, end = _block_lines(text, action_id, str(path))
    entry = _one_action(new_block)
    crlf = "\r\n" in text
    replacement = [line + "\r" if crlf else line for line in new_block.rstrip("\n").split("\n")]
    new = "\n".join(lines[:start] + replacement + lines[end:])
    before = tomllib.loads(text)
    index = [a.get("id") for a in before["actions"]].index(action_id)
    expected = {**before, "actions": [*before["actions"][:index], entry, *before["actions"][index + 1 :]]}
    _verify_document(new, expected, str(path), check)
    return Change(path, data, new.encode("utf-8"))


def plan_insert(path: Path, after_id: str | None, new_block: str, *, check: Check = load_text) -> Change:
    """The change that adds an action (its `[[actions]]` text) after action `after_id`, or at the end."""
    data = tomlfile.read_bytes(path)
    text = tomlfile.decode(data, str(path))
    crlf = "\r\n" in text
    lines = text.split("\n")
    before = tomllib.loads(text)
    ids = [a.get("id") for a in before.get("actions", [])]
    if after_id is None:
        at, index = len(lines) - (1 if lines and lines[-1] == "" else 0), len(ids)
    else:
        _, _, at = _block_lines(text, after_id, str(path))
        index = ids.index(after_id) + 1
    block_lines = ["", *new_block.rstrip("\n").split("\n")]
    if at < len(lines) and lines[at].removesuffix("\r").strip():  # keep a blank line before the next table
        block_lines.append("")
    new = "\n".join(lines[:at] + [line + "\r" if crlf else line for line in block_lines] + lines[at:])
    entry = _one_action(new_block)
    expected = {**before, "actions": [*before.get("actions", [])[:index], entry, *before.get("actions", [])[index:]]}
    _verify_document(new, expected, str(path), check)
    return Change(path, data, new.encode("utf-8"))


def _block_lines(text: str, action_id: str, origin: str) -> tuple[list[str], int, int]:
    """The file's lines and the 0-based [start, end) of the action's table, trailing blank lines left out."""
    try:
        ids = [a.get("id") for a in tomllib.loads(text).get("actions", [])]
    except tomllib.TOMLDecodeError:
        raise WriteRefused(f"{origin}: not valid TOML; fix it by hand first") from None
    if action_id not in ids:
        raise WriteRefused(f"no action {action_id!r} in {origin}")
    lines = text.split("\n")
    source = scan(text)
    index = ids.index(action_id)
    header = source.line("actions", index, None)
    if header is None:
        raise WriteRefused(f"{origin}: action {action_id} is not an [[actions]] table that jnap can edit")
    end = _block_end(source, index, len(lines))
    while end > header and not lines[end - 1].strip():
        end -= 1
    return lines, header - 1, end


def _one_action(block_text: str) -> dict[str, Any]:
    """The single action table that `block_text` holds, or a refusal saying what is wrong with it."""
    try:
        parsed = tomllib.loads(block_text)
    except tomllib.TOMLDecodeError as exc:
        raise WriteRefused(f"not valid TOML: {exc}") from None
    actions = parsed.get("actions")
    if set(parsed) != {"actions"} or not isinstance(actions, list) or len(actions) != 1:
        raise WriteRefused("the text must be exactly one [[actions]] table")
    return dict(actions[0])


def _verify_document(new: str, expected: dict[str, Any], origin: str, check: Check) -> None:
    """The new text validates and parses to exactly the `expected` document."""
    try:
        check(new, origin)
    except RegisterInvalid as invalid:
        raise WriteRefused(f"{origin}: the edit would make the register invalid", _first_line(invalid)) from None
    except InputUnreadable as unreadable:
        raise WriteRefused(f"{origin}: the edit could not be made safely", _first_line(unreadable)) from None
    if tomllib.loads(new) != expected:
        raise WriteRefused(f"{origin}: the edit would change more than it should", "edit the file by hand")


# --- splicing ------------------------------------------------------------------------------------


def _splice(text: str, edit: Edit, ids: list[Any], origin: str) -> str:
    """`text` with the key `edit.field` of the action set to the new value's TOML text (or removed)."""
    if edit.action_id not in ids:
        raise WriteRefused(f"no action {edit.action_id!r} in {origin}")
    index = ids.index(edit.action_id)
    crlf = "\r\n" in text
    lines = text.split("\n")  # a CRLF file's lines keep their "\r"
    source = scan(text)
    header = source.line("actions", index, None)
    if header is None:
        raise WriteRefused(f"{origin}: action {edit.action_id} is not an [[actions]] table that jnap can edit")
    block_end = _block_end(source, index, len(lines))
    new = [] if edit.value is None else _toml_lines(edit.field, edit.value, crlf)
    start = source.line("actions", index, edit.field)
    if start is not None and start != header:
        end = _value_end(lines, start, block_end, edit.field)
        if new and end == start and len(new) == 1:  # a one-line value keeps the comment after it
            cr = "\r" if new[0].endswith("\r") else ""
            new = [new[0].removesuffix("\r") + _trailing_comment(lines[start - 1]) + cr]
        return "\n".join(lines[: start - 1] + new + lines[end:])
    if not new:
        return text  # nothing to remove
    keys = [line for (table, i, key), line in source.lines.items() if table == "actions" and i == index and key]
    after = max(_value_end(lines, line, block_end, None) for line in keys) if keys else header
    return "\n".join(lines[:after] + new + lines[after:])


def _toml_lines(field: str, value: Any, crlf: bool) -> list[str]:
    """`field = value` as tomli-w writes it, as lines (with a "\r" each for a CRLF file)."""
    import tomli_w

    multiline = isinstance(value, str) and "\n" in value
    lines = tomli_w.dumps({field: value}, multiline_strings=multiline).rstrip("\n").split("\n")
    return [line + "\r" for line in lines] if crlf else lines


def _block_end(source: SourceMap, index: int, line_count: int) -> int:
    """The line number after the last line of the `index`-th action (the next table header, or the end)."""
    headers = [line for (table, _, key), line in source.lines.items() if not key and table]
    start = source.line("actions", index, None) or 0
    later = [line for line in headers if line > start]
    return min(later) - 1 if later else line_count


def _value_end(lines: list[str], start: int, block_end: int, field: str | None) -> int:
    """The number of the last line of the key-value that starts on line `start` (1-based)."""
    for end in range(start, block_end + 1):
        snippet = "\n".join(line.removesuffix("\r") for line in lines[start - 1 : end])  # CRLF files too
        try:
            parsed = tomllib.loads(snippet)
        except tomllib.TOMLDecodeError:
            continue
        if field is None or field in parsed:
            return end
    raise WriteRefused(f"line {start}: the value there cannot be located for a safe edit", "edit it by hand")


def _trailing_comment(line: str) -> str:
    """The comment that ends a one-line key-value (`  # why`), with the spaces before it, or ""."""
    from jnap_cli.register.sourcemap import comment_start

    at = comment_start(line.rstrip("\r"))
    if at is None:
        return ""
    start = at
    while start > 0 and line[start - 1] in " \t":
        start -= 1
    return line[start:].rstrip("\r")


# --- verification --------------------------------------------------------------------------------


def _verify(old: str, new: str, edits: Sequence[Edit], origin: str, check: Check) -> None:
    """The new text loads and validates, and differs from the old in exactly the edited keys."""
    try:
        check(new, origin)
    except RegisterInvalid as invalid:
        raise WriteRefused(f"{origin}: the edit would make the register invalid", _first_line(invalid)) from None
    except InputUnreadable as unreadable:  # our own splice broke the TOML: never write that
        raise WriteRefused(f"{origin}: the edit could not be made safely", _first_line(unreadable)) from None
    before, after = tomllib.loads(old), tomllib.loads(new)
    expected = _apply(before, edits)
    if after != expected:
        raise WriteRefused(f"{origin}: the edit would change more than it should", "edit the file by hand")


def _apply(document: dict[str, Any], edits: Sequence[Edit]) -> dict[str, Any]:
    import copy

    result = copy.deepcopy(document)
    for edit in edits:
        table = next(a for a in result["actions"] if a.get("id") == edit.action_id)
        if edit.value is None:
            table.pop(edit.field, None)
        else:
            table[edit.field] = edit.value
    return result


def _first_line(error: JnapError) -> str:
    lines = error.lines()
    return lines[0].removeprefix("error: ") if lines else str(error)


# --- writing -------------------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold `REGISTER.lock` beside the register: jnap writers take turns."""
    lock = target.with_name(target.name + ".lock")
    deadline = time.monotonic() + LOCK_SECONDS
    while True:
        try:
            handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise WriteRefused(
                    f"{lock}: another jnap is writing the register", "wait, or remove the lock if no jnap is running"
                ) from None
            time.sleep(0.02)
        except OSError as exc:
            raise WriteRefused(f"{lock}: cannot create the lock: {exc.strerror or exc}") from None
    try:
        os.write(handle, f"{os.getpid()}\n".encode())
        os.close(handle)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)


def _replace(target: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `target`, fsync it, and move it over `target`."""
    folder = target.parent
    try:
        mode = target.stat().st_mode & 0o7777
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise WriteRefused(f"{target}: cannot write beside it: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise WriteRefused(f"{target}: cannot write: {exc.strerror or exc}", "the register is unchanged") from None
        raise
    with contextlib.suppress(OSError):  # the rename is durable once the directory is
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
