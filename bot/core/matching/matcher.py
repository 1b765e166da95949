"""Question -> ranked intents with scores.

Two signals over text normalised by ``text.normalise`` and reduced to stemmed terms:
- fuzzy similarity of the question to each intent's examples (RapidFuzz ``token_sort_ratio`` on
  content words plus question words; chosen by measurement on the golden set, where WRatio
  over-rewards partial matches of short questions); the best 40 examples count;
- IDF-weighted coverage of the question's terms by the intent's vocabulary (examples, keywords),
  so that one-word questions ("aleppo") and long paraphrases land.
Unknown words are first corrected against the vocabulary, so typos ("turky", "rusia") still land.

The definition is a full scan of every example, intent and word (``MatchSettings.index = False``
runs exactly that, as the reference). The index (``bot.core.matching.index``,
``bot.core.matching.spelling``) gives
the same results while the examples and words fit ``ScanLimits``; past them it scores only the
likeliest candidates, so the cost of a question stays flat as moderators add intents. Coverage is
exact at any size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

from rapidfuzz import fuzz, process

from bot.core.intents import IntentSet
from bot.core.matching.aliases import Aliases
from bot.core.matching.index import (
    CoverageIndex,
    ExampleIndex,
    Scored,
    token_sorted,
)
from bot.core.matching.reading import read_intents, stem_terms
from bot.core.matching.semantic import NumberedWords, SemanticIndex, WordVectors, load_vectors
from bot.core.matching.shorthand import SHORTHAND
from bot.core.matching.spelling import Speller, is_english
from bot.core.matching.types import DEFAULT_LIMITS, Candidate, MatchSettings, Query, ScanLimits
from bot.core.text import QUESTION_WORDS, STOPWORDS, normalise, tokens

# The examples a question is compared with: the best this many, scoring at least the cutoff.
# (40, not 80: the same golden and held-out reports, question by question, and with many
# examples more accuracy at less cost; benchmarks/README.md.)
FUZZY_LIMIT = 40
FUZZY_CUTOFF = 30
# Examples shown as a candidate's best match, remembered (normalising again is not free).
DISPLAY_MEMO = 4096


class Matcher:
    """Ranks intents for a question; built once per intent set."""

    # Measured against WRatio, QRatio, ratio and token_set_ratio on the golden set.
    scorer = staticmethod(fuzz.token_sort_ratio)

    def __init__(
        self,
        intents: IntentSet,
        article_text: str,
        settings: MatchSettings,
        *,
        limits: ScanLimits = DEFAULT_LIMITS,
        vectors: WordVectors | None = None,
    ) -> None:
        self.settings = settings
        self._limits = limits
        # An intent's own alias wins over chat shorthand.
        self._aliases = Aliases({**SHORTHAND, **intents.aliases()})
        ranked = sorted(intents.intents, key=lambda i: i.id)
        read = read_intents(intents, ranked, article_text, self._aliases.expand)
        self._normalised = read.normalised
        self._owner = read.owner  # each example's intent rank
        self._shown: dict[int, str] = {}
        self._semantic = SemanticIndex(vectors or load_vectors(), read.example_words, self._owner)
        read.example_words = NumberedWords()  # megabytes with many examples: free them first
        terms_texts, full_texts, bags = read.terms_texts, read.full_texts, read.bags
        self._terms = ExampleIndex(terms_texts)
        self._full = ExampleIndex(full_texts)
        self._coverage = CoverageIndex([i.id for i in ranked], bags)
        count = max(1, len(ranked))
        self._idf = {
            t: math.log(1 + count / self._coverage.frequency(t)) for t in self._coverage.masks
        }
        # A word the bot has never seen counts against coverage, but less than a rare known word.
        self._unknown_idf = settings.unknown_weight * math.log(1 + count)
        article_words = set(tokens(normalise(article_text)))
        self._article_terms = frozenset(stem_terms(sorted(article_words)))
        # What readers call the quotes' topics: the article's words and the answers' keywords
        # (the header's "headline", "gist" or "byline" are no words of the article's text).
        self._named_terms = self._article_terms | (read.keyword_terms - {""})
        self.vocabulary = frozenset(read.raw_words | article_words)
        scan_words = limits.words if settings.index else len(self.vocabulary)
        self._speller = Speller(self.vocabulary, settings.typo_cutoff, scan_words)

    def state(self) -> dict[str, Any]:
        """What ``restored`` needs besides the intents, for a snapshot (attribute -> value).

        The examples are the intents' own, so they are left out; shown examples are a memo.
        """
        return {k: {} if k == "_shown" else v for k, v in vars(self).items() if k != "_normalised"}

    @classmethod
    def restored(cls, state: dict[str, Any], intents: IntentSet) -> Matcher:
        """The matcher whose ``state()`` gave ``state``, over the intents it was built from."""
        matcher = cls.__new__(cls)
        matcher.__dict__.update(state)
        # In the order ``read_intents`` numbered them.
        matcher._normalised = [e for i in intents.intents for e in i.normalised_examples()]
        return matcher

    def _words(self, text: str) -> list[str]:
        return self._aliases.expand(tokens(normalise(text)))

    def prepare(self, question: str) -> Query:
        """Normalise a question, expand aliases, correct unknown words, reduce to terms.

        ``question`` is capped by whoever read it (``Engine.read``), not here again.
        """
        words = self._words(question)
        fixed = [self._correct(w) for w in words]
        terms = stem_terms(fixed)
        known = [t for t in terms if t in self._idf and t not in QUESTION_WORDS]
        return Query(" ".join(fixed), tuple(fixed), tuple(terms), tuple(known))

    def _correct(self, word: str) -> str:
        if word in self.vocabulary or word in STOPWORDS or len(word) < 4 or word.isdigit():
            return word
        if is_english(word):
            return word
        best = self._speller.best(word)
        # "messi" is not a typo of "mess": dropping letters off the end makes another word.
        return best if best is not None and not word.startswith(best) else word

    def rank(self, query: Query, *, limit: int = 5) -> list[Candidate]:
        """Return up to ``limit`` intents, best first, scored 0-100."""
        fuzzy_best = self._fuzzy(query)
        # With no content words there is nothing to cover: the fuzzy score decides alone.
        weight = self.settings.fuzzy_weight if query.content else 1.0
        terms = list(dict.fromkeys(query.terms)) if query.content else []
        weights = {t: self._weight(t) for t in terms}
        total = sum(weights.values())

        hits = self._coverage.hits(fuzzy_best, terms, weights)

        def cover(rank: int) -> float:
            hit = hits[rank] if rank in hits else self._coverage.hit(rank, terms, weights)
            return 100.0 * hit / total if hit else 0.0

        scored = [
            (r, round(weight * fuzzy + (1 - weight) * cover(r), 2))
            for r, (fuzzy, _) in fuzzy_best.items()
        ]
        if terms:

            def by_hit(hit: float) -> float:
                return round(weight * 0.0 + (1 - weight) * (100.0 * hit / total), 2)

            scored += self._covered(scored, terms, weights, by_hit, limit)
        meaning = self._meaning(query, scored, limit, lambda r: round((1 - weight) * cover(r), 2))
        fused = sorted(self._fuse(scored, meaning), key=lambda pair: (-pair[1], pair[0]))
        out = []
        for r, value in fused[:limit]:
            fuzzy, example = fuzzy_best.get(r, (0.0, -1))
            text = self._display(example) if example >= 0 else ""
            sense = meaning.get(r, 0.0)
            out.append(Candidate(self._coverage.ids[r], value, fuzzy, cover(r), text, sense))
        return out

    def _fuse(self, scored: list[Scored], meaning: dict[int, float]) -> list[Scored]:
        """Lexical scores blended with the semantic similarity (``semantic_weight``)."""
        share, floor = self.settings.semantic_weight, self.settings.semantic_floor
        if share <= 0:
            return scored
        fused = []
        for r, lexical in scored:
            # Unrelated texts still come out at a cosine of 0.3-0.5: up to the floor is noise.
            sense = max(0.0, meaning.get(r, 0.0) - floor) / (1.0 - floor)
            fused.append((r, round((1 - share) * lexical + share * 100.0 * sense, 2)))
        return fused

    def _meaning(
        self, query: Query, scored: list[Scored], limit: int, lexical: Callable[[int], float]
    ) -> dict[int, float]:
        """Semantic similarity of the candidates; intents close in meaning join ``scored``.

        An intent that shares no letters with the question but means the same (the best
        ``limit`` by meaning) joins with ``lexical(rank)``: its coverage alone (no fuzzy), the
        same value it has when coverage brings it in, so the index ranks as the full scan does.
        """
        if self.settings.semantic_weight <= 0:
            return {}
        vector = self._semantic.question(query.words)
        meaning = self._semantic.scores(vector, (r for r, _ in scored), best=limit)
        seen = {r for r, _ in scored}
        closest = sorted((r for r in meaning if r not in seen), key=lambda r: -meaning[r])
        scored.extend((r, lexical(r)) for r in closest[:limit])
        return meaning

    def _display(self, example: int) -> str:
        """An example as matched (normalised, aliases expanded), remembered once shown."""
        text = self._shown.get(example)
        if text is None:
            if len(self._shown) >= DISPLAY_MEMO:
                self._shown.clear()
            words = self._aliases.expand(tokens(self._normalised[example]))
            text = self._shown[example] = " ".join(words)
        return text

    def _covered(
        self,
        scored: list[Scored],
        terms: list[str],
        weights: dict[str, float],
        by_hit: Callable[[float], float],
        limit: int,
    ) -> list[Scored]:
        """Intents with no example among the best, ranked by coverage alone: the ``limit`` best."""
        seen = {r for r, _ in scored}
        if not self.settings.index:
            everyone = range(len(self._coverage.ids))
            hits = ((r, self._coverage.hit(r, terms, weights)) for r in everyone)
            return [(r, by_hit(h)) for r, h in hits if h and r not in seen]
        values = sorted((s for _, s in scored), reverse=True)
        floor = values[limit - 1] if len(values) >= limit else -math.inf
        exclude = sum(1 << r for r in seen)
        best = self._coverage.best
        return best(terms, weights, by_hit, limit=limit, floor=floor, exclude=exclude)

    def _fuzzy(self, query: Query) -> dict[int, tuple[float, int]]:
        """Intent rank -> (its best example's score, that example) among the best examples."""
        if not query.text:
            return {}
        if query.content:
            text, index, words = " ".join(query.terms), self._terms, query.terms
        else:
            text, index, words = query.text, self._full, query.words
        if self.settings.index:
            found = index.top(
                token_sorted(text),
                words,
                limit=FUZZY_LIMIT,
                cutoff=FUZZY_CUTOFF,
                budget=self._limits.examples,
            )
        else:
            results = process.extract(
                text, index.texts, scorer=self.scorer, limit=FUZZY_LIMIT, score_cutoff=FUZZY_CUTOFF
            )
            found = [(example, score) for _, score, example in results]
        best: dict[int, tuple[float, int]] = {}
        for example, score in found:
            owner = self._owner[example]
            if score > best.get(owner, (-1.0, 0))[0]:
                best[owner] = (score, example)
        return best

    def _weight(self, term: str) -> float:
        idf = self._idf.get(term, self._unknown_idf)
        return 0.3 * idf if term in QUESTION_WORDS else idf

    def users_of(self, term: str) -> Iterator[str]:
        """Ids of the intents whose examples, keywords or quote use this (stemmed) term."""
        mask, ids = self._coverage.masks.get(term, 0), self._coverage.ids
        return (ids[r] for r in range(mask.bit_length()) if mask >> r & 1)

    def topic_terms(self, query: Query) -> list[str]:
        """The question's content terms that the article itself uses (its topic, if any)."""
        return [t for t in query.content if t in self._article_terms]

    def named_terms(self, query: Query) -> list[str]:
        """The question's content terms that the article or an answer's keywords use."""
        return [t for t in query.content if t in self._named_terms]
