"""Question -> ranked intents with scores.

Two signals over text normalised by ``text.normalise`` and reduced to stemmed terms:
- fuzzy similarity of the question to each intent's examples (RapidFuzz ``token_sort_ratio`` on
  content words plus question words; chosen by measurement on the golden set, where WRatio
  over-rewards partial matches of short questions);
- IDF-weighted coverage of the question's terms by the intent's vocabulary (examples, keywords),
  so that one-word questions ("aleppo") and long paraphrases land.
Unknown words are first corrected against the vocabulary, so typos ("turky", "rusia") still land.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import snowballstemmer
from rapidfuzz import fuzz, process

from bot.core.intents import IntentSet
from bot.core.text import QUESTION_WORDS, STOPWORDS, content_tokens, normalise, tokens

_STEMMER = snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class MatchSettings:
    """Matching thresholds and weights (``matching`` in config.yaml)."""

    answer_threshold: float = 62.0
    suggest_threshold: float = 48.0
    ambiguity_margin: float = 2.0
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
    terms: tuple[str, ...]
    known_terms: tuple[str, ...]

    @property
    def content(self) -> tuple[str, ...]:
        """The stemmed terms that carry topic (question words excluded)."""
        return tuple(t for t in self.terms if t not in QUESTION_WORDS)


def stem_terms(words: list[str]) -> list[str]:
    """Content words and question words of a token list, stemmed."""
    return [
        w if w in QUESTION_WORDS else _STEMMER.stemWord(w)
        for w in content_tokens(words, QUESTION_WORDS)
    ]


class Matcher:
    """Ranks intents for a question; built once per intent set."""

    # Measured against WRatio, QRatio, ratio and token_set_ratio on the golden set.
    scorer = staticmethod(fuzz.token_sort_ratio)

    def __init__(self, intents: IntentSet, article_text: str, settings: MatchSettings) -> None:
        self.settings = settings
        self._aliases = intents.aliases()
        # Two forms of every example: its terms (most questions) and the whole normalised text
        # (for questions made only of function words: "who are you").
        self._examples: dict[int, str] = {}
        self._examples_full: dict[int, str] = {}
        self._example_intent: list[str] = []
        self._bags: dict[str, set[str]] = {}
        raw_words: set[str] = set()
        for intent in intents.intents:
            bag = self._bags.setdefault(intent.id, set())
            for example in intent.examples:
                words = tokens(self._expand(normalise(example)))
                raw_words.update(words)
                index = len(self._example_intent)
                self._examples[index] = " ".join(stem_terms(words)) or " ".join(words)
                self._examples_full[index] = " ".join(words)
                self._example_intent.append(intent.id)
                bag.update(stem_terms(words))
            if intent.span is not None:
                # The words of the quoted passage itself are evidence too: readers reuse them.
                quoted = article_text[intent.span[0] : intent.span[1]]
                bag.update(stem_terms(tokens(self._expand(normalise(quoted)))))
            for keyword in intent.keywords:
                words = tokens(self._expand(normalise(keyword)))
                raw_words.update(words)
                bag.update(stem_terms(words))
        document_freq: Counter[str] = Counter()
        for bag in self._bags.values():
            document_freq.update(bag)
        count = max(1, len(self._bags))
        self._idf = {t: math.log(1 + count / df) for t, df in document_freq.items()}
        # A word the bot has never seen counts against coverage, but less than a rare known word.
        self._unknown_idf = 0.6 * math.log(1 + count)
        article_words = set(tokens(normalise(article_text)))
        self._article_terms = frozenset(stem_terms(sorted(article_words)))
        self.vocabulary = frozenset(raw_words | article_words)
        self._vocab_list = sorted(w for w in self.vocabulary if len(w) > 3)

    def _expand(self, text: str) -> str:
        if not self._aliases:
            return text
        return " ".join(self._aliases.get(word, word) for word in text.split())

    def prepare(self, question: str) -> Query:
        """Normalise a question, expand aliases, correct unknown words, reduce to terms."""
        words = tokens(self._expand(normalise(question[: self.settings.max_question_chars])))
        fixed = [self._correct(w) for w in words]
        terms = stem_terms(fixed)
        known = [t for t in terms if t in self._idf and t not in QUESTION_WORDS]
        return Query(" ".join(fixed), tuple(fixed), tuple(terms), tuple(known))

    def _correct(self, word: str) -> str:
        if word in self.vocabulary or word in STOPWORDS or len(word) < 4 or word.isdigit():
            return word
        best = process.extractOne(
            word, self._vocab_list, scorer=fuzz.ratio, score_cutoff=self.settings.typo_cutoff
        )
        # "messi" is not a typo of "mess": dropping letters off the end makes another word.
        return best[0] if best is not None and not word.startswith(best[0]) else word

    def rank(self, query: Query, *, limit: int = 5) -> list[Candidate]:
        """Return up to ``limit`` intents, best first, scored 0-100."""
        fuzzy_best = self._fuzzy(query)
        coverage = self._coverage(query)
        # With no content words there is nothing to cover: the fuzzy score decides alone.
        weight = self.settings.fuzzy_weight if query.content else 1.0
        scored = []
        for intent_id in set(fuzzy_best) | set(coverage):
            fuzzy, example = fuzzy_best.get(intent_id, (0.0, ""))
            cover = coverage.get(intent_id, 0.0)
            score = round(weight * fuzzy + (1 - weight) * cover, 2)
            scored.append(Candidate(intent_id, score, fuzzy, cover, example))
        scored.sort(key=lambda c: (-c.score, c.intent_id))
        return scored[:limit]

    def _fuzzy(self, query: Query) -> dict[str, tuple[float, str]]:
        if not query.text:
            return {}
        text, choices = (
            (" ".join(query.terms), self._examples)
            if query.content
            else (query.text, self._examples_full)
        )
        results = process.extract(text, choices, scorer=self.scorer, limit=80, score_cutoff=30)
        best: dict[str, tuple[float, str]] = {}
        for example, score, index in results:
            intent_id = self._example_intent[index]
            if score > best.get(intent_id, (-1.0, ""))[0]:
                best[intent_id] = (score, self._examples_full[index] or example)
        return best

    def _coverage(self, query: Query) -> dict[str, float]:
        terms = list(dict.fromkeys(query.terms))
        if not query.content:
            return {}
        weights = {t: self._weight(t) for t in terms}
        total = sum(weights.values())
        scores: dict[str, float] = {}
        for intent_id, bag in self._bags.items():
            hit = sum(weights[t] for t in terms if t in bag)
            if hit:
                scores[intent_id] = 100.0 * hit / total
        return scores

    def _weight(self, term: str) -> float:
        idf = self._idf.get(term, self._unknown_idf)
        return 0.3 * idf if term in QUESTION_WORDS else idf

    def topic_terms(self, query: Query) -> list[str]:
        """The question's content terms that the article itself uses (its topic, if any)."""
        return [t for t in query.content if t in self._article_terms]
