"""Intents read into what the matcher indexes: each example as sorted terms and words, each
intent's bag of terms (examples, keywords, quoted passage), and the words seen.

A text's terms are its content words and question words, stemmed (Snowball, English).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from bot.core.intents import Intent, IntentKind, IntentSet
from bot.core.matching.semantic import NumberedWords
from bot.core.text import QUESTION_WORDS, content_tokens, normalise, tokens

# snowballstemmer hands out PyStemmer's C stemmer when it is installed, the same algorithm.
_STEMMER = snowballstemmer.stemmer("english")
Expand = Callable[[list[str]], list[str]]


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    # The vocabulary is small and questions repeat it: remember every stem.
    return str(_STEMMER.stemWord(word))


def stem_terms(words: list[str]) -> list[str]:
    """Content words and question words of a token list, stemmed."""
    return [w if w in QUESTION_WORDS else _stem(w) for w in content_tokens(words, QUESTION_WORDS)]


class _TermTable(dict[str, str]):
    """word -> its term as ``stem_terms`` gives it, or "" for a word it drops; filled on demand."""

    def __missing__(self, word: str) -> str:
        found = stem_terms([word])
        term = self[word] = found[0] if found else ""
        return term


@dataclass
class Read:
    """What ``read_intents`` found. Examples are numbered in file order; bags by intent rank."""

    terms_texts: list[str] = field(default_factory=list)
    full_texts: list[str] = field(default_factory=list)
    bags: list[tuple[str, ...]] = field(default_factory=list)
    raw_words: set[str] = field(default_factory=set)
    example_words: NumberedWords = field(default_factory=NumberedWords)
    normalised: list[str] = field(default_factory=list)
    owner: array[int] = field(default_factory=lambda: array("I"))  # each example's intent rank
    keyword_terms: set[str] = field(default_factory=set)  # answers' keywords, as terms


def read_intents(
    intents: IntentSet, ranked: list[Intent], article_text: str, expand: Expand
) -> Read:
    """Every example as token-sorted terms and words; each intent's bag; the words seen.

    Examples keep file order: the full scan breaks ties between equal scores in that order.
    Each has two forms: its terms (most questions) and all its words (for questions made
    only of function words: "who are you"). Bags are listed by intent rank (``ranked``).
    """
    rank_of = {intent.id: rank for rank, intent in enumerate(ranked)}
    read = Read()
    # A bag is a set while its intent is read, then a tuple: ten thousand sets of thirty
    # terms are ~20 MB, their tuples a seventh of that.
    read.bags = [()] * len(ranked)
    extras = _Extras(article_text, expand)
    # Each distinct word's term ("" for a function word) is worked out once: examples repeat
    # their words many times over.
    term_of = _TermTable()
    for intent in intents.intents:
        rank = rank_of[intent.id]
        bag = set(read.bags[rank])
        for example in intent.normalised_examples():
            words = expand(example.split())
            terms = list(filter(None, map(term_of.__getitem__, words)))
            bag.update(terms)
            # Token-sorted, as token_sort_ratio would sort them (tokens hold no spaces).
            full = " ".join(sorted(words))
            sorted_terms = " ".join(sorted(terms)) if terms else full
            # Equal strings share one object (no function words, no stem changed): with many
            # examples each form is megabytes of strings.
            read.terms_texts.append(full if sorted_terms == full else sorted_terms)
            read.full_texts.append(full)
            read.example_words.add(words)
            read.normalised.append(example)
            read.owner.append(rank)
        keyword_words = extras.add_to(intent, bag)
        read.raw_words.update(keyword_words)
        if intent.kind is IntentKind.ANSWER:
            read.keyword_terms.update(map(term_of.__getitem__, keyword_words))
        read.bags[rank] = tuple(bag)
    read.raw_words.update(read.example_words.number)  # every word of every example
    return read


class _Extras:
    """Keywords' and quoted passages' words and terms, worked out once per load: many intents
    quote the same sentence, and keywords repeat by the thousand."""

    def __init__(self, article_text: str, expand: Expand) -> None:
        self._article_text = article_text
        self._expand = expand
        self._memo: dict[str, tuple[list[str], list[str]]] = {}

    def add_to(self, intent: Intent, bag: set[str]) -> list[str]:
        """Add the quoted passage's and the keywords' terms to ``bag``; return keyword words."""
        if intent.span is not None:
            # The words of the quoted passage itself are evidence too: readers reuse them.
            bag.update(self._of(self._article_text[intent.span[0] : intent.span[1]])[1])
        keyword_words: list[str] = []
        for keyword in intent.keywords:
            words, terms = self._of(keyword)
            keyword_words.extend(words)
            bag.update(terms)
        return keyword_words

    def _of(self, text: str) -> tuple[list[str], list[str]]:
        found = self._memo.get(text)
        if found is None:
            words = self._expand(tokens(normalise(text)))
            found = self._memo[text] = (words, stem_terms(words))
        return found
