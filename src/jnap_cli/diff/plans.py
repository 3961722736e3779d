"""Two plans of one register → how the newer relates to the older: themes, links, new, not continued.

The older plan is the one with the earlier `year` (the first given when the years are equal),
whichever order the plan ids are given in: `diff_plans(r, "refresh", "original")` holds the same
facts as `diff_plans(r, "original", "refresh")` and only records that the newer plan came first.

Pure: no I/O, no printing. Similarity (for `--suggest` and each link's score) is the cosine of TF-IDF
word vectors, words case- and accent-folded, IDF over the actions of the two plans.
"""

from __future__ import annotations

import gc
import math
import re
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import repeat
from operator import itemgetter, mul

from jnap_cli.diff import packed
from jnap_cli.diff.words import word_diff
from jnap_cli.errors import UsageError
from jnap_cli.model.schema import Action, Plan, Register
from jnap_cli.query.select import check_theme
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
    """A plan as a plan diff shows it: its metadata and themes.

    `as_of` is the year its statuses speak for (a link sets a status of one year beside one of
    another: not a change); `provenance` says which of title and year the annex prints (`Plan.provenance`).
    """

    id: str
    title: str
    year: int
    themes: tuple[Theme, ...]
    as_of: int | None = None
    provenance: Mapping[str, Sequence[str]] = field(default_factory=dict)


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
    from_newer: bool = True  # whether `from_id` is an action of the newer plan


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
    theme: str | None = None  # `--theme` as given: only the themes containing it


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
    summarised = tuple(Theme(name, tuple(ids)) for name, ids in themes.items())
    return PlanSummary(plan.id, plan.title, plan.year, summarised, plan.commentary_as_of, plan.provenance)


def _vectors(actions: Sequence[Action], *, commentary: bool) -> dict[str, dict[str, float]]:
    """TF-IDF vectors of each action's text (and commentary), IDF taken over `actions`.

    Words are interned: two vectors' copies of a word are one string, so that a look-up of one vector's
    word in another compares pointers, not letters (most of what scoring a million pairs costs).
    """
    counts = {
        action.id: Counter(
            map(
                sys.intern,
                re.findall(r"\w+", fold(f"{action.text} {action.commentary}" if commentary else action.text)),
            )
        )
        for action in actions
    }
    documents = Counter(word for words in counts.values() for word in words)
    total = len(counts)
    idf = {word: math.log(total / count) for word, count in documents.items()}
    return {
        action_id: {word: (1 + math.log(n)) * idf[word] for word, n in words.items()}
        for action_id, words in counts.items()
    }


def _cosine(a: Mapping[str, float], b: Mapping[str, float], squares_a: float, squares_b: float) -> float:
    """The cosine of `a` and `b`, given each one's sum of squared weights."""
    dot = sum(map(mul, a.values(), map(b.get, a, repeat(0.0))))  # as `weight * b.get(word, 0.0)`, in C
    norm = math.sqrt(squares_a * squares_b)
    return dot / norm if norm else 0.0


def _squares(vectors: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    return {key: sum(w * w for w in vector.values()) for key, vector in vectors.items()}


class _Similarity:
    """Word similarity of two actions, 0–1: the better of text-only and text-plus-commentary cosines."""

    def __init__(self, actions: Sequence[Action]) -> None:
        self.text = _vectors(actions, commentary=False)
        self.both = _vectors(actions, commentary=True)
        self.text_squares, self.both_squares = _squares(self.text), _squares(self.both)

    def __call__(self, a: str, b: str) -> float:
        return max(
            _cosine(self.text[a], self.text[b], self.text_squares[a], self.text_squares[b]),
            _cosine(self.both[a], self.both[b], self.both_squares[a], self.both_squares[b]),
        )

    def suggestions(
        self, olds: Sequence[str], news: Sequence[str], threshold: float, linked: set[tuple[str, str]]
    ) -> list[tuple[int, int, float]]:
        """(new index, old index, score) of every pair not in `linked` (old id, new id) at least `threshold`
        similar, best first, then in new-plan and old-plan order.

        Only the candidates `packed.candidates` finds are scored (it misses none that reach the
        threshold), each exactly as `__call__` scores it (the same sums in the same order); of the two
        cosines, the one with the higher bound first, and the other only when its bound may beat it.
        Pairs are gathered by new action, so that a stable sort on the score alone leaves ties in order.
        """
        text_olds, both_olds = [self.text[i] for i in olds], [self.both[i] for i in olds]
        text_news, both_news = [self.text[i] for i in news], [self.both[i] for i in news]
        text_squares = [self.text_squares[i] for i in news]
        both_squares = [self.both_squares[i] for i in news]
        by_new: list[list[tuple[float, int]]] = [[] for _ in news]
        new_index = {new_id: n for n, new_id in enumerate(news)}
        skipped: dict[str, set[int]] = {}  # old id → its linked new actions' indexes
        for old_id, new_id in linked:
            if new_id in new_index:
                skipped.setdefault(old_id, set()).add(new_index[new_id])
        near = packed.candidates([(text_olds, text_news), (both_olds, both_news)], threshold)
        for o, (old_id, (found, bounds)) in enumerate(zip(olds, near, strict=True)):
            if not found:
                continue
            (text_fields, text_unit), (both_fields, both_unit) = bounds
            text, both = text_olds[o], both_olds[o]
            text_square, both_square = self.text_squares[old_id], self.both_squares[old_id]
            skip = skipped.get(old_id, ())
            for n in found:
                if n in skip:
                    continue
                # Each cosine as `__call__` computes it (`_cosine`); the one bounded higher first.
                text_bound = text_fields[n] * text_unit + packed.MARGIN
                both_bound = both_fields[n] * both_unit + packed.MARGIN
                if text_bound >= both_bound:
                    score = _cosine(text, text_news[n], text_square, text_squares[n])
                    if both_bound >= score:
                        score = max(score, _cosine(both, both_news[n], both_square, both_squares[n]))
                else:
                    score = _cosine(both, both_news[n], both_square, both_squares[n])
                    if text_bound >= score:
                        score = max(_cosine(text, text_news[n], text_square, text_squares[n]), score)
                if score >= threshold:
                    by_new[n].append((score, o))
        pairs = [(n, o, score) for n, scores in enumerate(by_new) for score, o in scores]
        pairs.sort(key=itemgetter(2), reverse=True)  # stable, reversed too: ties stay in (new, old) order
        return pairs


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while building objects that form no cycles.

    A million suggestions are a million objects: each collection pass it triggers walks the register's
    live objects too, which doubled their cost (10k actions, 1,021,207 suggestions: 2.9 s → 1.1 s).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def diff_plans(
    register: Register, first_id: str, second_id: str, suggest: bool = False, theme: str | None = None
) -> PlanDiff:
    """Themes of each plan, the `continues` links between them, and what is new or not continued.

    The two plans may be given in either order: the older (by `year`) is `old_plan`. `theme` (matched as
    `jnap list --theme` matches it) keeps the themes that contain it and every fact about their actions:
    a link or suggestion with either end in them; whether an action is new or not continued, and each
    similarity, still come from the whole of both plans, so a filter never makes a link disappear.
    """
    first, second = _plan(register, first_id), _plan(register, second_id)
    if first.id == second.id:
        raise UsageError(f"cannot compare plan {first.id!r} with itself", "give two different plan ids")
    needle = check_theme(register, theme)
    diff = _diff_plans(register, first, second, suggest)
    if needle is None:
        return diff
    return replace(_within(diff, {a.id for a in register.actions if needle in a.theme.casefold()}), theme=theme)


def _within(diff: PlanDiff, kept: set[str]) -> PlanDiff:
    """`diff` told only about the actions in `kept` (a theme's): a link with either end among them."""

    def themes(plan: PlanSummary) -> tuple[Theme, ...]:
        return tuple(theme for theme in plan.themes if kept.issuperset(theme.actions))

    return replace(
        diff,
        old_plan=replace(diff.old_plan, themes=themes(diff.old_plan)),
        new_plan=replace(diff.new_plan, themes=themes(diff.new_plan)),
        links=tuple(link for link in diff.links if {link.old_id, link.new_id} & kept),
        new=tuple(i for i in diff.new if i in kept),
        not_continued=tuple(i for i in diff.not_continued if i in kept),
        suggestions=None
        if diff.suggestions is None
        else tuple(s for s in diff.suggestions if {s.old_id, s.new_id} & kept),
        builds_on=tuple(b for b in diff.builds_on if {b.from_id, b.to_id} & kept),
    )


def _diff_plans(register: Register, first: Plan, second: Plan, suggest: bool) -> PlanDiff:
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
    old_index = {action.id: o for o, action in enumerate(olds)}
    new_index = {action.id: n for n, action in enumerate(news)}
    # In new-plan order, then old-plan order: a loop over the links, not over every pair of actions.
    ordered = sorted(linked, key=lambda pair: (new_index[pair[1]], old_index[pair[0]]))
    links = tuple(
        Link(
            old.id,
            new.id,
            old.status.value,
            new.status.value,
            round(similarity(old.id, new.id), 3),
            tuple(word_diff(old.text, new.text)),
        )
        for old, new in ((olds[old_index[old_id]], news[new_index[new_id]]) for old_id, new_id in ordered)
    )
    suggestions: tuple[Suggestion, ...] | None = None
    if suggest:
        with _no_cycle_collection():
            scored = similarity.suggestions([a.id for a in olds], [a.id for a in news], SUGGEST_THRESHOLD, linked)
            suggestions = tuple(Suggestion(news[n].id, olds[o].id, round(score, 3)) for n, o, score in scored)
    continued = {old_id for old_id, _ in linked}
    continuing = {new_id for _, new_id in linked}
    return PlanDiff(
        old_plan=_summary(old_plan, olds),
        new_plan=_summary(new_plan, news),
        links=links,
        new=tuple(action.id for action in news if action.id not in continuing),
        not_continued=tuple(action.id for action in olds if action.id not in continued),
        suggestions=suggestions,
        newer_first=newer_first,
        builds_on=tuple(
            BuildsOnLink(action.id, link.id, link.reason, action.plan == new_plan.id)
            for action in [*news, *olds]
            for link in action.builds_on
            if link.id in (old_ids if action.plan == new_plan.id else new_ids)
        ),
    )
