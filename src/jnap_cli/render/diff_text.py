"""Diff results → text for people, or JSON for scripts.

Text is one logical line per fact (`R4: status: ongoing → complete`), never wrapped, with no boxes.
Changed text and commentary are shown word by word: red (struck through) and green (underlined) on a
terminal, `[-removed-]{+added+}` without colour; a paragraph break shows as `¶`, and long unchanged
stretches are shortened to `…` around the changes. Register text is untrusted: it is escaped with
`escape_unsafe` and put into Rich `Text` objects, so markup in it (`[bold]`) is never interpreted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from jnap_cli.diff import shape
from jnap_cli.diff.plans import SUGGEST_THRESHOLD, PlanDiff, PlanSummary
from jnap_cli.diff.shape import counts
from jnap_cli.diff.versions import PROSE_FIELDS, FieldChange, FieldValue, VersionDiff
from jnap_cli.diff.words import BREAK, segment_tokens, word_diff
from jnap_cli.errors import UsageError
from jnap_cli.model.vocab import DiffFormat, RecordFormat
from jnap_cli.render.cells import to_json
from jnap_cli.render.records import emit
from jnap_cli.render.terminal import console
from jnap_cli.render.views import PLAN_RELATION, VERSION_CHANGE, counts_view
from jnap_cli.text import escape_unsafe, one_line

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


def emit_diff(
    diff: VersionDiff | PlanDiff,
    fmt: DiffFormat,
    *,
    out: IO[str],
    color: bool = False,
    stat: bool = False,
    fields: str | None = None,
) -> None:
    """A diff as text (sections, then a summary line), the JSON document, or rows in any other record format.

    `stat`: the summary counts only (text: the summary line; records: one record of counts).
    """
    if fmt is DiffFormat.TEXT:
        if fields is not None:
            raise UsageError("--fields applies to the record formats, not to text", "add --format csv, json, …")
        _print(_lines(diff, color, stat), out, color)
        return
    record_format = RecordFormat(fmt.value)
    if stat:
        numbers = counts(diff)
        if record_format is RecordFormat.JSON and fields is None:
            out.write(to_json(numbers, indent=2) + "\n")
        else:
            emit([numbers], counts_view(tuple(numbers)), fmt=record_format, fields=fields, color=color, out=out)
    elif record_format is RecordFormat.JSON and fields is None:
        out.write(to_json(shape.to_json(diff), indent=2) + "\n")
    else:
        view = PLAN_RELATION if isinstance(diff, PlanDiff) else VERSION_CHANGE
        emit(shape.rows(diff), view, fmt=record_format, fields=fields, color=color, out=out)


def _lines(diff: VersionDiff | PlanDiff, color: bool, stat: bool) -> list[Text]:
    if isinstance(diff, PlanDiff):
        lines = [] if stat else [*_plan_lines(diff, color), _text("")]
        lines.append(_text(plan_summary(diff)))
        return lines
    lines = [] if stat else _version_lines(diff, color)
    if lines:
        lines.append(_text(""))
    lines.append(_text(version_summary(diff)))
    return lines


def version_summary(diff: VersionDiff) -> str:
    """`1 added, 0 removed, 0 renamed, 2 changed; 2 status changes, 1 regression`, or `no differences`."""
    n = counts(diff)
    if not (n["added"] or n["removed"] or n["renamed"] or n["changed"] or n["metadata"]):
        return "no differences"
    summary = (
        f"{n['added']} added, {n['removed']} removed, {n['renamed']} renamed, {n['changed']} changed; "
        f"{_plural(n['status_changes'] or 0, 'status change')}, {_plural(n['regressions'] or 0, 'regression')}"
    )
    if n["metadata"]:
        summary += f"; {_plural(n['metadata'] or 0, 'register field')} changed"
    return summary


def plan_summary(diff: PlanDiff) -> str:
    """`10 links, 12 new, 15 not continued` (and the number of suggestions when asked for)."""
    summary = f"{_plural(len(diff.links), 'link')}, {len(diff.new)} new, {len(diff.not_continued)} not continued"
    if diff.suggestions is not None:
        summary += f", {_plural(len(diff.suggestions), 'suggestion')}"
    return summary


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _print(lines: Sequence[Text], out: IO[str], color: bool) -> None:
    """One logical line per fact, never wrapped; written by us, so that a closed pipe ends quietly.

    (Rich's own broken-pipe handling exits 1, which `set -o pipefail` reports as a failure.)
    """
    term = console(out, color)
    with term.capture() as captured:
        for line in lines:
            term.print(line, soft_wrap=True)
    out.write(captured.get())


# --- building lines ------------------------------------------------------------------------------


def _text(plain: str = "", style: str = "") -> Text:
    """A `Text` of our own words (not register text): no escaping needed, no markup parsed."""
    from rich.text import Text

    return Text(plain, style=style)


def _shown(value: FieldValue) -> str:
    if value is None or value == ():
        return "(none)"
    if value == "":
        return "(empty)"
    if isinstance(value, tuple):
        return ", ".join(one_line(item) for item in value)
    return one_line(str(value))


def _heading(lines: list[Text], title: str, count: int, note: str = "") -> None:
    if lines:
        lines.append(_text(""))
    heading = _text()
    heading.append(f"{title} ({count}):", HEADING)
    heading.append(f" {note}" if note else "")
    lines.append(heading)


def _prefixed(prefix: str, *parts: str | Text) -> Text:
    line = _text(f"  {prefix}: ")
    for part in parts:
        line.append(part)
    return line


def _old_new(old: FieldValue, new: FieldValue, color: bool) -> Text:
    line = _text()
    line.append(_shown(old), OLD if color else "")
    line.append(" → ")
    line.append(_shown(new), NEW if color else "")
    return line


def _field_line(prefix: str, name: str, change: FieldChange, color: bool) -> Text:
    if name in PROSE_FIELDS and isinstance(change.old, str) and isinstance(change.new, str):
        return _prefixed(prefix, f"{name}: ", words(word_diff(change.old, change.new), color))
    return _prefixed(prefix, f"{name}: ", _old_new(change.old, change.new, color))


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


def _similar(score: float) -> str:
    return f"{math.floor(score * 100)}%"


def _version_lines(diff: VersionDiff, color: bool) -> list[Text]:
    lines: list[Text] = []
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
            lines.append(_text(f"  {one_line(rename.old_id)} → {new_id}: text {_similar(rename.similarity)} similar"))
            lines.extend(_field_line(new_id, name, change, color) for name, change in rename.fields.items())
    if diff.changed:
        _heading(lines, "changed", len(diff.changed))
        for changed in diff.changed:
            changed_id = one_line(changed.id)
            lines.extend(_field_line(changed_id, name, change, color) for name, change in changed.fields.items())
    if diff.transitions:
        _heading(lines, "status transitions", sum(t.count for t in diff.transitions))
        for transition in diff.transitions:
            line = _text(f"  {transition.old} → {transition.new}: {transition.count} ")
            line.append(f"({', '.join(one_line(i) for i in transition.ids)})")
            if transition.regression:
                line.append(", ")
                line.append("regression", ALERT if color else "")
            lines.append(line)
    return lines


def _plan_line(plan: PlanSummary) -> Text:
    return _text(f"  {one_line(plan.id)}: {one_line(plan.title)} ({plan.year})")


def _plan_lines(diff: PlanDiff, color: bool) -> list[Text]:
    old, new = one_line(diff.old_plan.id), one_line(diff.new_plan.id)
    lines = [_text(f"{old} → {new}", HEADING), _plan_line(diff.old_plan), _plan_line(diff.new_plan)]
    for plan in (diff.old_plan, diff.new_plan):
        _heading(lines, f"themes of {one_line(plan.id)}", len(plan.themes))
        for theme in plan.themes:
            ids = ", ".join(one_line(i) for i in theme.actions)
            lines.append(_text(f"  {one_line(theme.name)} ({len(theme.actions)}): {ids}"))
    _heading(lines, "links", len(diff.links), f"{new} actions that continue {old} actions")
    for link in diff.links:
        pair = f"{one_line(link.old_id)} → {one_line(link.new_id)}"
        lines.append(_prefixed(pair, f"similarity: {_similar(link.similarity)}"))
        lines.append(_prefixed(pair, "status: ", _old_new(link.old_status, link.new_status, color)))
        lines.append(_prefixed(pair, "text: ", words(link.text, color)))
    for title, listed in (
        (f"new in {new}, continuing nothing", diff.new),
        (f"not continued from {old}", diff.not_continued),
    ):
        _heading(lines, title, len(listed), ", ".join(one_line(i) for i in listed))
    if diff.suggestions is not None:
        note = f"candidate links with similarity ≥ {_similar(SUGGEST_THRESHOLD)}, not in the register"
        _heading(lines, "suggestions", len(diff.suggestions), note)
        for suggestion in diff.suggestions:
            pair = f"{one_line(suggestion.old_id)} → {one_line(suggestion.new_id)}"
            lines.append(_prefixed(pair, f"similarity: {_similar(suggestion.score)} (suggestion)"))
    return lines
