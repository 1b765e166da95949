"""Question -> ranked intents with scores.

Two signals, both over text normalised by ``text.normalise``:
- fuzzy similarity of the question to each intent's examples (RapidFuzz, scorer chosen by
  measurement on the golden set: token_sort_ratio on content words beats WRatio on short
  questions, which WRatio over-rewards through partial matches);
- IDF-weighted coverage of the question's content words by the intent's vocabulary (examples and
  keywords), which lets one- and two-word questions ("turkey coup?") and long paraphrases land.
Unknown words are first corrected against the vocabulary, so typos ("turky", "rusia") still land.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.intents import IntentSet
from bot.core.text import STOPWORDS, content_tokens, normalise, tokens


@dataclass(frozen=True)
class MatchSettings:
    """Matching thresholds and weights (``matching`` in config.yaml)."""

    answer_threshold: float = 62.0
    suggest_threshold: float = 48.0
    ambiguity_margin: float = 3.0
    fuzzy_weight: float = 0.5
    typo_cutoff: float = 80.0
    context_bonus: float = 8.0
    max_suggestions: int = 3
    max_question_chars: int = 500


@dataclass(frozen=True)
class Candidate:
    """One intent's score for a question, with the example that scored best."""

    intent_id: str
    score: float
    fuzzy: float
    coverage: float
    example: str


@dataclass(frozen=True)
class Query:
    """A question prepared for matching: normalised, aliases expanded, typos corrected."""

    text: str
    words: tuple[str, ...]
    content: tuple[str, ...]
    known_content: tuple[str, ...]


class Matcher:
    """Ranks intents for a question; built once per intent set."""

    def __init__(self, intents: IntentSet, article_text: str, settings: MatchSettings) -> None:
        self.settings = settings
        self._aliases = intents.aliases()
        # Two forms of every example: content words only (most questions) and the whole
        # normalised text (for questions made only of function words: "who are you").
        self._examples: dict[int, str] = {}
        self._examples_full: dict[int, str] = {}
        self._example_intent: list[str] = []
        bags: dict[str, Counter[str]] = {}
        for intent in intents.intents:
            bag = bags.setdefault(intent.id, Counter())
            for example in intent.examples:
                norm = self._expand(normalise(example))
                index = len(self._example_intent)
                self._examples[index] = " ".join(content_tokens(tokens(norm))) or norm
                self._examples_full[index] = norm
                self._example_intent.append(intent.id)
                bag.update(set(tokens(norm)))
            for keyword in intent.keywords:
                bag.update(set(tokens(self._expand(normalise(keyword)))))
        self._bags = bags
        document_freq: Counter[str] = Counter()
        for bag in bags.values():
            document_freq.update(bag.keys())
        count = max(1, len(bags))
        self._idf = {w: math.log(1 + count / df) for w, df in document_freq.items()}
        self._unknown_idf = math.log(1 + count)
        article_words = set(tokens(normalise(article_text)))
        self.vocabulary = frozenset(document_freq) | article_words
        self._vocab_list = sorted(w for w in self.vocabulary if len(w) > 2)

    def _expand(self, text: str) -> str:
        if not self._aliases:
            return text
        return " ".join(self._aliases.get(word, word) for word in text.split())

    def prepare(self, question: str) -> Query:
        """Normalise a question, expand aliases and correct words the bot does not know."""
        words = tokens(self._expand(normalise(question[: self.settings.max_question_chars])))
        fixed = [self._correct(w) for w in words]
        content = content_tokens(fixed)
        known = [w for w in content if w in self._idf]
        return Query(" ".join(fixed), tuple(fixed), tuple(content), tuple(known))

    def _correct(self, word: str) -> str:
        if word in self.vocabulary or word in STOPWORDS or len(word) < 3 or word.isdigit():
            return word
        best = process.extractOne(
            word, self._vocab_list, scorer=fuzz.ratio, score_cutoff=self.settings.typo_cutoff
        )
        return best[0] if best is not None else word

    def rank(self, query: Query, *, limit: int = 5) -> list[Candidate]:
        """Return up to ``limit`` intents, best first, scored 0-100."""
        fuzzy_best = self._fuzzy(query)
        coverage = self._coverage(query)
        # With no content words there is nothing to cover: the fuzzy score decides alone.
        weight = self.settings.fuzzy_weight if query.content else 1.0
        ids = set(fuzzy_best) | set(coverage)
        scored = [
            Candidate(
                intent_id,
                round(weight * fuzzy_best.get(intent_id, (0.0, ""))[0]
                      + (1 - weight) * coverage.get(intent_id, 0.0), 2),
                fuzzy_best.get(intent_id, (0.0, ""))[0],
                coverage.get(intent_id, 0.0),
                fuzzy_best.get(intent_id, (0.0, ""))[1],
            )
            for intent_id in ids
        ]
        scored.sort(key=lambda c: (-c.score, c.intent_id))
        return scored[:limit]

    def _fuzzy(self, query: Query) -> dict[str, tuple[float, str]]:
        if not query.text:
            return {}
        text, choices = (
            (" ".join(query.content), self._examples)
            if query.content
            else (query.text, self._examples_full)
        )
        results = process.extract(
            text, choices, scorer=fuzz.token_sort_ratio, limit=60, score_cutoff=30
        )
        best: dict[str, tuple[float, str]] = {}
        for example, score, index in results:
            intent_id = self._example_intent[index]
            if score > best.get(intent_id, (-1.0, ""))[0]:
                best[intent_id] = (score, example)
        return best

    def _coverage(self, query: Query) -> dict[str, float]:
        words = list(dict.fromkeys(query.content))
        if not words:
            return {}
        weights = {w: self._idf.get(w, self._unknown_idf) for w in words}
        total = sum(weights.values())
        scores: dict[str, float] = {}
        for intent_id, bag in self._bags.items():
            hit = sum(weights[w] for w in words if w in bag)
            if hit:
                scores[intent_id] = 100.0 * hit / total
        return scores

    def topic_words(self, query: Query) -> list[str]:
        """Return the question's content words that the article or the intents use."""
        return [w for w in query.content if w in self.vocabulary]

    def intents_sharing(self, words: Iterable[str]) -> Counter[str]:
        """Count, per intent, how many of ``words`` its vocabulary contains."""
        counts: Counter[str] = Counter()
        for intent_id, bag in self._bags.items():
            counts[intent_id] = sum(1 for w in words if w in bag)
        return counts
