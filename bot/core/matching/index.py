"""Candidate indexes for the matcher: which examples to score, and coverage by bitsets.

``ExampleIndex`` holds every example as a token-sorted string, so ``fuzz.ratio`` on it equals
``fuzz.token_sort_ratio`` on the original (which re-sorts both sides on every call, five times
slower). Up to ``budget`` examples it scores them all, exactly as a full scan; above, it scores
the examples that share the question's rarest words first, then those of the commoner words whose
length is closest to the question's, ``budget`` in all. Any example sharing two of the question's
words is among them unless the two commonest words alone overflow the budget.

``CoverageIndex`` keeps, for every term, the set of intents whose bag holds it as a bitset over
intents ranked by id. The intents a question covers best are found exactly, at any scale, by a
branch-and-bound walk over which of the question's terms an intent holds.
"""

from __future__ import annotations

import bisect
import heapq
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from rapidfuzz import fuzz, process

Scored = tuple[int, float]


def token_sorted(text: str) -> str:
    """``text``'s space-separated tokens in sorted order, as token_sort_ratio compares them."""
    return " ".join(sorted(text.split()))


def pack_texts(texts: list[str]) -> tuple[str, int] | list[str]:
    """``texts`` as one string and a count, for pickling (as is if a text holds a newline).

    A snapshot (``bot.core.loading.snapshot``) then pickles one string instead of a hundred
    thousand: faster both ways, and the pickler's memo of every object it wrote stays small.
    """
    joined = "\n".join(texts)
    return (joined, len(texts)) if joined.count("\n") == max(0, len(texts) - 1) else texts


def unpack_texts(packed: tuple[str, int] | list[str]) -> list[str]:
    """The list ``pack_texts`` packed."""
    if isinstance(packed, list):
        return packed
    joined, count = packed
    return joined.split("\n") if count else []


class PackedTexts:
    """A list of texts to pickle as ``pack_texts`` packs it; it unpickles as the plain list.

    The joined string (megabytes with many examples) is made only while the pickler writes this
    object: a snapshot written part by part (``bot.core.loading.snapshot``) then holds one such
    string
    at a time, not every one of its parts' at once.
    """

    __slots__ = ("texts",)

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts

    def __reduce__(self) -> tuple[Any, ...]:
        return (unpack_texts, (pack_texts(self.texts),))


class ExampleIndex:
    """Token-sorted example strings with postings from each token to the examples holding it."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        lengths = list(map(len, texts))
        if max(lengths, default=0) > 0xFFFF:  # capped to 16 bits: lengths only order postings
            lengths = [min(n, 0xFFFF) for n in lengths]
        self._lengths = array("H", lengths)
        # Postings are ordered by example length (ties by example) so the commonest words can
        # give up a window: filled in that order, they need no sorting. The order comes from
        # buckets, not one sort: a reload builds this in a thread, and sorting every example
        # in one call would hold the GIL (and so the event loop) that long.
        by_length: defaultdict[int, list[int]] = defaultdict(list)
        for index, length in enumerate(lengths):
            by_length[length].append(index)
        lists: defaultdict[str, list[int]] = defaultdict(list)
        for length in sorted(by_length):
            for index in by_length[length]:
                for token in texts[index].split():
                    lists[token].append(index)  # a token twice in a text: the set of ids dedupes
        self._postings = {token: array("I", ids) for token, ids in lists.items()}

    def __len__(self) -> int:
        return len(self.texts)

    def __getstate__(self) -> dict[str, Any]:
        # Packed, like the texts: tens of thousands of small arrays pickled one by one cost time
        # and pickler memo; three objects cost next to nothing.
        postings = self._postings
        ids = array("I")
        for found in postings.values():
            ids.extend(found)
        packed = ("\n".join(postings), array("I", map(len, postings.values())), ids)
        return {**self.__dict__, "texts": PackedTexts(self.texts), "_postings": packed}

    def __setstate__(self, state: dict[str, Any]) -> None:
        joined, sizes, ids = state["_postings"]
        postings: dict[str, array[int]] = {}
        start = 0
        # Tokens come from str.split(): none is empty or holds a newline.
        for token, size in zip(joined.split("\n") if joined else [], sizes, strict=True):
            postings[token] = ids[start : start + size]
            start += size
        self.__dict__.update(state, _postings=postings)

    def postings(self, token: str) -> int:
        """How many examples hold ``token``."""
        ids = self._postings.get(token)
        return 0 if ids is None else len(ids)

    def top(
        self, query: str, tokens: Iterable[str], *, limit: int, cutoff: float, budget: int
    ) -> list[Scored]:
        """The ``limit`` best (example, fuzz.ratio) pairs at or above ``cutoff``.

        Best first, ties in example order: the same list as a full scan whenever the examples fit
        the budget, or the candidates hold the full scan's best ``limit``.
        """
        if len(self.texts) <= budget:
            found = process.extract(
                query, self.texts, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff
            )
            return [(index, score) for _, score, index in found]
        chosen = list(self.candidates(tokens, len(query), budget))
        if not chosen:
            return []
        # itemgetter gathers the scattered strings faster than a comprehension.
        choices = itemgetter(*chosen)(self.texts) if len(chosen) > 1 else [self.texts[chosen[0]]]
        found = process.extract(query, choices, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff)
        # Equal scores in example order, as in a full scan (but for ties at the very end).
        return sorted(((chosen[k], score) for _, score, k in found), key=lambda p: (-p[1], p[0]))

    def candidates(self, tokens: Iterable[str], length: int, budget: int) -> set[int]:
        """Up to about ``budget`` examples sharing a token, rarest tokens first."""
        lists = sorted(
            (ids for ids in (self._postings.get(t) for t in set(tokens)) if ids is not None),
            key=len,
        )
        chosen: set[int] = set()
        room = budget
        for ids in lists:
            if len(ids) <= room:
                chosen.update(ids)
                room -= len(ids)
                continue
            # The closest lengths score highest on ratio: take a window around the question's.
            middle = bisect.bisect_left(ids, length, key=self._lengths.__getitem__)
            start = max(0, min(middle - room // 2, len(ids) - room))
            chosen.update(ids[start : start + room])
            break
        return chosen


class CoverageIndex:
    """Intent bags as bitsets: bit ``r`` of a term's mask is set when intent ranked ``r`` holds it.

    Intents are ranked by id, so the lowest set bits of a mask are the ids that sort first: the
    order ties are broken in.
    """

    def __init__(self, ids: Sequence[str], bags: Sequence[Iterable[str]]) -> None:
        if list(ids) != sorted(ids):
            raise ValueError("intents must be ranked by id")
        self.ids = list(ids)
        masks: dict[str, int] = {}
        for rank, bag in enumerate(bags):
            bit = 1 << rank
            for term in set(bag):
                masks[term] = masks.get(term, 0) | bit
        self.masks = masks

    def frequency(self, term: str) -> int:
        """How many intents hold ``term``."""
        return self.masks.get(term, 0).bit_count()

    def hit(self, rank: int, terms: Sequence[str], weights: Mapping[str, float]) -> float:
        """The summed weight of ``terms`` that intent ``rank`` holds (in the order given)."""
        masks = self.masks
        return sum(weights[t] for t in terms if masks.get(t, 0) >> rank & 1)

    def hits(
        self, ranks: Iterable[int], terms: Sequence[str], weights: Mapping[str, float]
    ) -> dict[int, float]:
        """``hit`` of many intents at once: each term's bitset is read as bytes, once."""
        size = (len(self.ids) + 7) // 8
        rows = [
            (weights[t], self.masks[t].to_bytes(size, "little")) for t in terms if t in self.masks
        ]
        return {r: sum(w for w, bits in rows if bits[r >> 3] >> (r & 7) & 1) for r in ranks}

    def best(
        self,
        terms: Sequence[str],
        weights: Mapping[str, float],
        score: Callable[[float], float],
        *,
        limit: int,
        floor: float,
        exclude: int = 0,
    ) -> list[Scored]:
        """The ``limit`` best (rank, score) of intents holding any term, ``exclude`` left out.

        ``score`` turns an intent's hit (see ``hit``) into its score; it must grow with the hit.
        Intents scoring below ``floor`` may be left out: the caller has ``limit`` better ones.
        """
        known = sorted((t for t in set(terms) if t in self.masks), key=lambda t: (-weights[t], t))
        # A term asked twice counts twice (as in ``hit``): bounds weigh it so.
        counted = {t: weights[t] * terms.count(t) for t in known}
        reach = [0.0] * (len(known) + 1)
        for i in range(len(known) - 1, -1, -1):
            reach[i] = reach[i + 1] + counted[known[i]]
        everyone = 0
        for term in known:
            everyone |= self.masks[term]
        walk = _Walk(self, terms, weights, counted, score, limit, floor)
        walk.visit(known, reach, 0, everyone & ~exclude, 0.0, ())
        return sorted(((-neg, s) for s, neg in walk.heap), key=lambda p: (-p[1], p[0]))


class _Walk:
    """Branch and bound over which known terms an intent holds; keeps the best ``limit``."""

    # Bounds are summed in another order than the exact scores: leave room for rounding.
    SLACK = 0.02

    def __init__(
        self,
        index: CoverageIndex,
        terms: Sequence[str],
        weights: Mapping[str, float],
        counted: Mapping[str, float],
        score: Callable[[float], float],
        limit: int,
        floor: float,
    ) -> None:
        self.index, self.terms, self.weights, self.score = index, terms, weights, score
        self.counted = counted
        self.limit, self.floor = limit, floor
        # Min-heap of (score, -rank): the root is the worst kept, the one a newcomer must beat.
        self.heap: list[tuple[float, int]] = []

    def visit(
        self,
        known: list[str],
        reach: list[float],
        depth: int,
        mask: int,
        held: float,
        holding: tuple[str, ...],
    ) -> None:
        """Split ``mask`` on term ``known[depth]``: the intents holding it, then the others."""
        if self.score(held + reach[depth]) < self.floor - self.SLACK:
            return
        if depth == len(known):
            self._keep(mask, holding)
            return
        term = known[depth]
        term_mask = self.index.masks[term]
        inside, outside = mask & term_mask, mask & ~term_mask
        if inside:
            weight = self.counted[term]
            self.visit(known, reach, depth + 1, inside, held + weight, (*holding, term))
        if outside:
            self.visit(known, reach, depth + 1, outside, held, holding)

    def _keep(self, mask: int, holding: tuple[str, ...]) -> None:
        """Every intent in ``mask`` holds exactly ``holding``: keep the lowest ranks."""
        held = set(holding)
        hit = sum(self.weights[t] for t in self.terms if t in held)
        value = self.score(hit)
        heap = self.heap
        for _ in range(self.limit):
            if not mask:
                break
            low = mask & -mask
            mask ^= low
            item = (value, -(low.bit_length() - 1))
            if len(heap) < self.limit:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heapreplace(heap, item)
            else:
                break  # higher ranks in this mask lose the tie too
        if len(heap) == self.limit:
            self.floor = max(self.floor, heap[0][0])
