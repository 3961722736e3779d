"""Diff results → text for people, or JSON for scripts.

Text is one logical line per fact (`R4: status: ongoing → complete`), with no boxes. An arrow joins
only a value's old and new state; a link between two actions reads in words, the action that
continues (or builds on) first, as `continues` stores it and `graph` draws it (`R4 continues O23:`,
`R2 builds on O9:`), and a rename reads `O3 renamed to O9`. Piped, a line is never wrapped; on a
terminal, a long line wraps to its width with a hanging indent under the line's prefix
(`  R4 continues O23: text: `). Changed text and commentary are shown word by word: red (struck
through) and green (underlined) on a terminal, `[-removed-]{+added+}` without colour; a paragraph
break shows as `¶`, and long unchanged stretches are shortened to `…` around the changes. The texts
of a plan link less similar than `WORD_DIFF_THRESHOLD` are shown whole instead (`O6 text: …`,
`R6 text: …`): a word diff of texts that share little is a string of replacements. A value that did
not change (`ongoing → ongoing`) is not coloured.
Register text is untrusted: it is escaped with `escape_unsafe` and put into Rich `Text` objects, so
markup in it (`[bold]`) is never interpreted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from jnap_cli.diff import shape
from jnap_cli.diff.plans import SUGGEST_THRESHOLD, WORD_DIFF_THRESHOLD, Link, PlanDiff, PlanSummary
from jnap_cli.diff.shape import counts
from jnap_cli.diff.versions import PROSE_FIELDS, FieldChange, FieldValue, VersionDiff
from jnap_cli.diff.words import BREAK, segment_tokens, word_diff
from jnap_cli.errors import UsageError
from jnap_cli.model.vocab import DiffFormat, RecordFormat
from jnap_cli.render.cells import to_json
from jnap_cli.render.records import Output, emit
from jnap_cli.render.terminal import console, console_width, isatty
from jnap_cli.render.views import PLAN_RELATION, SUPPLIED, VERSION_CHANGE, counts_view
from jnap_cli.text import escape_unsafe, one_line, plural

if TYPE_CHECKING:
    from rich.text import Text

CONTEXT = 6  # unchanged words kept on each side of a change
ELLIPSIS = "…"
PILCROW = "¶"

DELETED = "red strike"
INSERTED = "green underline"
OLD = "red"
NEW = "green"
HEADING = "bold"
ALERT = "bold red"
HANG = 4  # the hanging indent when a line's prefix takes more than half the width


@dataclass(frozen=True)
class Line:
    """One logical line; on a terminal its continuation lines are indented by `indent` characters
    (the length of its prefix, `  R4 continues O23: text: `)."""

    text: Text
    indent: int = 0


def emit_diff(diff: VersionDiff | PlanDiff, fmt: DiffFormat, output: Output, *, stat: bool = False) -> None:
    """A diff as text (sections, then a summary line), the JSON document, or rows in any other record format;
    `output` gives the fields, colour, stream and `--empty` (its format is `fmt`'s).

    `stat`: the summary counts only (text: the summary line; records: one record of counts).
    """
    out, fields = output.stream, output.fields
    if fmt is DiffFormat.TEXT:
        if fields is not None:
            raise UsageError("--fields applies to the record formats, not to text", "add --format csv, json, …")
        print_lines(_lines(diff, output.color, stat), out, output.color, console_width(out) if isatty(out) else None)
        return
    records = output.using(RecordFormat(fmt.value))
    if stat:
        numbers = counts(diff)
        if records.format is RecordFormat.JSON and fields is None:
            out.write(to_json(numbers, indent=2) + "\n")
        else:
            emit([numbers], counts_view(tuple(numbers)), records)
    elif records.format is RecordFormat.JSON and fields is None:
        out.write(to_json(shape.to_json(diff), indent=2) + "\n")
    else:
        emit(shape.rows(diff), PLAN_RELATION if isinstance(diff, PlanDiff) else VERSION_CHANGE, records)


def _lines(diff: VersionDiff | PlanDiff, color: bool, stat: bool) -> list[Line]:
    if isinstance(diff, PlanDiff):
        lines = [] if stat else [*_plan_lines(diff, color), Line(_text(""))]
        lines.append(Line(_text(plan_summary(diff))))
        return lines
    lines = [] if stat else _version_lines(diff, color)
    if lines:
        lines.append(Line(_text("")))
    lines.append(Line(_text(version_summary(diff))))
    return lines


def version_summary(diff: VersionDiff) -> str:
    """`1 added, 0 removed, 0 renamed, 2 changed; 2 status changes, 1 regression`, or `no differences`."""
    n = counts(diff)
    if not (n["added"] or n["removed"] or n["renamed"] or n["changed"] or n["metadata"]):
        return "no differences"
    summary = (
        f"{n['added']} added, {n['removed']} removed, {n['renamed']} renamed, {n['changed']} changed; "
        f"{plural(n['status_changes'] or 0, 'status change')}, {plural(n['regressions'] or 0, 'regression')}"
    )
    if n["metadata"]:
        summary += f"; {plural(n['metadata'] or 0, 'register field')} changed"
    return summary


def plan_summary(diff: PlanDiff) -> str:
    """`10 links, 12 new, 15 not continued` (then builds-on links, and suggestions when asked for)."""
    summary = f"{plural(len(diff.links), 'link')}, {len(diff.new)} new, {len(diff.not_continued)} not continued"
    if diff.builds_on:
        summary += f", {len(diff.builds_on)} builds on"
    if diff.suggestions is not None:
        summary += f", {plural(len(diff.suggestions), 'suggestion')}"
    return summary


def print_lines(lines: Sequence[Line], out: IO[str], color: bool, width: int | None) -> None:
    """One logical line per fact: wrapped to `width` with a hanging indent, or never (`None`: piped).

    Written by us, so that a closed pipe ends quietly (Rich's own broken-pipe handling exits 1,
    which `set -o pipefail` reports as a failure).
    """
    term = console(out, color)
    with term.capture() as captured:
        for line in lines:
            for row in [line.text] if width is None else wrap(line.text, line.indent, width):
                term.print(row, soft_wrap=True)
    out.write(captured.get())


def wrap(text: Text, indent: int, width: int) -> list[Text]:
    """`text` in rows of at most `width` cells, broken between words after its first `indent` characters.

    The first row starts with those characters (the prefix, broken only when wider than a row); the
    others are indented by as many cells, or by `HANG` when the prefix takes more than half the
    width. A word wider than a row is cut. Styles are kept.
    """
    from rich.cells import cell_len

    from jnap_cli.render.table import line_breaks

    if cell_len(text.plain) <= width:
        return [text]
    prefix = cell_len(text.plain[:indent])
    hang = prefix if prefix <= width // 2 else HANG
    if prefix >= width:  # a prefix that leaves no room on its row is broken between words too
        indent = prefix = 0
    body = text[indent:]
    offsets = line_breaks(body.plain, width - hang, first_width=width - prefix)
    rows = []
    for number, piece in enumerate(body.divide(offsets)):
        piece.rstrip()
        row = text[:indent] if number == 0 else _text(" " * hang)
        row.append(piece)
        row.rstrip()  # a prefix whose first word moved to the next row
        rows.append(row)
    return rows


# --- building lines ------------------------------------------------------------------------------


def _text(plain: str = "", style: str = "") -> Text:
    """A `Text` of our own words (not register text): no escaping needed, no markup parsed."""
    from rich.text import Text

    return Text(plain, style=style)


def shown(value: FieldValue) -> str:
    if value is None or value == ():
        return "(none)"
    if value == "":
        return "(empty)"
    if isinstance(value, tuple):
        return ", ".join(one_line(item) for item in value)
    return one_line(str(value))


def _plain(text: str, indent: int = 0) -> Line:
    """A line of our own words; continuation lines (on a terminal) indented by `indent`."""
    return Line(_text(text), indent)


def _heading(lines: list[Line], title: str, count: int, note: str = "") -> None:
    if lines:
        lines.append(_plain(""))
    heading = _text()
    heading.append(f"{title} ({count}):", HEADING)
    heading.append(f" {note}" if note else "")
    lines.append(Line(heading, len(title) + len(str(count)) + 5))


def _prefixed(prefix: str, label: str, *parts: str | Text) -> Line:
    """`  PREFIX: LABEL…`: on a terminal, the parts wrap under their start."""
    line = _text(f"  {prefix}: {label}")
    for part in parts:
        line.append(part)
    return Line(line, len(f"  {prefix}: {label}"))


def old_new(old: FieldValue, new: FieldValue, color: bool) -> Text:
    """`old → new`, in red and green on a terminal unless they are the same."""
    color = color and old != new
    line = _text()
    line.append(shown(old), OLD if color else "")
    line.append(" → ")
    line.append(shown(new), NEW if color else "")
    return line


def _field_line(prefix: str, name: str, change: FieldChange, color: bool) -> Line:
    if name in PROSE_FIELDS and isinstance(change.old, str) and isinstance(change.new, str):
        return _prefixed(prefix, f"{name}: ", words(word_diff(change.old, change.new), color))
    return _prefixed(prefix, f"{name}: ", old_new(change.old, change.new, color))


def _elide(tokens: list[str], *, first: bool, last: bool) -> list[str]:
    """Unchanged words shortened to CONTEXT words next to each change."""
    if first and len(tokens) > CONTEXT:
        return [ELLIPSIS, *tokens[-CONTEXT:]]
    if last and len(tokens) > CONTEXT:
        return [*tokens[:CONTEXT], ELLIPSIS]
    if not first and not last and len(tokens) > 2 * CONTEXT + 1:
        return [*tokens[:CONTEXT], ELLIPSIS, *tokens[-CONTEXT:]]
    return tokens


def words(segments: Sequence[tuple[str, str]], color: bool) -> Text:
    """A word diff on one line: styled on a terminal, `[-removed-]{+added+}` markers without colour."""
    line = _text()
    if all(op == "equal" for op, _ in segments):
        line.append("(only whitespace changed)")
        return line
    last = len(segments) - 1
    for index, (op, segment) in enumerate(segments):
        tokens = [PILCROW if token == BREAK else escape_unsafe(token) for token in segment_tokens(segment)]
        if op == "equal":
            tokens = _elide(tokens, first=index == 0, last=index == last)
        shown = " ".join(tokens)
        if index and not (op == "insert" and segments[index - 1][0] == "delete"):
            line.append(" ")
        if op == "equal":
            line.append(shown)
        elif color:
            line.append(shown, DELETED if op == "delete" else INSERTED)
        else:
            line.append(f"[-{shown}-]" if op == "delete" else f"{{+{shown}+}}")
    return line


def whole(segments: Sequence[tuple[str, str]], side: str) -> str:
    """One side of a word diff (`side` is "delete" for the old text, "insert" for the new) as one line."""
    tokens = [token for op, segment in segments if op in ("equal", side) for token in segment_tokens(segment)]
    return " ".join(PILCROW if token == BREAK else escape_unsafe(token) for token in tokens) or "(empty)"


def _similar(score: float) -> str:
    return f"{math.floor(score * 100)}%"


def _version_lines(diff: VersionDiff, color: bool) -> list[Line]:
    lines: list[Line] = []
    if diff.metadata:
        _heading(lines, "register", len(diff.metadata))
        lines.extend(_field_line("register", name, change, color) for name, change in diff.metadata.items())
    if diff.added:
        _heading(lines, "added", len(diff.added))
        for action in diff.added:
            about = f"{one_line(action.plan)} {action.number}, {action.status.value}: "
            lines.append(_prefixed(one_line(action.id), about, _text(one_line(action.text), NEW if color else "")))
    if diff.removed:
        _heading(lines, "removed", len(diff.removed))
        for action in diff.removed:
            about = f"{one_line(action.plan)} {action.number}, {action.status.value}: "
            lines.append(_prefixed(one_line(action.id), about, _text(one_line(action.text), OLD if color else "")))
    if diff.renamed:
        _heading(lines, "renamed", len(diff.renamed))
        for rename in diff.renamed:
            new_id = one_line(rename.new_id)
            renamed = renamed_pair(rename.old_id, rename.new_id)
            lines.append(_prefixed(renamed, "", f"text {_similar(rename.similarity)} similar"))
            lines.extend(_field_line(new_id, name, change, color) for name, change in rename.fields.items())
    if diff.changed:
        _heading(lines, "changed", len(diff.changed))
        for changed in diff.changed:
            changed_id = one_line(changed.id)
            lines.extend(_field_line(changed_id, name, change, color) for name, change in changed.fields.items())
    if diff.transitions:
        _heading(lines, "status transitions", sum(t.count for t in diff.transitions))
        for transition in diff.transitions:
            line = _prefixed(f"{transition.old} → {transition.new}", "", f"{transition.count} ")
            line.text.append(f"({', '.join(one_line(i) for i in transition.ids)})")
            if transition.regression:
                line.text.append(", ")
                line.text.append("regression", ALERT if color else "")
            lines.append(line)
    return lines


def _supplied(plan: PlanSummary, name: str) -> str:
    """`SUPPLIED`'s mark when the register supplies the plan's `name` (title, year), else ""."""
    return SUPPLIED[0] if name in plan.provenance.get("register", ()) else ""


def _plan_line(plan: PlanSummary) -> Line:
    """`original: Police-CPS … 2021ʳ (2021ʳ), statuses as of 2022`: marked where the register supplies them."""
    about = f"{one_line(plan.title)}{_supplied(plan, 'title')} ({plan.year}{_supplied(plan, 'year')})"
    return _prefixed(one_line(plan.id), "", about + ("" if plan.as_of is None else f", statuses as of {plan.as_of}"))


def renamed_pair(old_id: str, new_id: str) -> str:
    """`O3 renamed to O9`: a rename in words, never an arrow that could be read as a link."""
    return f"{one_line(old_id)} renamed to {one_line(new_id)}"


def _statuses(old_id: str, old: str, new_id: str, new: str, as_of: tuple[int | None, int | None], color: bool) -> Text:
    """`O7 (as of 2022) transferred; R6 (as of 2024) complete`: each status named by its action and the year it
    speaks for; coloured (old, new) only when they differ and speak for the same year: two years apart,
    a different status is no change."""
    color = color and old != new and as_of[0] == as_of[1]
    line = _text()
    for (action_id, status, year, style), apart in zip(
        ((old_id, old, as_of[0], OLD), (new_id, new, as_of[1], NEW)), ("", "; "), strict=True
    ):
        line.append(f"{apart}{action_id}{'' if year is None else f' (as of {year})'} ")
        line.append(shown(status), style if color else "")
    return line


def _link_lines(link: Link, as_of: tuple[int | None, int | None], color: bool) -> list[Line]:
    """Similarity, statuses and texts of a link, in words: `R4 continues O23`. Texts that share little are
    shown whole (each named by its action), not word-diffed."""
    old_id, new_id = one_line(link.old_id), one_line(link.new_id)
    pair = f"{new_id} continues {old_id}"
    lines = [
        _prefixed(pair, "similarity: ", _similar(link.similarity)),
        _prefixed(pair, "status: ", _statuses(old_id, link.old_status, new_id, link.new_status, as_of, color)),
    ]
    if link.similarity >= WORD_DIFF_THRESHOLD:
        lines.append(_prefixed(pair, "text: ", words(link.text, color)))
    else:
        lines.append(_prefixed(pair, f"{old_id} text: ", _text(whole(link.text, "delete"), OLD if color else "")))
        lines.append(_prefixed(pair, f"{new_id} text: ", _text(whole(link.text, "insert"), NEW if color else "")))
    return lines


def _plan_lines(diff: PlanDiff, color: bool) -> list[Line]:
    """The plans in the order asked (the older first unless `newer_first`); links always read in words,
    the newer action first: `R4 continues O23`, `R2 builds on O9`."""
    old, new = one_line(diff.old_plan.id), one_line(diff.new_plan.id)
    plans = (diff.new_plan, diff.old_plan) if diff.newer_first else (diff.old_plan, diff.new_plan)
    within = "" if diff.theme is None else f", themes containing {escape_unsafe(repr(diff.theme))}"
    header = Line(_text((f"{new} from {old}" if diff.newer_first else f"{old} to {new}") + within, HEADING))
    lines = [header, *(_plan_line(plan) for plan in plans)]
    if any(_supplied(plan, name) for plan in plans for name in ("title", "year")):
        lines.append(_plain(f"  {SUPPLIED[0]} {SUPPLIED[1]}"))
    for plan in plans:
        _heading(lines, f"themes of {one_line(plan.id)}", len(plan.themes))
        for theme in plan.themes:
            ids = ", ".join(one_line(i) for i in theme.actions)
            lines.append(_prefixed(f"{one_line(theme.name)} ({len(theme.actions)})", "", ids))
    _heading(lines, "links", len(diff.links), f"{new} actions that continue {old} actions")
    as_of = (diff.old_plan.as_of, diff.new_plan.as_of)
    for link in diff.links:
        lines.extend(_link_lines(link, as_of, color))
    if diff.builds_on:
        _heading(lines, "builds on", len(diff.builds_on), "uses what an action of the other plan delivered (weaker)")
        for uses in diff.builds_on:
            pair = f"{one_line(uses.from_id)} builds on {one_line(uses.to_id)}"
            lines.append(_prefixed(pair, "", one_line(uses.reason)))
    for title, listed in (
        (f"new in {new}, continuing nothing", diff.new),
        (f"not continued from {old}", diff.not_continued),
    ):
        _heading(lines, title, len(listed), ", ".join(one_line(i) for i in listed))
    if diff.suggestions is not None:
        note = f"candidate links with similarity ≥ {_similar(SUGGEST_THRESHOLD)}, not in the register"
        _heading(lines, "suggestions", len(diff.suggestions), note)
        for suggestion in diff.suggestions:
            pair = f"{one_line(suggestion.new_id)} may continue {one_line(suggestion.old_id)}"
            lines.append(_prefixed(pair, "similarity: ", f"{_similar(suggestion.score)} (suggestion)"))
    return lines
