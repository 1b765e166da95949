"""Plain records the store reads and writes: conversation keys, turns, questions, counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any


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
class AddedIntent:
    """A moderator-added intent as the database keeps it: its YAML document, who last changed
    it and when, and whether it was removed (a removed one stays as a row, so a host that was
    away learns to delete its copy). ``revision`` grows with every change of any of them."""

    id: str
    text: str
    actor: str
    at: float
    removed: bool
    revision: int


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


# What the turn log's kinds count as in Usage: answered turns, and of the others only those a
# reader would call unanswered (off-topic is its own share); small talk and empty ones not at all.
UNANSWERED_KINDS = ("off_topic", "not_in_article", "ambiguous")


def usage_window(days: int, now: float) -> tuple[date, float]:
    """The first UTC day of a ``days``-day window ending on the day of ``now``, and its start
    as a timestamp. Raises ValueError when ``days`` is under 1."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    first = datetime.fromtimestamp(now, UTC).date() - timedelta(days=days - 1)
    return first, datetime.combine(first, datetime.min.time(), UTC).timestamp()


def fold_usage(days: int, first: date, rows: Iterable[tuple[date, str | None, str, int]]) -> Usage:
    """Usage from (day, section, outcome, count) rows, every day of the window present."""
    sections: Counter[str] = Counter()
    seen = {first + timedelta(days=n): Counter[str]() for n in range(days)}
    for day, section, outcome, count in rows:
        seen[day][outcome] += int(count)
        if section is not None:
            sections[str(section)] += int(count)
    per_day = tuple(
        DayCounts(day, c["answered"], c["unanswered"], c["off_topic"]) for day, c in seen.items()
    )
    by_section = tuple(sorted(sections.items(), key=lambda pair: (-pair[1], pair[0])))
    return Usage(days, by_section, per_day)


# Rows to records, the same for every backend (each backend's SQL selects these columns in order).


def turn_from_row(r: Sequence[Any]) -> TurnRecord:
    """A turn from (guild, channel, user, question, kind, intent, section, score, answered)."""
    key = ConversationKey(r[0], r[1], r[2])
    return TurnRecord(key, r[3], r[4], r[5], r[6], float(r[7]), bool(r[8]))


def unanswered_from_row(r: Sequence[Any]) -> UnansweredQuestion:
    """An unanswered question from (question, times, last asked, section, last turn id)."""
    return UnansweredQuestion(str(r[0]), int(r[1]), float(r[2]), r[3], int(r[4]))


def stats_from(
    by_intent: Sequence[tuple[str, int]],
    by_section: Sequence[tuple[str, int]],
    counts: Mapping[str, int],
) -> Stats:
    """Stats from the answer counts and the ``up``/``down``/``unanswered``/``turns`` totals."""
    return Stats(
        tuple(by_intent),
        tuple(by_section),
        counts["up"],
        counts["down"],
        counts["unanswered"],
        counts["turns"],
    )
