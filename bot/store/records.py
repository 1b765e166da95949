"""Plain records the store reads and writes: conversation keys, turns, questions, counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ConversationKey:
    """Whose conversation: state is kept per (guild, channel, user)."""

    guild: str
    channel: str
    user: str


@dataclass(frozen=True)
class TurnRecord:
    """One logged turn."""

    key: ConversationKey
    question: str
    kind: str
    intent: str | None
    section: str | None
    score: float
    answered: bool


@dataclass(frozen=True)
class UnansweredQuestion:
    """A question that got no answer, with how often it was asked."""

    question: str
    count: int
    last_at: float
    section: str | None
    last_turn_id: int


@dataclass(frozen=True)
class Stats:
    """Counts for moderators."""

    answers_by_intent: tuple[tuple[str, int], ...]
    answers_by_section: tuple[tuple[str, int], ...]
    upvotes: int
    downvotes: int
    unanswered: int
    turns: int


@dataclass(frozen=True)
class DayCounts:
    """One day's questions (a UTC calendar day) by outcome."""

    day: date
    answered: int = 0
    unanswered: int = 0
    off_topic: int = 0

    @property
    def total(self) -> int:
        """Every question of the day."""
        return self.answered + self.unanswered + self.off_topic


@dataclass(frozen=True)
class Usage:
    """What readers asked over a window of whole UTC days, for moderators' charts.

    A question is a logged turn that quoted the article (answered), was refused as off-topic,
    or found no answer (not in the article, "did you mean"); small talk, empty messages and
    the end of the article are not questions.
    """

    days: int
    by_section: tuple[tuple[str, int], ...]  # section id, questions: most asked first
    per_day: tuple[DayCounts, ...]  # every day of the window, oldest first, zeros included

    @property
    def questions(self) -> int:
        """Every question in the window."""
        return sum(d.total for d in self.per_day)
