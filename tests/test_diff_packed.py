"""`diff --suggest`'s packed candidate search loses no pair and its fast scoring equals the all-pairs one.

`diff.packed.candidates` bounds every cosine by packed integer dot products of rounded-up weights;
these tests hold it to exact cosines over random vectors (both ways of storing a word: packed, or a
posting list), and hold `diff_plans(..., suggest=True)` to an all-pairs reference that scores each pair
with the sums `--suggest` always used (`weight * b.get(word, 0.0)` in the old vector's word order), on
random plans and on a register written by `benchmarks/generate.py` (whose plans share one vocabulary).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jnap_cli.diff import packed, plans
from jnap_cli.diff.plans import SUGGEST_THRESHOLD, diff_plans
from jnap_cli.model.schema import Register
from jnap_cli.register.load import load_text

from .conftest import ROOT
from .test_diff_scaling import register_text

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """The cosine as `--suggest` computed it before the packed search: the reference's arithmetic."""
    dot = sum(weight * b.get(word, 0.0) for word, weight in a.items())
    norm = math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


def all_pairs(register: Register, old_plan: str, new_plan: str) -> list[tuple[str, str, float]]:
    """Every old action against every new one, scored with `cosine`: (new id, old id, score), as printed."""
    olds = [a for a in register.actions if a.plan == old_plan]
    news = [a for a in register.actions if a.plan == new_plan]
    linked = {(t, a.id) for a in news for t in a.continues} | {(a.id, t) for a in olds for t in a.continues}
    similarity = plans._Similarity([*olds, *news])  # the vectors; the scores are this file's
    scored = []
    for n, new in enumerate(news):
        for o, old in enumerate(olds):
            score = max(
                cosine(similarity.text[old.id], similarity.text[new.id]),
                cosine(similarity.both[old.id], similarity.both[new.id]),
            )
            if (old.id, new.id) not in linked and score >= SUGGEST_THRESHOLD:
                scored.append((score, n, o))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    return [(news[n].id, olds[o].id, round(score, 3)) for score, n, o in scored]


def suggested(register: Register, first: str, second: str) -> list[tuple[str, str, float]]:
    found = diff_plans(register, first, second, suggest=True).suggestions
    assert found is not None
    return [(s.new_id, s.old_id, s.score) for s in found]


# --- the candidate search against exact cosines --------------------------------------------------

WORDS = [f"w{i}" for i in range(30)]
weights = st.one_of(
    st.floats(min_value=1e-12, max_value=1e6, allow_nan=False),
    st.sampled_from([0.0, 1.0, 0.5, 1e-300, 3.0]),
)
vectors = st.dictionaries(st.sampled_from(WORDS), weights, max_size=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    olds=st.lists(vectors, max_size=12),
    news=st.lists(vectors, max_size=60),
    threshold=st.sampled_from([0.0, 0.05, SUGGEST_THRESHOLD, 0.5, 0.9, 0.999, 1.0]),
    dense=st.sampled_from([1, 128, 10**9]),  # every word packed, the default split, every word a posting list
)
def test_candidates_miss_no_pair_and_bound_every_cosine(
    olds: list[dict[str, float]], news: list[dict[str, float]], threshold: float, dense: int
) -> None:
    both_olds = [{**vector, "extra": 1.0} for vector in olds]
    both_news = [{**vector, "extra": 2.0} for vector in news]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(packed, "_DENSE", dense)
        near = list(packed.candidates([(olds, news), (both_olds, both_news)], threshold))
    assert len(near) == len(olds)
    for o, (found, bounds) in enumerate(near):
        assert found == sorted(set(found))
        for n in range(len(news)):
            exact = (cosine(olds[o], news[n]), cosine(both_olds[o], both_news[n]))
            if max(exact) >= threshold:
                assert n in found, (o, n, exact)
            if n in found:
                limits = [fields[n] * unit + packed.MARGIN for fields, unit in bounds]
                assert all(limit >= value for limit, value in zip(limits, exact, strict=True)), (o, n, exact)


def test_candidates_are_few_beyond_the_suggestions() -> None:
    # The rounding (2^-14 of a unit weight) lets through only pairs just under the threshold.
    register = load_text(generate.dumps(generate.generate(400, seed=5, plans=2)).decode(), "generated")
    olds = [a.id for a in register.actions if a.plan == "north-east"]
    news = [a.id for a in register.actions if a.plan == "north-west"]
    similarity = plans._Similarity(register.actions)
    kinds = [([vectors[i] for i in olds], [vectors[i] for i in news]) for vectors in (similarity.text, similarity.both)]
    found = sum(len(near.news) for near in packed.candidates(kinds, SUGGEST_THRESHOLD))
    reached = sum(1 for o in olds for n in news if similarity(o, n) >= SUGGEST_THRESHOLD)
    assert reached > 500
    assert reached <= found <= 1.05 * reached


def test_no_new_actions_no_candidates() -> None:
    assert [near.news for near in packed.candidates([([{"a": 1.0}], [])], SUGGEST_THRESHOLD)] == [[]]
    assert list(packed.candidates([([], [{"a": 1.0}])], SUGGEST_THRESHOLD)) == []


# --- suggestions equal the all-pairs reference ---------------------------------------------------

WORDS_OF_PLANS = ("victims", "training", "police", "the", "and", "of", "case", "RASSO", "review", "data", "Ünïcode")
texts = st.lists(st.sampled_from(WORDS_OF_PLANS), min_size=0, max_size=12).map(" ".join)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    olds=st.lists(texts.filter(str.strip), min_size=1, max_size=8),
    news=st.lists(texts.filter(str.strip), min_size=1, max_size=70),
    links=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 69)), max_size=6),
    dense=st.sampled_from([1, 128, 10**9]),
)
def test_suggestions_equal_all_pairs_exactly(
    olds: list[str], news: list[str], links: list[tuple[int, int]], dense: int
) -> None:
    register = load_text(register_text(olds, news, links), "generated")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(packed, "_DENSE", dense)
        assert suggested(register, "original", "refresh") == all_pairs(register, "original", "refresh")
        assert suggested(register, "refresh", "original") == all_pairs(register, "original", "refresh")


def test_suggestions_on_a_generated_register_with_a_shared_vocabulary() -> None:
    # benchmarks/generate.py's plans share the shipped register's words: most pairs share some.
    register = load_text(generate.dumps(generate.generate(600, seed=3, plans=2)).decode(), "generated")
    expected = all_pairs(register, "north-east", "north-west")
    assert len(expected) > 2000
    assert suggested(register, "north-east", "north-west") == expected


def test_suggestions_on_the_shipped_register() -> None:
    shipped = load_text((ROOT / "data" / "actions.toml").read_text(encoding="utf-8"), "shipped")
    assert suggested(shipped, "original", "refresh") == all_pairs(shipped, "original", "refresh")
    assert suggested(shipped, "original", "refresh") == [("R5", "O23", 0.224)]
