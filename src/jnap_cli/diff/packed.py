"""Which pairs of two sets of word vectors may have a cosine at or above a threshold: packed dot products.

Why not an inverted index: on plans that share a vocabulary (a generated register reuses the shipped
one's thousand words for thousands of actions) nearly every pair shares words, and an index makes
Python take Σ over words of (old vectors with it) × (new vectors with it) steps. Here each word's
weights over all the new vectors are packed into one Python int, `_FIELD` bits a vector, so that a
single multiply-add in C adds an old vector's word to its dot products with every new vector at once;
four more big-int operations read off which of them reach the threshold. Words in few new vectors (a
growing vocabulary's long tail) keep a posting list instead: packing them would cost memory for
nothing. The weights are unit-vector weights rounded up to whole multiples of 2^-bits, so a packed
dot product is never below the true cosine: no pair at the threshold is missed; the few pairs just
under it are dropped when scored exactly.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterator, Mapping, Sequence
from itertools import compress
from typing import NamedTuple

_FIELD = 32  # bits a new vector takes in a packed int; the top one reads off the threshold test
_TOP = 1 << (_FIELD - 1)
_BITS = 14  # rounding of unit weights: the bound is at most about ‖a‖₁ + ‖b‖₁ ≈ 2·√words units of 2^-14 high
# A word is packed when in at least one new vector in this many, else a posting list: a posting costs
# about 100 ns of Python, a packed multiply-add about 1.2 ns a new vector (6 µs for 5,000).
_DENSE = 128
MARGIN = 1e-9  # keeps the bound safe from rounding: a cosine is computed to about 1e-15
_CODE = next(code for code in "IL" if array(code).itemsize == _FIELD // 8)

Vector = Mapping[str, float]


def _rounded_up(vector: Vector, scale: int) -> dict[str, int]:
    """The vector scaled to length `scale`, each weight rounded up; zero weights (words in every action) left out."""
    norm = math.sqrt(sum(weight * weight for weight in vector.values()))
    return {word: math.ceil(weight / norm * scale) for word, weight in vector.items() if weight > 0} if norm else {}


def _bits(olds: Sequence[Vector], news: Sequence[Vector]) -> int:
    """The finest rounding whose dot products fit a field below its top bit (Cauchy–Schwarz on rounded lengths)."""
    longest = [max((len(vector) for vector in vectors), default=0) for vectors in (olds, news)]
    bits = _BITS
    while (
        bits and (1.001 * 2**bits + math.sqrt(longest[0]) + 1) * (1.001 * 2**bits + math.sqrt(longest[1]) + 1) >= _TOP
    ):
        bits -= 1
    return bits


class _Packed:
    """The new vectors of one kind, packed by word; `dots` gives an old vector's rounded dot products with all."""

    def __init__(self, olds: Sequence[Vector], news: Sequence[Vector]) -> None:
        self.bits = _bits(olds, news)
        scale = 1 << self.bits
        self.olds = [_rounded_up(vector, scale) for vector in olds]
        self.count = len(news)
        postings: dict[str, list[tuple[int, int]]] = {}
        for n, vector in enumerate(news):
            for word, weight in _rounded_up(vector, scale).items():
                postings.setdefault(word, []).append((n, weight))
        self.dense: dict[str, int] = {}
        self.sparse: dict[str, list[tuple[int, int]]] = {}
        for word, listed in postings.items():
            if len(listed) * _DENSE >= self.count:
                fields = array(_CODE, bytes(self.count * _FIELD // 8))
                for n, weight in listed:
                    fields[n] = weight
                self.dense[word] = _packed(fields)
            else:
                self.sparse[word] = listed
        self.zeros = array(_CODE, bytes(self.count * _FIELD // 8))

    def dots(self, o: int) -> int:
        """The old vector `o`'s rounded-up dot products with every new vector, packed (never below the true ones)."""
        total = 0
        rest: array[int] | None = None
        dense, sparse = self.dense, self.sparse
        for word, weight in self.olds[o].items():
            packed = dense.get(word)
            if packed is not None:
                total += weight * packed
            elif word in sparse:
                if rest is None:
                    rest = self.zeros[:]
                for n, other in sparse[word]:
                    rest[n] += weight * other
        return total if rest is None else total + _packed(rest)


def _packed(fields: array[int]) -> int:
    if sys.byteorder == "big":
        fields = array(_CODE, fields)
        fields.byteswap()
    return int.from_bytes(fields.tobytes(), "little")


class Near(NamedTuple):
    """An old vector's candidates (new indexes, ascending) and, for each kind, a bound on every cosine.

    A kind's bound is (fields, unit): `fields[n] * unit + MARGIN` is never below the cosine with new `n`.
    """

    news: list[int]
    bounds: list[tuple[array[int], float]]


def candidates(kinds: Sequence[tuple[Sequence[Vector], Sequence[Vector]]], threshold: float) -> Iterator[Near]:
    """For each old vector in turn, the new vectors whose cosine may reach `threshold` (0–1) in any kind.

    `kinds` are (old vectors, new vectors) of the same actions, e.g. of the text and of text and
    commentary: a pair is a candidate when any kind's cosine may reach the threshold; none that
    reaches it is left out. Each bound (of a new index) is never below that pair's cosine as computed.
    """
    olds_count = len(kinds[0][0]) if kinds else 0
    news_count = len(kinds[0][1]) if kinds else 0
    if not news_count:
        yield from (Near([], []) for _ in range(olds_count))
        return
    step = _FIELD // 8
    ones = int.from_bytes((b"\x01" + bytes(step - 1)) * news_count, "little")  # 1 in every field
    packs = [_Packed(olds, news) for olds, news in kinds]
    # Adding a lift to a field sets its top bit exactly when the field is at least the threshold's floor
    # (fields stay below the top bit: a threshold above 1 lifts nothing).
    floors = [min(_TOP, max(0, math.floor((threshold - MARGIN) * (1 << (2 * pack.bits))))) for pack in packs]
    lifts = [(_TOP - floor) * ones for floor in floors]
    units = [1.0 / (1 << (2 * pack.bits)) for pack in packs]
    top = ones * _TOP
    everyone = range(news_count)
    width = news_count * step
    for o in range(olds_count):
        reached, dots = 0, []
        for pack, lift in zip(packs, lifts, strict=True):
            dot = pack.dots(o)
            dots.append(dot)
            reached |= dot + lift
        reached &= top
        if not reached:
            yield Near([], [])
            continue
        # Each field's top bit is the top bit of its last byte (little-endian): one byte a new vector.
        near = list(compress(everyone, reached.to_bytes(width, "little")[step - 1 :: step]))
        yield Near(near, [_bound(dot, width, unit) for dot, unit in zip(dots, units, strict=True)])


def _bound(dot: int, width: int, unit: float) -> tuple[array[int], float]:
    fields = array(_CODE, dot.to_bytes(width, "little"))
    if sys.byteorder == "big":
        fields.byteswap()
    return fields, unit
