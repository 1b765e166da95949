"""Store.usage on both backends: the window, the outcomes, the sections."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import pytest

from bot.store.interface import Storage
from bot.store.records import ConversationKey, DayCounts, TurnRecord
from tests.store.conftest import Database

KEY = ConversationKey("g1", "c1", "alice")
NOW = datetime(2026, 12, 5, 15, 0, tzinfo=UTC).timestamp()


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> float:
    """A moment of December 2026, UTC."""
    return datetime(2026, 12, day, hour, minute, second, tzinfo=UTC).timestamp()


async def log(
    database: Database, store: Storage, when: float, kind: str, section: str | None = None
) -> None:
    """Log a turn of ``kind`` through the store's write path, then date it ``when`` (the log
    dates turns with the clock: set it from outside, as another process could)."""
    record = TurnRecord(KEY, f"{kind} at {when}", kind, None, section, 50.0, kind == "answer")
    turn_id = await store.record_turn(record, None)
    if isinstance(database.where, Path):
        with sqlite3.connect(database.where) as db:
            db.execute("UPDATE turns SET at=? WHERE id=?", (when, turn_id))
        return
    server = await asyncpg.connect(str(database.where))
    try:
        await server.execute("UPDATE turns SET at=$1 WHERE id=$2", when, turn_id)
    finally:
        await server.close()


async def test_usage_counts_each_outcome_per_day_inside_the_window_only(
    database: Database, store: Storage
) -> None:
    """Questions are counted per UTC day and section from the window's first instant to now;
    small talk, empty and end-of-article turns are no questions; off-topic is its own count."""
    await log(database, store, at(5, 10), "answer", "turkey-coup")
    await log(database, store, at(5, 11), "answer", "what-russia-gains")
    await log(database, store, at(5, 12), "off_topic")
    await log(database, store, at(4), "not_in_article", "turkey-coup")  # midnight: in
    await log(database, store, at(3), "ambiguous", "x-section")  # the window's first instant: in
    await log(database, store, at(2, 23, 59, 59), "answer", "turkey-coup")  # a second early: out
    await log(database, store, at(5, 15, 0, 1), "answer", "turkey-coup")  # after now: out
    await log(database, store, at(5, 13), "smalltalk")
    await log(database, store, at(4, 9), "empty")
    await log(database, store, at(4, 9), "end_of_article", "turkey-coup")
    usage = await store.usage(days=3, now=NOW)
    assert usage.days == 3
    assert usage.per_day == (
        DayCounts(date(2026, 12, 3), answered=0, unanswered=1, off_topic=0),
        DayCounts(date(2026, 12, 4), answered=0, unanswered=1, off_topic=0),
        DayCounts(date(2026, 12, 5), answered=2, unanswered=0, off_topic=1),
    )
    assert usage.by_section == (("turkey-coup", 2), ("what-russia-gains", 1), ("x-section", 1))
    assert usage.questions == 5


async def test_usage_of_an_empty_log_has_every_day_at_zero(
    database: Database, store: Storage
) -> None:
    """A new database gives every day of the default 30-day window, each at zero, no section."""
    usage = await store.usage(now=NOW)
    assert len(usage.per_day) == 30 and usage.questions == 0 and usage.by_section == ()
    assert usage.per_day[-1].day == date(2026, 12, 5)
    assert usage.per_day[0].day == date(2026, 11, 6)


async def test_usage_defaults_to_the_present(database: Database, store: Storage) -> None:
    """Without ``now``, the window ends at the present and holds a turn logged just now."""
    record = TurnRecord(KEY, "coup?", "answer", "coup", "turkey-coup", 80.0, True)
    await store.record_turn(record, None)
    usage = await store.usage(days=2)  # two days: the turn may be logged just before midnight
    assert usage.per_day[-1].day == datetime.now(UTC).date()
    assert sum(d.answered for d in usage.per_day) == 1


async def test_usage_refuses_a_window_of_no_days(database: Database, store: Storage) -> None:
    """A window must hold at least one day."""
    with pytest.raises(ValueError, match="at least 1"):
        await store.usage(days=0)
