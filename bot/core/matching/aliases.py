"""Aliases: the words readers use for what the intents call otherwise, expanded in every text.

An alias of one word replaces that word ("putsch" -> "coup"); an alias of several words is a
phrase ("in it for" -> "gain for"), so that an idiom made only of function words does not vanish
with them when the text is reduced to its terms.
"""

from __future__ import annotations


class Aliases:
    """Alias -> expansion, applied to a text's words."""

    def __init__(self, aliases: dict[str, str]) -> None:
        self._words = {a: e for a, e in aliases.items() if " " not in a}
        # Longest phrases first, so that one inside another does not cut it.
        self._phrases = sorted(
            ((a, e) for a, e in aliases.items() if " " in a), key=lambda p: -len(p[0])
        )
        self._phrase_starts = frozenset(a.split()[0] for a, _ in self._phrases)
        self._starts = self._phrase_starts | self._words.keys()  # any alias starts so

    def expand(self, words: list[str]) -> list[str]:
        """``words`` with every alias replaced by the words of its expansion."""
        if self._starts.isdisjoint(words):  # most texts: one look
            return words
        if self._phrase_starts and not self._phrase_starts.isdisjoint(words):
            text = f" {' '.join(words)} "
            for phrase, expansion in self._phrases:
                text = text.replace(f" {phrase} ", f" {expansion} ")
            words = text.split()
        if not self._words or self._words.keys().isdisjoint(words):  # most texts: none
            return words
        return " ".join(self._words.get(word, word) for word in words).split()
