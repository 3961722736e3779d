"""Edits planned on a register file's text, changing only the bytes they concern, and proven.

An edit sets (or removes) keys of one action, replaces one action's table, or adds a table. The new
value's text comes from tomli-w and is spliced into the action's table where the source map of that
table locates the key, so comments, key order, quoting, blank lines, line endings and a missing final
newline elsewhere stay byte-identical. Nothing is written here (`writing.writer` writes).

Proof, without parsing the file twice: the action's table is located exactly (`writing.blocks`), the
new table parsed alone must be exactly the intended action (these keys changed, nothing else), and
the document with that action replaced is validated as the register (its schema and integrity rules,
with the other files of a directory register). The file is parsed once, when it is read (`FileText`).
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from jnap_cli.errors import InputUnreadable, JnapError, RegisterInvalid, WriteRefused
from jnap_cli.model.vocab import ActionField
from jnap_cli.register.sourcemap import SourceMap, scan
from jnap_cli.text import escape_unsafe, squash, unsafe_characters
from jnap_cli.writing import blocks

Check = Callable[[dict[str, Any], str, str], object]
"""Validates a file's parsed document (`document, text, origin`) as (part of) its register; raises what
loading raises. A register file is checked alone (`load_document`); a file of a directory register with
the directory's other files, so that ids stay unique across them."""

REMOVED: Any = object()  # the value of a key that an edit removes


@dataclass(frozen=True)
class Edit:
    """Set `field` of action `action_id` to `value` (a TOML value); None removes the key."""

    action_id: str
    field: str
    value: Any


@dataclass(frozen=True)
class FileText:
    """A register file as read for an edit: its text, parsed once, and how a new text of it is checked."""

    path: Path
    text: str
    document: dict[str, Any] = field(repr=False)
    check: Check = field(repr=False)

    @property
    def actions(self) -> list[Any]:
        actions = self.document.get("actions", [])
        return actions if isinstance(actions, list) else []

    def index(self, action_id: str) -> int:
        """The position of the action `action_id` in this file; a refusal when it has none."""
        for position, entry in enumerate(self.actions):
            if isinstance(entry, dict) and entry.get("id") == action_id:
                return position
        raise WriteRefused(f"no action {action_id!r} in {self.path}")

    def entry(self, action_id: str) -> dict[str, Any]:
        """The action's table as parsed."""
        found: dict[str, Any] = self.actions[self.index(action_id)]
        return found


def read(path: Path, check: Check | None = None) -> FileText:
    """The register file at `path`, read, parsed and validated: an edit starts from a valid register."""
    from jnap_cli.register import tomlfile
    from jnap_cli.register.load import load_document

    checking: Check = check or load_document
    text = tomlfile.decode(tomlfile.read_bytes(path), str(path))
    document = tomlfile.parse(text, str(path))
    try:
        checking(document, text, str(path))
    except (InputUnreadable, RegisterInvalid) as exc:
        raise WriteRefused(f"{path}: the register must be valid before it is edited", first_line(exc)) from None
    return FileText(path, text, document, checking)


@dataclass(frozen=True)
class Change:
    """What an edit would do: the register's new bytes and the unified diff of the file."""

    path: Path
    old: bytes
    new: bytes

    def diff(self) -> str:
        """The unified diff of the file, as `--dry-run` prints it: register text is shown escaped
        (control, bidi and zero-width characters as `\\x1b`, `<U+202E>`), as everywhere else."""
        before = self.old.decode("utf-8").splitlines(keepends=True)
        after = self.new.decode("utf-8").splitlines(keepends=True)
        name = escape_unsafe(self.path.name).replace("\n", "\\n")
        out = [f"--- a/{name}\n", f"+++ b/{name}\n"]
        for group in _grouped_opcodes(before, after):
            i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
            out.append(f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@\n")
            for tag, a1, a2, b1, b2 in group:
                if tag == "equal":
                    out += [" " + line for line in before[a1:a2]]
                    continue
                out += ["-" + line for line in before[a1:a2]]
                out += ["+" + line for line in after[b1:b2]]
        return "".join(_diff_line(line) for line in out)


Opcode = tuple[Literal["replace", "delete", "insert", "equal"], int, int, int, int]
Hunk = list[tuple[str, int, int, int, int]]


def _grouped_opcodes(before: list[str], after: list[str]) -> list[Hunk]:
    """difflib's hunks (3 lines of context) of two files' lines. An edit changes a few lines of a long
    file, and difflib's matching is quadratic in the many lines a register repeats (59 s for a dry run
    at 10,000 actions): the lines the files share at their start and end are matched by comparison,
    and difflib matches what is left."""
    from difflib import SequenceMatcher

    from jnap_cli.diff.words import shared_ends

    head, tail = shared_ends(before, after)
    # Without autojunk: a line repeated in every action (status_basis = "inferred") is a line like any other.
    middle = SequenceMatcher(None, before[head : len(before) - tail], after[head : len(after) - tail], autojunk=False)
    codes = _merged(
        [
            ("equal", 0, head, 0, head),
            *((tag, a1 + head, a2 + head, b1 + head, b2 + head) for tag, a1, a2, b1, b2 in middle.get_opcodes()),
            ("equal", len(before) - tail, len(before), len(after) - tail, len(after)),
        ]
    )

    class Shared(SequenceMatcher[str]):
        def get_opcodes(self) -> list[Opcode]:
            return codes

    return list(Shared(None, [], []).get_grouped_opcodes(3))


def _merged(opcodes: list[Opcode]) -> list[Opcode]:
    """Adjacent `equal` runs as one, and no empty run, as difflib gives them."""
    merged: list[Opcode] = []
    for code in opcodes:
        if code[1] == code[2] and code[3] == code[4]:
            continue
        if merged and code[0] == "equal" == merged[-1][0]:
            merged[-1] = ("equal", merged[-1][1], code[2], merged[-1][3], code[4])
        else:
            merged.append(code)
    return merged or [("equal", 0, 0, 0, 0)]


def _diff_line(line: str) -> str:
    """One line of the diff, escaped, ending with exactly one newline (noting a missing one as diff does)."""
    body = line[:-1] if line.endswith("\n") else line
    ending = "\n" if line.endswith("\n") else "\n\\ No newline at end of file\n"
    cr = body.endswith("\r")
    return escape_unsafe(body.removesuffix("\r")) + ("\r" if cr else "") + ending


# --- planning ------------------------------------------------------------------------------------


def plan(file: FileText, edits: Sequence[Edit]) -> Change:
    """The change `edits` make to the file, verified; nothing is written."""
    actions = list(file.actions)
    text, exact = file.text, True
    by_action: dict[str, list[Edit]] = {}
    for edit in edits:
        by_action.setdefault(edit.action_id, []).append(edit)
    spans = sorted(
        ((blocks.locate(file.text, file.actions, file.index(action_id), str(file.path)), action_id)
         for action_id in by_action),
        key=lambda pair: -pair[0].start,
    )  # fmt: skip
    for span, action_id in spans:  # from the end of the file, so that earlier offsets stay right
        index = file.index(action_id)
        block = file.text[span.start : span.end]
        for edit in by_action[action_id]:
            block = _splice(block, edit, str(file.path))
        expected = _applied(file.actions[index], by_action[action_id])
        _same_table(block, expected, str(file.path))
        _refuse_unsafe(file.actions[index], expected, action_id)
        text = text[: span.start] + block + text[span.end :]
        actions[index] = expected
        exact = exact and span.exact
    return _checked(file, actions, text, exact)


def block(file: FileText, action_id: str) -> str:
    """The text of one action's `[[actions]]` table as the file has it (for `jnap edit`), LF-ended."""
    span = blocks.locate(file.text, file.actions, file.index(action_id), str(file.path))
    body = file.text[span.start : span.body_end]
    return body.replace("\r\n", "\n").rstrip("\n") + "\n"


def plan_block(file: FileText, action_id: str, new_block: str) -> Change:
    """The change that replaces one action's table by `new_block` (its `[[actions]]` text); verified."""
    index = file.index(action_id)
    span = blocks.locate(file.text, file.actions, index, str(file.path))
    entry = one_action(new_block)
    _refuse_unsafe(file.actions[index], entry, str(entry.get("id", action_id)))
    body_end = span.body_end
    region = file.text[span.start : body_end]
    table = _in_style(new_block.rstrip("\r\n"), file.text)
    _same_table(table, entry, str(file.path))  # the table as it will be written
    text = (
        file.text[: span.start] + table + (_newline(file.text) if region.endswith("\n") else "") + file.text[body_end:]
    )
    actions = list(file.actions)
    actions[index] = entry
    return _checked(file, actions, text, span.exact)


def plan_insert(file: FileText, after_id: str | None, new_block: str) -> Change:
    """The change that adds an action (its `[[actions]]` text) after action `after_id`, or at the end."""
    entry = one_action(new_block)
    _refuse_unsafe({}, entry, str(entry.get("id", "")))
    nl = _newline(file.text)
    if after_id is None:
        at, index, exact = len(file.text), len(file.actions), False  # no action yet: verify the whole text
    else:
        position = file.index(after_id)
        span = blocks.locate(file.text, file.actions, position, str(file.path))
        at, index, exact = span.body_end, position + 1, span.exact
    before, rest = file.text[:at], file.text[at:]
    ended = before.endswith("\n") or not before
    table = _in_style(new_block.rstrip("\r\n"), file.text)
    _same_table(table, entry, str(file.path))  # the table as it will be written
    added = (nl if not ended else "") + nl + table
    if ended or rest:
        added += nl
    if rest.split("\n", 1)[0].strip():  # keep a blank line before the next table
        added += nl
    actions = list(file.actions)
    actions.insert(index, entry)
    return _checked(file, actions, before + added + rest, exact)


def _checked(file: FileText, actions: list[Any], text: str, exact: bool) -> Change:
    """The change to `text`, once the document with these `actions` validates as the register, and,
    when a table was not located exactly, once the whole new text parses to that document."""
    document = {**file.document, "actions": actions}
    origin = str(file.path)
    try:
        file.check(document, text, origin)
    except RegisterInvalid as invalid:
        raise WriteRefused(f"{origin}: the edit would make the register invalid", first_line(invalid)) from None
    except InputUnreadable as unreadable:
        raise WriteRefused(f"{origin}: the edit could not be made safely", first_line(unreadable)) from None
    if not exact and _parsed(text) != document:
        raise WriteRefused(f"{origin}: the edit would change more than it should", "edit the file by hand")
    return Change(file.path, file.text.encode("utf-8"), text.encode("utf-8"))


def _parsed(text: str) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def _same_table(block_text: str, expected: dict[str, Any], origin: str) -> None:
    """The spliced table, parsed alone, is exactly the intended action: nothing else changed."""
    if _parsed(block_text) != {"actions": [expected]}:
        raise WriteRefused(f"{origin}: the edit would change more than it should", "edit the file by hand")


def _applied(entry: dict[str, Any], edits: Sequence[Edit]) -> dict[str, Any]:
    """The action's table with `edits` made to it."""
    result = copy.deepcopy(entry)
    for edit in edits:
        if edit.value is None:
            result.pop(edit.field, None)
        else:
            result[edit.field] = edit.value
    return result


def _refuse_unsafe(old: dict[str, Any], new: dict[str, Any], action_id: str) -> None:
    """One rule for every writer, the one `jnap check` applies: no value a writer adds may hold a control,
    bidirectional-override or zero-width character (a value already there is left to `check`); and an
    action whose commentary or quotes (status evidence, handed_to, waits_on) change keeps its quotes in
    its commentary."""
    for key, value in new.items():
        if old.get(key) == value:
            continue
        found = unsafe_characters(_strings(value))
        if found:
            raise WriteRefused(
                f"{action_id}: {key}: contains {found[0]}",
                "the register's text may not hold control, bidirectional or zero-width characters",
            )
    commentary = new.get("commentary")
    for key, what in _QUOTES.items():
        quote = new.get(key)
        changed = old.get(key) != quote or old.get("commentary") != commentary
        if changed and isinstance(quote, str) and isinstance(commentary, str) and quote.strip():
            _refuse_unquoted(what, quote, commentary, action_id)


# The keys that quote an action's commentary, and how a refusal names each.
_QUOTES = {"status_evidence": "the evidence", "handed_to": "handed_to", "waits_on": "waits_on"}


def _refuse_unquoted(what: str, quote: str, commentary: str, action_id: str) -> None:
    if squash(quote) not in squash(commentary):
        raise WriteRefused(
            f"{action_id}: {what} {quote!r} is not in the commentary", "quote the commentary word for word"
        )


def _strings(value: Any) -> str:
    """Every string inside a TOML value, joined."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(_strings(item) for item in value.values())
    if isinstance(value, list):
        return "\n".join(_strings(item) for item in value)
    return ""


def one_action(block_text: str) -> dict[str, Any]:
    """The single action table that `block_text` holds, or a refusal saying what is wrong with it."""
    try:
        parsed = tomllib.loads(block_text)
    except tomllib.TOMLDecodeError as exc:
        raise WriteRefused(f"not valid TOML: {exc}") from None
    actions = parsed.get("actions")
    if set(parsed) != {"actions"} or not isinstance(actions, list) or len(actions) != 1:
        raise WriteRefused("the text must be exactly one [[actions]] table")
    return dict(actions[0])


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _in_style(block_text: str, text: str) -> str:
    """A table's lines ended as the file ends its lines (CRLF files stay CRLF, LF files LF), whatever
    the table's own line ends (tomllib reads a multi-line string's CRLF as LF, so values stay the same)."""
    lines = block_text.replace("\r\n", "\n")
    return lines.replace("\n", "\r\n") if _newline(text) == "\r\n" else lines


def first_line(error: JnapError) -> str:
    """The first line an error prints, without its `error: ` prefix."""
    lines = error.lines()
    return lines[0].removeprefix("error: ") if lines else str(error)


# --- splicing one key in one table -----------------------------------------------------------------


def _splice(table: str, edit: Edit, origin: str) -> str:
    """The table's text with the key `edit.field` set to the new value's TOML text (or removed)."""
    crlf = "\r\n" in table
    lines = table.split("\n")  # a CRLF file's lines keep their "\r"
    source = scan(table)
    header = source.line("actions", 0, None)
    if header is None:
        raise WriteRefused(f"{origin}: action {edit.action_id} is not an [[actions]] table that jnap can edit")
    block_end = _block_end(source, len(lines))
    new = [] if edit.value is None else _toml_lines(edit.field, edit.value, crlf)
    start = source.line("actions", 0, edit.field)
    if start is not None and start != header:
        end = _value_end(lines, start, block_end, edit.field)
        if new and end == start and len(new) == 1:  # a one-line value keeps the comment after it
            cr = "\r" if new[0].endswith("\r") else ""
            new = [new[0].removesuffix("\r") + _trailing_comment(lines[start - 1]) + cr]
        return "\n".join(lines[: start - 1] + new + lines[end:])
    if not new:
        return table  # nothing to remove
    keys = {key: line for (name, i, key), line in source.lines.items() if name == "actions" and i == 0 and key}
    # A new key goes after the keys a record lists before it (`status_basis` after `status`), else last.
    earlier = [line for key, line in keys.items() if _FIELD_ORDER.get(key, -1) < _FIELD_ORDER.get(edit.field, -1)]
    later = [line for key, line in keys.items() if _FIELD_ORDER.get(key, -1) > _FIELD_ORDER.get(edit.field, -1)]
    chosen = earlier if earlier and later else list(keys.values())
    after = max(_value_end(lines, line, block_end, None) for line in chosen) if chosen else header
    return "\n".join(lines[:after] + new + lines[after:])


_FIELD_ORDER = {field.value: position for position, field in enumerate(ActionField)}


def _toml_lines(name: str, value: Any, crlf: bool) -> list[str]:
    """`name = value` as tomli-w writes it, as lines (with a "\r" each for a CRLF file)."""
    import tomli_w

    multiline = isinstance(value, str) and "\n" in value
    if _tables(value):  # tomli-w turns a long one into [[name]] sub-tables, which would leave the action
        lines = [f"{name} = [", *(f"    {_inline(item)}," for item in value), "]"]
    else:
        lines = tomli_w.dumps({name: value}, multiline_strings=multiline).rstrip("\n").split("\n")
    return [line + "\r" for line in lines] if crlf else lines


def _tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _inline(value: Any) -> str:
    """`value` as one line of TOML (an inline table or array stays on its line, however long)."""
    import tomli_w

    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(key)} = {_inline(item)}" for key, item in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    return tomli_w.dumps({"v": value}).rstrip("\n").removeprefix("v = ")


def _key(key: str) -> str:
    import tomli_w

    return tomli_w.dumps({key: 0}).rstrip("\n").removesuffix(" = 0")


def _block_end(source: SourceMap, line_count: int) -> int:
    """The line number after the table's own keys (its first sub-table's header, or the end)."""
    start = source.line("actions", 0, None) or 0
    later = [line for (table, _, key), line in source.lines.items() if not key and table and line > start]
    return min(later) - 1 if later else line_count


def _value_end(lines: list[str], start: int, block_end: int, name: str | None) -> int:
    """The number of the last line of the key-value that starts on line `start` (1-based)."""
    for end in range(start, block_end + 1):
        snippet = "\n".join(line.removesuffix("\r") for line in lines[start - 1 : end])  # CRLF files too
        try:
            parsed = tomllib.loads(snippet)
        except tomllib.TOMLDecodeError:
            continue
        if name is None or name in parsed:
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


# --- merging a table edited at leisure -------------------------------------------------------------


class Conflict(Exception):
    """Another writer changed keys of the action that this edit changes too (or changed it by hand)."""

    def __init__(self, action_id: str, keys: tuple[str, ...]) -> None:
        super().__init__(f"{action_id}: {', '.join(keys)}")
        self.action_id = action_id
        self.keys = keys


def merge_block(base: FileText, current: FileText, action_id: str, mine: str) -> Change:
    """Replace the action's table by `mine` (edited from the table as `base` had it) in the file as it
    is now (`current`), keeping what another writer changed meanwhile when it touched other keys.

    Raises `Conflict` when the same key was changed both ways, or when the other change to this table
    is not one that splicing its keys reproduces (a comment or layout changed by hand)."""
    try:
        theirs_entry = current.entry(action_id)
    except WriteRefused:
        raise Conflict(action_id, ("id",)) from None
    base_block, theirs_block = block(base, action_id), block(current, action_id)
    if theirs_block == base_block:
        return plan_block(current, action_id, mine)
    base_entry, my_entry = base.entry(action_id), one_action(mine)
    theirs = _changes(base_entry, theirs_entry)
    ours = _changes(base_entry, my_entry)
    clashing = sorted(key for key in theirs.keys() & ours.keys() if theirs[key] != ours[key])
    if theirs.keys() & _STATUS_AND_WORDS and ours.keys() & _STATUS_AND_WORDS:  # one judgement, made twice
        clashing = sorted((theirs.keys() | ours.keys()) & _STATUS_AND_WORDS)
    replayed = _splice_all(base_block, action_id, theirs, str(current.path))
    if clashing or replayed != theirs_block:
        raise Conflict(action_id, tuple(clashing or sorted(theirs)))
    merged = _splice_all(mine, action_id, {k: v for k, v in theirs.items() if k not in ours}, str(current.path))
    return plan_block(current, action_id, merged)


# A status rests on words of the commentary: a change to one of these and another writer's to another
# is a clash, even when the keys differ (their evidence may quote words of the commentary you rewrote).
_STATUS_AND_WORDS = frozenset({"commentary", "status", "status_evidence", "status_basis", "handed_to", "waits_on"})


def _changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The keys whose value differs, with the new value (`REMOVED` for a key that is gone)."""
    return {
        key: new.get(key, REMOVED) for key in old.keys() | new.keys() if old.get(key, REMOVED) != new.get(key, REMOVED)
    }


def _splice_all(table: str, action_id: str, changes: dict[str, Any], origin: str) -> str:
    for key in sorted(changes):
        value = None if changes[key] is REMOVED else changes[key]
        table = _splice(table, Edit(action_id, key, value), origin)
    return table
