"""Plain records the store reads and writes: conversation keys, turns, questions, counts."""

from __future__ import annotations

from dataclasses import dataclass


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
