"""Typo correction against the bot's vocabulary, with a deletion index for large vocabularies.

The answer is defined by a full scan: ``process.extractOne(word, sorted_vocabulary,
scorer=fuzz.ratio, score_cutoff=cutoff)``, so the best-scoring word wins and ties go to the word
that sorts first. A full scan is cheap for the article's thousand words but not for every
unknown word once moderators have added ten thousand.

Above ``scan_limit`` words the scan is narrowed with a deletion index (as in SymSpell): two words
are ``i + j`` edits apart in fuzz.ratio's Indel distance when deleting ``i`` letters from one and
``j`` from the other leaves their longest common subsequence. Indexing every word with up to one
deletion and looking the typo up with up to two finds every word with ``i <= 2, j <= 1``: a letter
dropped, doubled, swapped, replaced, or two slips on the typed side. Only the candidates it finds
are scored, with the same scorer and the same tie rule, so a found word scores exactly as in the
full scan; a word further away (two letters lost from a long word) is not found. Corrections are
memoised: the same typo is asked again and again.
"""

from __future__ import annotations

import gzip
import importlib.util
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import msgpack
from rapidfuzz import fuzz, process

# Words shorter than this are never corrected, nor offered as corrections.
MIN_LENGTH = 4
# Memoised corrections kept before the memo starts afresh.
MEMO_SIZE = 1 << 16
# A word at least this frequent in English (wordfreq's Zipf scale: 3 is once per million words)
# is a word, not a typo: "stock" is never "corrected" to the article's "shock".
ENGLISH_ZIPF = 3.0


@lru_cache(maxsize=1)
def load_english() -> frozenset[str]:
    """The common English words, from wordfreq's "small" list in its wheel, read once.

    The file is read directly (gzipped msgpack: a header, then one list of words per centibel of
    frequency, most frequent first): importing wordfreq pulls in ftfy and friends, which took
    longer than reading the list. The composition root reads it at start; anything else gets it
    at the first unknown word.
    """
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("wordfreq is not installed")
    path = Path(spec.origin).parent / "data" / "small_en.msgpack.gz"
    with gzip.open(path, "rb") as packed:
        header, *buckets = msgpack.unpack(packed, raw=False)
    if header.get("format") != "cB" or header.get("version") != 1:
        raise ValueError(f"{path}: not a wordfreq cBpack file")
    # Bucket i holds the words of frequency 10 ** (-i / 100); Zipf z means 10 ** (z - 9).
    last = round((9 - ENGLISH_ZIPF) * 100)
    return frozenset(word for bucket in buckets[: last + 1] for word in bucket)


def is_english(word: str) -> bool:
    """Whether ``word`` is a common English word (so never taken for a typo)."""
    return word in load_english()


def deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made by deleting up to ``depth`` of its letters."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:k] + w[k + 1 :] for w in frontier for k in range(len(w))}
        found |= frontier
    return found


class Speller:
    """Corrects an unknown word to the closest known one, or leaves it alone."""

    def __init__(self, vocabulary: Iterable[str], cutoff: float, scan_limit: int) -> None:
        self.cutoff = cutoff
        self.words = sorted(w for w in vocabulary if len(w) >= MIN_LENGTH)
        self.indexed = len(self.words) > scan_limit
        # variant -> the words it comes from, space-separated: one string per key keeps it small.
        self._variants: dict[str, str] = {}
        if self.indexed:
            for word in self.words:
                for variant in deletions(word, 1):
                    prior = self._variants.get(variant)
                    self._variants[variant] = word if prior is None else f"{prior} {word}"
        self._memo: dict[str, str | None] = {}

    def __getstate__(self) -> dict[str, object]:
        # The memo is a cache, and is filled while a snapshot is pickled in another thread.
        return {**self.__dict__, "_memo": {}}

    def best(self, word: str) -> str | None:
        """The closest known word scoring at least ``cutoff``, as a full scan would pick it."""
        if word in self._memo:
            return self._memo[word]
        choices = self._candidates(word) if self.indexed else self.words
        found = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=self.cutoff)
        result = found[0] if found is not None else None
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()
        self._memo[word] = result
        return result

    def _candidates(self, word: str) -> list[str]:
        """Known words within the deletion index's reach, in vocabulary (sorted) order."""
        found: set[str] = set()
        for variant in deletions(word, 2):
            words = self._variants.get(variant)
            if words is not None:
                found.update(words.split(" "))
        return sorted(found)
