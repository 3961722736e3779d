"""Two plans of one register → how the newer relates to the older: themes, links, new, not continued.

The older plan is the one with the earlier `year` (the first given when the years are equal),
whichever order the plan ids are given in: `diff_plans(r, "refresh", "original")` holds the same
facts as `diff_plans(r, "original", "refresh")` and only records that the newer plan came first.

Pure: no I/O, no printing. Similarity (for `--suggest` and each link's score) is the cosine of TF-IDF
word vectors, words case- and accent-folded, IDF over the actions of the two plans.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jnap_cli.diff.words import word_diff
from jnap_cli.errors import UsageError
from jnap_cli.model.schema import Action, Plan, Register
from jnap_cli.text import fold

SUGGEST_THRESHOLD = 0.20
WORD_DIFF_THRESHOLD = 0.50
"""Links at least this similar are shown as a word diff; below it, as the two texts whole.

On the bundled register the linked pairs fall into two groups: 0.64 and 0.88 (a shared run of words
around a few replacements: the word diff reads well) and 0.26 and below (fewer than a fifth of the
words shared, mostly "and", "to", "the": the word diff is a string of replacements). 0.50 lies in the gap.
"""


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
class BuildsOnLink:
    """A weaker link than `continues` between the two plans: `from_id` uses what `to_id` delivered."""

    from_id: str
    to_id: str
    reason: str


@dataclass(frozen=True)
class PlanDiff:
    """How a newer plan relates to an older one; `suggestions` is None unless asked for.

    `old_plan` is the older plan whichever order the plans were given in; `newer_first` records that
    the newer was given first, so that a renderer can show the plans in the order asked.
    """

    old_plan: PlanSummary
    new_plan: PlanSummary
    links: tuple[Link, ...]
    new: tuple[str, ...]
    not_continued: tuple[str, ...]
    suggestions: tuple[Suggestion, ...] | None
    newer_first: bool = False
    builds_on: tuple[BuildsOnLink, ...] = ()


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


def diff_plans(register: Register, first_id: str, second_id: str, suggest: bool = False) -> PlanDiff:
    """Themes of each plan, the `continues` links between them, and what is new or not continued.

    The two plans may be given in either order: the older (by `year`) is `old_plan`.
    """
    first, second = _plan(register, first_id), _plan(register, second_id)
    if first.id == second.id:
        raise UsageError(f"cannot compare plan {first.id!r} with itself", "give two different plan ids")
    newer_first = first.year > second.year
    old_plan, new_plan = (second, first) if newer_first else (first, second)
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
        newer_first=newer_first,
        builds_on=tuple(
            BuildsOnLink(action.id, link.id, link.reason)
            for action in [*news, *olds]
            for link in action.builds_on
            if link.id in (old_ids if action.plan == new_plan.id else new_ids)
        ),
    )
