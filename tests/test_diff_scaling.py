"""Diffs of large registers pair actions without comparing every action with every other.

Rename pairing (`versions._renames`) and plan suggestions (`diff_plans(..., suggest=True)`) score only
candidates found by blocking; these tests hold them to the all-pairs reference implementations kept
here, and check that the number of scored pairs grows much slower than the square of the size.
Structural checks only: nothing here is timed.
"""

from __future__ import annotations

import difflib
import random
import re
import tomllib
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jnap_cli.diff import packed, plans, versions
from jnap_cli.diff.plans import SUGGEST_THRESHOLD, diff_plans
from jnap_cli.diff.versions import RENAME_THRESHOLD, diff_versions
from jnap_cli.diff.words import BREAK, MATCH_LIMIT, segment_tokens, tokenize, word_diff
from jnap_cli.model.schema import Action, Register
from jnap_cli.register.load import load_text

from .conftest import ROOT

SHIPPED = tomllib.loads((ROOT / "data" / "actions.toml").read_text(encoding="utf-8"))
CORPUS = re.findall(r"\S+", " ".join(f"{a['text']} {a['commentary']}" for a in SHIPPED["actions"]))
LENGTHS = {f: sorted(len(a[f].split()) for a in SHIPPED["actions"]) for f in ("text", "commentary")}
STATUSES = ("complete", "in-progress", "ongoing", "deferred", "transferred")


# --- a generator ---------------------------------------------------------------------------------


def _tail_word(rng: random.Random, vocabulary: int) -> str:
    """A word of a long Zipfian tail (names, places, programmes): rank log-uniform in 1..vocabulary."""
    rank, letters = int(vocabulary ** rng.random()), ""
    while True:
        rank, digit = divmod(rank, 26)
        letters += chr(97 + digit)
        if not rank:
            return f"k{letters}"


def _words(rng: random.Random, field: str, vocabulary: int) -> str:
    """Text as long as a real one of `field`: three words in four from the shipped register, one from the tail."""
    count = max(3, rng.choice(LENGTHS[field]))
    return " ".join(_tail_word(rng, vocabulary) if rng.random() < 0.25 else rng.choice(CORPUS) for _ in range(count))


def _edit(rng: random.Random, text: str, edits: int) -> str:
    words = text.split()
    for _ in range(edits):
        words[rng.randrange(len(words))] = rng.choice(CORPUS)
    return " ".join(words)


def generated(size: int, seed: int = 1) -> tuple[Register, Register]:
    """Two versions of a register of `size` actions in two plans, whose words follow the shipped register's.

    A third of the new plan's actions carry on an old one (an edited copy, most linked by `continues`).
    The second version renames 3% of the actions (most keep their text, some have a word or two
    edited), edits the text of 5%, changes the status of 5%, drops 1% and adds 1%.
    """
    rng = random.Random(seed)
    vocabulary = 20 * size

    def action(id: str, plan: str, number: int) -> dict[str, Any]:
        commentary = _words(rng, "commentary", vocabulary)
        return {
            "id": id,
            "plan": plan,
            "number": number,
            "theme": "Our People",
            "text": _words(rng, "text", vocabulary),
            "commentary": commentary,
            "status": rng.choice(STATUSES),
            "status_evidence": " ".join(commentary.split()[:4]),
            "continues": [],
        }

    olds = [action(f"O{i}", "original", i) for i in range(1, size // 2 + 1)]
    news = [action(f"R{i}", "refresh", i) for i in range(1, size - size // 2 + 1)]
    for new in news:
        if rng.random() < 0.3:
            old = rng.choice(olds)
            new["text"] = _edit(rng, old["text"], rng.randint(1, 3))
            if rng.random() < 0.8:
                new["continues"] = [old["id"]]
    first = {
        "title": "Generated",
        "source": "tests",
        "actions": news + olds,
        "plans": [
            {"id": "refresh", "title": "Refresh", "year": 2022},
            {"id": "original", "title": "Original", "year": 2021},
        ],
    }
    second = tomllib.loads(tomli_w.dumps(first))  # a deep copy
    linked = {target for a in second["actions"] for target in a["continues"]}
    kept = []
    for a in second["actions"]:
        draw = rng.random()
        free = a["id"] not in linked and not a["continues"]
        if draw < 0.03 and free:
            a["id"] += "x"
            if rng.random() < 0.3 and len(a["text"]) > 150:
                a["text"] = _edit(rng, a["text"], 1)
        elif draw < 0.08:
            a["text"] = _edit(rng, a["text"], rng.randint(1, 3))
        elif draw < 0.13:
            a["status"] = rng.choice(STATUSES)
        if not (free and rng.random() < 0.01):
            kept.append(a)
    second["actions"] = kept + [action(f"N{i}", "refresh", 100_000 + i) for i in range(size // 100)]
    return load_text(tomli_w.dumps(first), "first"), load_text(tomli_w.dumps(second), "second")


# --- the all-pairs references -------------------------------------------------------------------


def renames_brute_force(removed: Sequence[Action], added: Sequence[Action]) -> list[tuple[str, str, float]]:
    """Every removed text against every added one: the pairing before blocking, as (old id, new id, score)."""
    candidates: list[tuple[float, int, int]] = []
    for i, old in enumerate(removed):
        if not old.text.strip():
            continue
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(old.text)
        for j, new in enumerate(added):
            if not new.text.strip():
                continue
            matcher.set_seq1(new.text)
            if matcher.real_quick_ratio() < RENAME_THRESHOLD or matcher.quick_ratio() < RENAME_THRESHOLD:
                continue
            score = round(matcher.ratio(), 3)
            if score >= RENAME_THRESHOLD:
                candidates.append((-score, j, i))
    candidates.sort()
    pairs, used_old, used_new = [], set(), set()
    for negative, j, i in candidates:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((removed[i].id, added[j].id, -negative))
    return pairs


def suggestions_brute_force(register: Register) -> list[tuple[str, str, float]]:
    """Every old action against every new one: the suggestions before blocking, as (new id, old id, score)."""
    olds = [a for a in register.actions if a.plan == "original"]
    news = [a for a in register.actions if a.plan == "refresh"]
    linked = {(t, a.id) for a in news for t in a.continues} | {(a.id, t) for a in olds for t in a.continues}
    similarity = plans._Similarity([*olds, *news])
    scored = [
        (score, n, o)
        for n, new in enumerate(news)
        for o, old in enumerate(olds)
        if (old.id, new.id) not in linked and (score := similarity(old.id, new.id)) >= SUGGEST_THRESHOLD
    ]
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    return [(news[n].id, olds[o].id, round(score, 3)) for score, n, o in scored]


def unmatched(old: Register, new: Register) -> tuple[list[Action], list[Action]]:
    old_ids, new_ids = {a.id for a in old.actions}, {a.id for a in new.actions}
    return [a for a in old.actions if a.id not in new_ids], [a for a in new.actions if a.id not in old_ids]


def renames(
    removed: Sequence[Action], added: Sequence[Action], context: Sequence[Action] = ()
) -> list[tuple[str, str, float]]:
    return [(old.id, new.id, score) for old, new, score in versions._renames(removed, added, context)]


def suggestions(register: Register) -> list[tuple[str, str, float]]:
    found = diff_plans(register, "original", "refresh", suggest=True).suggestions
    assert found is not None
    return [(s.new_id, s.old_id, s.score) for s in found]


# --- blocking loses nothing ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_thousand() -> tuple[Register, Register]:
    return generated(2000)


def test_rename_pairing_equals_all_pairs(two_thousand: tuple[Register, Register]) -> None:
    removed, added = unmatched(*two_thousand)
    expected = renames_brute_force(removed, added)
    assert len(expected) > 30  # the generator renamed some
    assert renames(removed, added) == expected
    assert renames(removed, added, [*two_thousand[0].actions, *two_thousand[1].actions]) == expected
    assert [(r.old_id, r.new_id, r.similarity) for r in diff_versions(*two_thousand).renamed] == sorted(
        expected, key=lambda pair: [a.id for a in two_thousand[1].actions].index(pair[1])
    )


def test_suggestions_equal_all_pairs() -> None:
    register, _ = generated(600, seed=2)
    expected = suggestions_brute_force(register)
    assert len(expected) > 10
    assert suggestions(register) == expected


def test_the_shipped_register_pairs_as_before() -> None:
    shipped = load_text((ROOT / "data" / "actions.toml").read_text(encoding="utf-8"), "shipped")
    assert suggestions(shipped) == suggestions_brute_force(shipped)
    # Every action against every other (and itself), across the plans too.
    actions = list(shipped.actions)
    assert renames(actions, actions[::-1]) == renames_brute_force(actions, actions[::-1])
    olds, news = [a for a in actions if a.plan == "original"], [a for a in actions if a.plan == "refresh"]
    assert renames(olds, news) == renames_brute_force(olds, news)


# --- the work grows slower than the square of the size -------------------------------------------


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of pairs scored: rename candidates (difflib's cheapest bound) and suggestion candidates scored
    exactly (those `packed.candidates` finds, plus a link's similarity)."""
    counts = {"renames": 0, "similarity": 0}
    real_quick_ratio, call, candidates = (
        difflib.SequenceMatcher.real_quick_ratio,
        plans._Similarity.__call__,
        packed.candidates,
    )

    def counting_quick(self: difflib.SequenceMatcher[str]) -> float:
        counts["renames"] += 1
        return real_quick_ratio(self)

    def counting_call(self: plans._Similarity, a: str, b: str) -> float:
        counts["similarity"] += 1
        return call(self, a, b)

    def counting_candidates(*args: Any) -> Iterator[packed.Near]:
        for near in candidates(*args):
            counts["similarity"] += len(near.news)
            yield near

    monkeypatch.setattr(difflib.SequenceMatcher, "real_quick_ratio", counting_quick)
    monkeypatch.setattr(plans._Similarity, "__call__", counting_call)
    monkeypatch.setattr(packed, "candidates", counting_candidates)
    return counts


def test_scored_pairs_grow_sub_quadratically(counted: dict[str, int]) -> None:
    work: dict[int, dict[str, int]] = {}
    for size in (1000, 4000):
        old, new = generated(size, seed=3)
        removed, added = unmatched(old, new)
        counted.update(renames=0, similarity=0)
        versions._renames(removed, added, [*old.actions, *new.actions])
        diff_plans(old, "original", "refresh", suggest=True)
        work[size] = dict(counted, pairs=len(removed) * len(added), plan_pairs=(size // 2) ** 2)
    # 4 × the actions is about 16 × the pairs; blocking scores well under 16 × as many.
    assert work[4000]["renames"] <= 10 * work[1000]["renames"]
    assert work[4000]["similarity"] <= 10 * work[1000]["similarity"]
    assert work[4000]["renames"] < work[4000]["pairs"] / 20
    assert work[4000]["similarity"] < work[4000]["plan_pairs"] / 100


# --- properties ----------------------------------------------------------------------------------

WORDS = ("victims", "training", "police", "the", "and", "of", "case", "RASSO", "review", "joint", "data", "court")
texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)


def register_text(olds: list[str], news: list[str], links: list[tuple[int, int]]) -> str:
    actions = [
        {
            "id": f"O{i}",
            "plan": "original",
            "number": i + 1,
            "theme": "T",
            "text": text,
            "commentary": "",
            "status": "ongoing",
            "continues": [],
        }
        for i, text in enumerate(olds)
    ] + [
        {
            "id": f"R{j}",
            "plan": "refresh",
            "number": j + 1,
            "theme": "T",
            "text": text,
            "commentary": text[::-1],
            "status": "ongoing",
            "continues": sorted({f"O{o}" for o, n in links if n == j and o < len(olds)}),
        }
        for j, text in enumerate(news)
    ]
    return tomli_w.dumps(
        {
            "title": "P",
            "source": "S",
            "actions": actions,
            "plans": [{"id": "original", "title": "O", "year": 2021}, {"id": "refresh", "title": "R", "year": 2022}],
        }
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    olds=st.lists(texts, min_size=1, max_size=8),
    news=st.lists(texts, min_size=1, max_size=8),
    links=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=4),
)
def test_suggestions_equal_all_pairs_for_any_small_plans(olds: list[str], news: list[str], links: list[Any]) -> None:
    register = load_text(register_text(olds, news, links), "generated")
    assert suggestions(register) == suggestions_brute_force(register)


@settings(max_examples=60, deadline=None)
@given(
    olds=st.lists(texts, min_size=1, max_size=8),
    edits=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 11), st.sampled_from(WORDS)), max_size=6),
    seed=st.integers(0, 1000),
)
def test_renames_equal_all_pairs_for_word_edits(olds: list[str], edits: list[Any], seed: int) -> None:
    """Actions renamed and shuffled, a few words replaced: pairing finds what all pairs finds."""
    news = list(olds)
    for index, position, word in edits:
        if index < len(news):
            words = news[index].split()
            words[position % len(words)] = word
            news[index] = " ".join(words)
    random.Random(seed).shuffle(news)
    old = load_text(register_text(olds, [], []), "old")
    new = load_text(register_text([], news, []), "new")
    removed, added = list(old.actions), list(new.actions)
    assert renames(removed, added) == renames_brute_force(removed, added)


# --- word diffs of long texts --------------------------------------------------------------------


def sides(runs: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    old = [token for op, text in runs if op != "insert" for token in segment_tokens(text)]
    new = [token for op, text in runs if op != "delete" for token in segment_tokens(text)]
    return old, new


def test_long_texts_are_diffed_in_bounded_work() -> None:
    rng = random.Random(4)
    paragraphs = [" ".join(rng.choice(CORPUS) for _ in range(80)) for _ in range(400)]
    edited = list(paragraphs)
    edited[100] = "a new paragraph"
    del edited[200]
    edited.insert(300, "one more")
    old, new = "\n\n".join(paragraphs), "\n\n".join(edited)
    assert len(tokenize(old)) ** 2 > MATCH_LIMIT
    runs = word_diff(old, new)
    assert sides(runs) == (tokenize(old), tokenize(new))
    # Only the three changed paragraphs show as changes, not the whole text.
    changed = sum(len(text) for op, text in runs if op != "equal")
    assert changed < 3 * max(map(len, paragraphs)) + 40
    # One huge paragraph of one repeated word: still a valid diff, found without quadratic matching.
    repeated = ("rape " * 40_000).strip()
    runs = word_diff(f"first {repeated} last", f"{repeated} final")
    assert sides(runs) == (tokenize(f"first {repeated} last"), tokenize(f"{repeated} final"))


@settings(max_examples=100, deadline=None)
@given(
    old=st.lists(st.sampled_from((*WORDS, BREAK)), max_size=30),
    new=st.lists(st.sampled_from((*WORDS, BREAK)), max_size=30),
)
def test_short_texts_diff_as_difflib_does(old: list[str], new: list[str]) -> None:
    old_text, new_text = " ".join(old), " ".join(new)
    runs = word_diff(old_text, new_text)
    assert sides(runs) == (tokenize(old_text), tokenize(new_text))
