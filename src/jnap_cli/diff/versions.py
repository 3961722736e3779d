"""Two versions of a register → what changed: added, removed, renamed and changed actions, status moves.

Pure: no I/O, no printing. Actions match by id; an action whose id changed but whose text is at least
`RENAME_THRESHOLD` similar (difflib's ratio of the characters) is renamed, not removed and added.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from jnap_cli.model.schema import Action, Register
from jnap_cli.model.vocab import DERIVED, STATUSES, ActionField, Status

FIELDS: tuple[str, ...] = tuple(
    f.value for f in ActionField if f.value not in (ActionField.ID, ActionField.PROVENANCE, *DERIVED)
)
"""The fields of an action that a version diff compares (every field the file has but `id`), in file order."""

PROSE_FIELDS: tuple[str, ...] = ("text", "commentary", "status_evidence")
"""Fields whose changes are shown word by word."""

RENAME_THRESHOLD = 0.90

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


def _value(action: Action, name: str) -> FieldValue:
    value = getattr(action, name)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):  # ids, references, or builds_on links shown as `O10 (why)`
        return tuple(item if isinstance(item, str) else f"{item.id} ({item.reason})" for item in value)
    assert value is None or isinstance(value, str | int)
    return value


def _changes(old: Action, new: Action) -> dict[str, FieldChange]:
    changes: dict[str, FieldChange] = {}
    for name in FIELDS:
        before, after = _value(old, name), _value(new, name)
        if before != after:
            changes[name] = FieldChange(before, after)
    return changes


def _renames(
    removed: Sequence[Action], added: Sequence[Action], context: Sequence[Action] = ()
) -> list[tuple[Action, Action, float]]:
    """Pairs (removed, added) whose texts are ≥ RENAME_THRESHOLD similar, best first, each used once.

    `context` (the actions of both versions) tells which words are rare; by default, `removed` and `added`.
    """
    from difflib import SequenceMatcher

    candidates: list[tuple[float, int, int]] = []
    for i, js in enumerate(_rename_candidates(removed, added, context)):
        if not js:
            continue
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(removed[i].text)  # difflib caches what it learns about the second sequence
        for j in js:
            matcher.set_seq1(added[j].text)
            # The cheap upper bounds first: most pairs are far apart.
            if matcher.real_quick_ratio() < RENAME_THRESHOLD or matcher.quick_ratio() < RENAME_THRESHOLD:
                continue
            score = round(matcher.ratio(), 3)
            if score >= RENAME_THRESHOLD:
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
        pairs.append((removed[i], added[j], -negative))
    return pairs


SIGNATURE_SHARE = 0.3
SIGNATURE_MIN = 8
"""A text's signature is its rarest words: this share of its distinct words, and at least this many."""


def _rename_candidates(
    removed: Sequence[Action], added: Sequence[Action], context: Sequence[Action] = ()
) -> list[list[int]]:
    """For each removed action, the indices of the added actions worth scoring as its rename, ascending.

    Blocking instead of all pairs: a pair is a candidate when the two texts' signatures share a word
    (a signature is a text's rarest words, by how many texts of `context`, or of these, have them).
    Texts that are ≥ 90% the same have nearly the same words, so nearly the same rarest ones: they
    miss each other only when nearly every word was retyped. A text with no word at all is
    compared with every other; blank texts never pair.
    """

    def words(action: Action) -> set[str]:
        return set(re.findall(r"\w+", action.text.casefold())) if action.text.strip() else set()

    old_words = [words(action) for action in removed]
    new_words = [words(action) for action in added]
    documents: Counter[str] = Counter()
    for found in [words(action) for action in context] if context else (*old_words, *new_words):
        documents.update(found)

    def signature(found: set[str]) -> list[str]:
        size = max(SIGNATURE_MIN, math.ceil(SIGNATURE_SHARE * len(found)))
        return sorted(found, key=lambda word: (documents[word], word))[:size]

    new_index: dict[str, list[int]] = {}
    for j, found in enumerate(new_words):
        for word in signature(found):
            new_index.setdefault(word, []).append(j)
    # Texts of symbols only have no signature: rare enough to compare with everything.
    wordless_old = [i for i, action in enumerate(removed) if action.text.strip() and not old_words[i]]
    wordless_new = [j for j, action in enumerate(added) if action.text.strip() and not new_words[j]]
    every_new = [j for j, found in enumerate(new_words) if found]
    pairs: list[set[int]] = [set() for _ in removed]
    for i, found in enumerate(old_words):
        if not found:
            continue
        pairs[i].update(wordless_new)
        for word in signature(found):
            pairs[i].update(new_index.get(word, ()))
    for i in wordless_old:
        pairs[i].update(every_new, wordless_new)
    return [sorted(js) for js in pairs]


def diff_versions(old: Register, new: Register) -> VersionDiff:
    """Added, removed, renamed and changed actions (matched by id) and the status transitions."""
    old_by_id = {action.id: action for action in old.actions}
    new_ids = {action.id for action in new.actions}
    only_old = [action for action in old.actions if action.id not in new_ids]
    only_new = [action for action in new.actions if action.id not in old_by_id]

    pairs = _renames(only_old, only_new, (*old.actions, *new.actions)) if only_old and only_new else []
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
