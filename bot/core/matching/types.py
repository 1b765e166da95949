"""The matcher's settings and results: what callers configure and what a ranking returns."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.text import QUESTION_WORDS


@dataclass(frozen=True)
class MatchSettings:
    """Matching thresholds and weights (``matching`` in config.yaml)."""

    answer_threshold: float = 48.0
    suggest_threshold: float = 40.0
    ambiguity_margin: float = 2.0
    quote_margin: float = 15.0
    clear_floor: float = 40.0
    clear_gap: float = 8.0
    fuzzy_weight: float = 0.5
    semantic_weight: float = 0.3
    semantic_floor: float = 0.3
    unknown_weight: float = 0.6
    semantic_agree: float = 0.5
    semantic_lead: float = 0.05
    typo_cutoff: float = 80.0
    context_bonus: float = 8.0
    max_suggestions: int = 3
    max_question_chars: int = 500
    index: bool = True


@dataclass(frozen=True)
class ScanLimits:
    """Up to these sizes the index scores everything (exact); past them, candidates only."""

    # Also the number of candidates scored past it: chosen by accuracy and p99 on synthetic
    # examples (benchmarks/README.md).
    examples: int = 1200
    words: int = 2000


DEFAULT_LIMITS = ScanLimits()


@dataclass(frozen=True)
class Candidate:
    """One intent's score for a question, with the example that scored best."""

    intent_id: str
    score: float
    fuzzy: float
    coverage: float
    example: str
    semantic: float = 0.0


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
