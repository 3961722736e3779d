"""Register × register, or plan × plan, → a diff value. Pure: no I/O, no printing, no Typer or Rich.

`diff_versions` compares two versions of a register; `diff_plans` compares two plans of one register
(which actions of the newer plan continue which of the older, from the `continues` links). `to_json`
gives each result the fixed shape documented below; the renderers live in `diff_render`.

## JSON output of `jnap diff`

Between two versions of the register (`jnap diff OLD [NEW] --format json`):

```json
{
  "added": [{"id": "R21", "plan": "refresh", "number": 21, "theme": "…", "text": "…", "commentary": "…",
             "status": "in-progress", "status_evidence": "…", "continues": [], "references": [],
             "annex_marker": null}],
  "removed": [{"id": "O24", "plan": "original", "number": 24, "…": "the whole action, as for added"}],
  "renamed": [{"old_id": "O23", "new_id": "O99", "similarity": 1.0,
               "fields": {"number": {"old": 23, "new": 99}}}],
  "changed": [{"id": "R4", "fields": {"status": {"old": "ongoing", "new": "complete"}}}],
  "transitions": [{"old": "ongoing", "new": "complete", "count": 1, "regression": false, "ids": ["R4"]}],
  "metadata": {"plans": {"old": ["refresh: JNAP Refresh (2022)"], "new": ["refresh: JNAP Refresh 2 (2022)"]}}
}
```

- `added` / `removed`: every field of each action only in the new / old version, in file order.
- `renamed`: an action whose id changed but whose `text` is at least 90% similar (`similarity`, 0–1,
  three decimals); `fields` holds its other changes, as for `changed` (empty when only the id changed).
- `changed`: actions with the same id whose fields differ, in the new file's order. `fields` maps
  each changed field (`plan`, `number`, `theme`, `text`, `commentary`, `status`, `status_evidence`,
  `continues`, `references`, `annex_marker`) to its `old` and `new` value: strings, integers, arrays
  of strings (`continues`, `references`) or null (`annex_marker`).
- `transitions`: status changes of the actions in `changed` and `renamed` (by their new id), one
  entry per (old status, new status) pair in vocabulary order; `regression` is true for a transition
  out of `complete`.

- `metadata`: changes to the register's `title`, `source` and `plans` (each plan as
  `id: title (year)`), as `{"old", "new"}`; empty when they are the same.

With `--stat`: `{"added": 1, "removed": 0, "renamed": 0, "changed": 2, "status_changes": 2,
"regressions": 1, "metadata": 0}` (counts of actions, and of changed register fields).

Between two plans of the register (`jnap diff original refresh --format json`):

```json
{
  "old_plan": {"id": "original", "title": "…", "year": 2021,
               "themes": [{"theme": "Supporting Victims", "actions": ["O1", "O2", "O3", "O4", "O5"]}]},
  "new_plan": {"id": "refresh", "title": "JNAP Refresh", "year": 2022, "themes": ["… as for old_plan"]},
  "links": [{"old_id": "O23", "new_id": "R4", "old_status": "ongoing", "new_status": "ongoing",
             "similarity": 0.876, "text": [{"op": "delete", "text": "Hold"},
                                           {"op": "insert", "text": "Continue to hold"},
                                           {"op": "equal", "text": "quarterly"},
                                           {"op": "delete", "text": "meetings"}, "…"]}],
  "new": ["R1", "R2", "R3", "…"],
  "not_continued": ["O3", "O4", "O5", "…"],
  "suggestions": [{"new_id": "R5", "old_id": "O23", "score": 0.224}]
}
```

- `themes`: each plan's themes in file order, with the ids of their actions.
- `links`: every pair (old-plan action, new-plan action) joined by `continues` (in either direction),
  in the new plan's order; `text` is the word diff of the two texts (`op` is `equal`, `delete` or
  `insert`; a paragraph break is `"\\n\\n"` inside a `text`); `similarity` is the score that
  suggestions use (0–1, three decimals).
- `new`: new-plan actions linked to no old-plan action. `not_continued`: old-plan actions that no
  new-plan action continues.
- `suggestions`: `null` unless `--suggest`; then the unlinked pairs whose texts (alone or with their
  commentary) are similar (`score` ≥ 0.20, three decimals, highest first): candidates for a person
  to judge, not links.

With `--stat`: `{"links": 10, "new": 12, "not_continued": 15, "suggestions": null}`.

## Similarity

- Renames: rapidfuzz's `fuzz.ratio` (normalised Indel similarity of the characters) of the two
  `text`s, ≥ 90%. Changing the id only scores 1.0; a few words changed in a sentence stay above 0.9.
- Suggestions (and `similarity` of links): cosine similarity of TF-IDF word vectors, words case- and
  accent-folded, IDF taken over the actions of the two plans; the better of two scores, text alone
  and text plus commentary (so that a restated action is found even when its commentary is new).
  On the bundled register the curated links score 0.10–0.88 and the best unlinked pair 0.22 (R5 and
  O23, both about stakeholder meetings), the next 0.18; the threshold of 0.20 lets through only pairs
  that share distinctive words. The threshold is a judgement from that register, not a calibration.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jnap_cli.errors import UsageError
from jnap_cli.models import STATUSES, Action, Plan, Register, Status
from jnap_cli.query import FIELDS as RECORD_FIELDS
from jnap_cli.text import fold

FIELDS: tuple[str, ...] = tuple(f for f in RECORD_FIELDS if f not in ("id", "continued_by"))
"""The fields of an action that a version diff compares (every field but `id`), in file order."""

PROSE_FIELDS: tuple[str, ...] = ("text", "commentary", "status_evidence")
"""Fields whose changes are shown word by word."""

RENAME_THRESHOLD = 0.90
SUGGEST_THRESHOLD = 0.20

BREAK = "\n\n"
"""The token of a paragraph break in `tokenize` and `word_diff`."""

FieldValue = str | int | tuple[str, ...] | None


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after."""

    old: FieldValue
    new: FieldValue


@dataclass(frozen=True)
class ActionChange:
    """An action present in both versions under the same id, with the fields that differ."""

    id: str
    fields: Mapping[str, FieldChange]


@dataclass(frozen=True)
class Rename:
    """An action whose id changed but whose text is almost the same; `fields` are its other changes."""

    old_id: str
    new_id: str
    similarity: float
    fields: Mapping[str, FieldChange]


@dataclass(frozen=True)
class Transition:
    """Actions whose status went from `old` to `new`; a move out of `complete` is a regression."""

    old: str
    new: str
    count: int
    regression: bool
    ids: tuple[str, ...]


@dataclass(frozen=True)
class VersionDiff:
    """What changed between two versions of a register."""

    added: tuple[Action, ...]
    removed: tuple[Action, ...]
    renamed: tuple[Rename, ...]
    changed: tuple[ActionChange, ...]
    transitions: tuple[Transition, ...]
    metadata: Mapping[str, FieldChange] = field(default_factory=dict)  # title, source, plans


@dataclass(frozen=True)
class Theme:
    """A theme of a plan and the ids of its actions, in file order."""

    name: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class PlanSummary:
    """A plan as a plan diff shows it: its metadata and themes."""

    id: str
    title: str
    year: int
    themes: tuple[Theme, ...]


@dataclass(frozen=True)
class Link:
    """An old-plan action and the new-plan action that continues it, with their texts word-diffed."""

    old_id: str
    new_id: str
    old_status: str
    new_status: str
    similarity: float
    text: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Suggestion:
    """An unlinked pair whose texts are similar: a candidate link for a person to judge."""

    new_id: str
    old_id: str
    score: float


@dataclass(frozen=True)
class PlanDiff:
    """How a newer plan relates to an older one; `suggestions` is None unless asked for."""

    old_plan: PlanSummary
    new_plan: PlanSummary
    links: tuple[Link, ...]
    new: tuple[str, ...]
    not_continued: tuple[str, ...]
    suggestions: tuple[Suggestion, ...] | None


# --- words -------------------------------------------------------------------------------------

_PARAGRAPHS = re.compile(r"\n\s*\n")
_SEGMENT_TOKENS = re.compile(r"\n\n|\S+")


def tokenize(text: str) -> list[str]:
    """The whitespace-separated words of `text`, with `BREAK` between paragraphs (blank-line separated)."""
    tokens: list[str] = []
    for paragraph in _PARAGRAPHS.split(text):
        words = paragraph.split()
        if not words:
            continue
        if tokens:
            tokens.append(BREAK)
        tokens.extend(words)
    return tokens


def join_tokens(tokens: Sequence[str]) -> str:
    """Words joined by one space; a `BREAK` joined without spaces around it."""
    out: list[str] = []
    for index, token in enumerate(tokens):
        if index and token != BREAK and tokens[index - 1] != BREAK:
            out.append(" ")
        out.append(token)
    return "".join(out)


def segment_tokens(segment: str) -> list[str]:
    """The tokens of one `word_diff` segment (its words and `BREAK`s): the inverse of `join_tokens`."""
    return _SEGMENT_TOKENS.findall(segment)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """`(op, text)` runs turning `old` into `new` word by word; op is "equal", "delete" or "insert".

    Words are compared exactly; differences in the amount of whitespace between them are not changes.
    A paragraph break is the token `"\\n\\n"` and is compared like a word, so a merged or split
    paragraph shows as a deleted or inserted break. A replacement is a delete followed by an insert.
    """
    from difflib import SequenceMatcher

    before, after = tokenize(old), tokenize(new)
    runs: list[tuple[str, list[str]]] = []

    def add(op: str, tokens: list[str]) -> None:
        if not tokens:
            return
        if runs and runs[-1][0] == op:
            runs[-1][1].extend(tokens)
        else:
            runs.append((op, list(tokens)))

    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", before[i1:i2])
        else:
            add("delete", before[i1:i2])
            add("insert", after[j1:j2])
    return [(op, join_tokens(tokens)) for op, tokens in runs]


# --- versions ----------------------------------------------------------------------------------


def _value(action: Action, name: str) -> FieldValue:
    value = getattr(action, name)
    if isinstance(value, Status):
        return value.value
    if isinstance(value, tuple):
        return tuple(str(item) for item in value)
    assert value is None or isinstance(value, str | int)
    return value


def _changes(old: Action, new: Action) -> dict[str, FieldChange]:
    changes: dict[str, FieldChange] = {}
    for name in FIELDS:
        before, after = _value(old, name), _value(new, name)
        if before != after:
            changes[name] = FieldChange(before, after)
    return changes


def text_similarity(old: str, new: str) -> float:
    """Similarity of two texts character by character, 0–1 (rapidfuzz's normalised Indel similarity)."""
    from rapidfuzz import fuzz

    return fuzz.ratio(old, new) / 100


def _renames(removed: Sequence[Action], added: Sequence[Action]) -> list[tuple[Action, Action, float]]:
    """Pairs (removed, added) whose texts are ≥ RENAME_THRESHOLD similar, best first, each used once."""
    from rapidfuzz import fuzz

    candidates: list[tuple[float, int, int]] = []
    for i, old in enumerate(removed):
        if not old.text.strip():
            continue
        for j, new in enumerate(added):
            if not new.text.strip():
                continue
            score = fuzz.ratio(old.text, new.text, score_cutoff=RENAME_THRESHOLD * 100)
            if score:
                candidates.append((-score, j, i))
    candidates.sort()
    pairs: list[tuple[Action, Action, float]] = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    for negative, j, i in candidates:
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((removed[i], added[j], round(-negative / 100, 3)))
    return pairs


def diff_versions(old: Register, new: Register) -> VersionDiff:
    """Added, removed, renamed and changed actions (matched by id) and the status transitions."""
    old_by_id = {action.id: action for action in old.actions}
    new_ids = {action.id for action in new.actions}
    only_old = [action for action in old.actions if action.id not in new_ids]
    only_new = [action for action in new.actions if action.id not in old_by_id]

    pairs = _renames(only_old, only_new)
    renamed_old = {old_action.id for old_action, _, _ in pairs}
    rename_of = {new_action.id: (old_action, score) for old_action, new_action, score in pairs}

    changed: list[ActionChange] = []
    renamed: list[Rename] = []
    moves: list[tuple[str, str, str]] = []  # (old status, new status, id)
    for action in new.actions:
        if action.id in old_by_id:
            before = old_by_id[action.id]
            fields = _changes(before, action)
            if fields:
                changed.append(ActionChange(action.id, fields))
        elif action.id in rename_of:
            before, score = rename_of[action.id]
            fields = _changes(before, action)
            renamed.append(Rename(before.id, action.id, score, fields))
        else:
            continue
        if before.status != action.status:
            moves.append((before.status.value, action.status.value, action.id))

    return VersionDiff(
        added=tuple(action for action in only_new if action.id not in rename_of),
        removed=tuple(action for action in only_old if action.id not in renamed_old),
        renamed=tuple(renamed),
        changed=tuple(changed),
        transitions=_transitions(moves),
        metadata=_metadata_changes(old, new),
    )


def _metadata_changes(old: Register, new: Register) -> dict[str, FieldChange]:
    """Changes to the register's title, source and plans (each plan as `id: title (year)`)."""

    def plans(register: Register) -> tuple[str, ...]:
        return tuple(f"{plan.id}: {plan.title} ({plan.year})" for plan in register.plans)

    values: dict[str, tuple[FieldValue, FieldValue]] = {
        "title": (old.title, new.title),
        "source": (old.source, new.source),
        "plans": (plans(old), plans(new)),
    }
    return {name: FieldChange(before, after) for name, (before, after) in values.items() if before != after}


def _transitions(moves: Sequence[tuple[str, str, str]]) -> tuple[Transition, ...]:
    groups: dict[tuple[str, str], list[str]] = {}
    for before, after, action_id in moves:
        groups.setdefault((before, after), []).append(action_id)
    order = sorted(groups, key=lambda pair: (STATUSES.index(pair[0]), STATUSES.index(pair[1])))
    return tuple(
        Transition(
            before, after, len(groups[(before, after)]), before == Status.COMPLETE.value, tuple(groups[(before, after)])
        )
        for before, after in order
    )


def has_differences(diff: VersionDiff) -> bool:
    """True when any action was added, removed, renamed or changed (`--exit-code`)."""
    return bool(diff.added or diff.removed or diff.renamed or diff.changed or diff.metadata)


def has_regression(diff: VersionDiff) -> bool:
    """True when any action's status moved out of `complete` (`--fail-on-regression`)."""
    return any(transition.regression for transition in diff.transitions)


# --- plans -------------------------------------------------------------------------------------


def _plan(register: Register, plan_id: str) -> Plan:
    for plan in register.plans:
        if plan.id == plan_id:
            return plan
    known = ", ".join(plan.id for plan in register.plans) or "none"
    raise UsageError(f"unknown plan {plan_id!r}", f"the register's plans are {known}")


def _summary(plan: Plan, actions: Sequence[Action]) -> PlanSummary:
    themes: dict[str, list[str]] = {}
    for action in actions:
        themes.setdefault(action.theme, []).append(action.id)
    return PlanSummary(plan.id, plan.title, plan.year, tuple(Theme(name, tuple(ids)) for name, ids in themes.items()))


def _vectors(actions: Sequence[Action], *, commentary: bool) -> dict[str, dict[str, float]]:
    """TF-IDF vectors of each action's text (and commentary), IDF taken over `actions`."""
    counts = {
        action.id: Counter(
            re.findall(r"\w+", fold(f"{action.text} {action.commentary}" if commentary else action.text))
        )
        for action in actions
    }
    documents = Counter(word for words in counts.values() for word in words)
    total = len(counts)
    return {
        action_id: {word: (1 + math.log(n)) * math.log(total / documents[word]) for word, n in words.items()}
        for action_id, words in counts.items()
    }


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    dot = sum(weight * b.get(word, 0.0) for word, weight in a.items())
    norm = math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


class _Similarity:
    """Word similarity of two actions, 0–1: the better of text-only and text-plus-commentary cosines."""

    def __init__(self, actions: Sequence[Action]) -> None:
        self.text = _vectors(actions, commentary=False)
        self.both = _vectors(actions, commentary=True)

    def __call__(self, a: str, b: str) -> float:
        return max(_cosine(self.text[a], self.text[b]), _cosine(self.both[a], self.both[b]))


def diff_plans(register: Register, old_plan_id: str, new_plan_id: str, suggest: bool = False) -> PlanDiff:
    """Themes of each plan, the `continues` links between them, and what is new or not continued."""
    old_plan, new_plan = _plan(register, old_plan_id), _plan(register, new_plan_id)
    if old_plan.id == new_plan.id:
        raise UsageError(f"cannot compare plan {old_plan.id!r} with itself", "give two different plan ids")
    olds = [action for action in register.actions if action.plan == old_plan.id]
    news = [action for action in register.actions if action.plan == new_plan.id]
    old_ids = {action.id for action in olds}
    new_ids = {action.id for action in news}
    linked: set[tuple[str, str]] = set()  # (old id, new id)
    for action in news:
        linked.update((target, action.id) for target in action.continues if target in old_ids)
    for action in olds:
        linked.update((action.id, target) for target in action.continues if target in new_ids)

    similarity = _Similarity([*olds, *news])
    links = tuple(
        Link(
            old.id,
            new.id,
            old.status.value,
            new.status.value,
            round(similarity(old.id, new.id), 3),
            tuple(word_diff(old.text, new.text)),
        )
        for new in news
        for old in olds
        if (old.id, new.id) in linked
    )
    suggestions: tuple[Suggestion, ...] | None = None
    if suggest:
        scored = [
            (score, n, o)
            for n, new in enumerate(news)
            for o, old in enumerate(olds)
            if (old.id, new.id) not in linked and (score := similarity(old.id, new.id)) >= SUGGEST_THRESHOLD
        ]
        scored.sort(key=lambda item: (-item[0], item[1], item[2]))
        suggestions = tuple(Suggestion(news[n].id, olds[o].id, round(score, 3)) for score, n, o in scored)
    return PlanDiff(
        old_plan=_summary(old_plan, olds),
        new_plan=_summary(new_plan, news),
        links=links,
        new=tuple(action.id for action in news if not any(pair[1] == action.id for pair in linked)),
        not_continued=tuple(action.id for action in olds if not any(pair[0] == action.id for pair in linked)),
        suggestions=suggestions,
    )


# --- JSON --------------------------------------------------------------------------------------


def _json_value(value: FieldValue) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _json_fields(fields: Mapping[str, FieldChange]) -> dict[str, Any]:
    return {name: {"old": _json_value(c.old), "new": _json_value(c.new)} for name, c in fields.items()}


def action_json(action: Action) -> dict[str, Any]:
    """Every field of an action, as the register file has them."""
    return {"id": action.id, **{name: _json_value(_value(action, name)) for name in FIELDS}}


def words_json(segments: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """A word diff as `[{"op": ..., "text": ...}]`."""
    return [{"op": op, "text": text} for op, text in segments]


def _plan_json(plan: PlanSummary) -> dict[str, Any]:
    return {
        "id": plan.id,
        "title": plan.title,
        "year": plan.year,
        "themes": [{"theme": theme.name, "actions": list(theme.actions)} for theme in plan.themes],
    }


def to_json(diff: VersionDiff | PlanDiff) -> dict[str, Any]:
    """The diff in its fixed JSON shape (see the module documentation)."""
    if isinstance(diff, PlanDiff):
        return {
            "old_plan": _plan_json(diff.old_plan),
            "new_plan": _plan_json(diff.new_plan),
            "links": [
                {
                    "old_id": link.old_id,
                    "new_id": link.new_id,
                    "old_status": link.old_status,
                    "new_status": link.new_status,
                    "similarity": link.similarity,
                    "text": words_json(link.text),
                }
                for link in diff.links
            ],
            "new": list(diff.new),
            "not_continued": list(diff.not_continued),
            "suggestions": None
            if diff.suggestions is None
            else [{"new_id": s.new_id, "old_id": s.old_id, "score": s.score} for s in diff.suggestions],
        }
    return {
        "added": [action_json(action) for action in diff.added],
        "removed": [action_json(action) for action in diff.removed],
        "renamed": [
            {"old_id": r.old_id, "new_id": r.new_id, "similarity": r.similarity, "fields": _json_fields(r.fields)}
            for r in diff.renamed
        ],
        "changed": [{"id": change.id, "fields": _json_fields(change.fields)} for change in diff.changed],
        "transitions": [
            {"old": t.old, "new": t.new, "count": t.count, "regression": t.regression, "ids": list(t.ids)}
            for t in diff.transitions
        ],
        "metadata": _json_fields(diff.metadata),
    }


def counts(diff: VersionDiff | PlanDiff) -> dict[str, int | None]:
    """The summary counts (`--stat`): of actions for a version diff, of links and ids for a plan diff."""
    if isinstance(diff, PlanDiff):
        return {
            "links": len(diff.links),
            "new": len(diff.new),
            "not_continued": len(diff.not_continued),
            "suggestions": None if diff.suggestions is None else len(diff.suggestions),
        }
    return {
        "added": len(diff.added),
        "removed": len(diff.removed),
        "renamed": len(diff.renamed),
        "changed": len(diff.changed),
        "status_changes": sum(t.count for t in diff.transitions),
        "regressions": sum(t.count for t in diff.transitions if t.regression),
        "metadata": len(diff.metadata),
    }
