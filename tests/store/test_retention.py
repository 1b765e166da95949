"""Retention: turns older than retention_days go, with their votes and delivery failures, on
both backends; newer ones, and the bot, stay."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import asyncpg
import pytest

from bot.config import load_config
from bot.errors import ConfigError
from bot.retention import DAY, keep_pruning, prune_old_turns
from bot.store.interface import Storage
from bot.store.records import ConversationKey, TurnRecord
from tests.store.conftest import Database

KEY = ConversationKey("g", "c", "reader")


async def logged(database: Database, store: Storage, question: str, days_ago: float) -> int:
    """A turn with a vote and a delivery failure, dated ``days_ago`` (set from outside)."""
    turn_id = await store.record_turn(
        TurnRecord(KEY, question, "answer", "x", "s", 80.0, True), None
    )
    await store.record_feedback(turn_id, "voter", 1)
    await store.record_delivery_failure(turn_id, "503")
    when = time.time() - days_ago * DAY
    if isinstance(database.where, Path):
        with sqlite3.connect(database.where) as db:
            db.execute("UPDATE turns SET at=? WHERE id=?", (when, turn_id))
    else:
        server = await asyncpg.connect(str(database.where))
        try:
            await server.execute("UPDATE turns SET at=$1 WHERE id=$2", when, turn_id)
        finally:
            await server.close()
    return turn_id


async def test_old_turns_go_with_their_votes_and_failures(
    database: Database, store: Storage
) -> None:
    """A prune at 90 days deletes the 100-day-old turn, its vote and its delivery failure, and
    keeps the 10-day-old one whole; a second prune finds nothing."""
    old = await logged(database, store, "an old question", 100)
    new = await logged(database, store, "a new question", 10)
    assert await prune_old_turns(store, 90) == 1
    assert [t.question for t in await store.recent_turns()] == ["a new question"]
    assert await store.logged_turn(old) is None
    assert await store.feedback_for(old) == {} and await store.feedback_for(new) == {"voter": 1}
    assert await store.delivery_failures() == [(new, "503")]
    assert await prune_old_turns(store, 90) == 0


async def test_the_background_task_prunes_at_once_and_stops_when_cancelled(
    database: Database, store: Storage
) -> None:
    """keep_pruning deletes old turns as soon as it starts, then sleeps; cancelling ends it."""
    await logged(database, store, "an old question", 40)
    task = asyncio.create_task(keep_pruning(store, 30, every=3600))
    for _ in range(200):
        if not await store.recent_turns():
            break
        await asyncio.sleep(0.01)
    assert await store.recent_turns() == []
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_retention_days_is_checked(tmp_path: Path) -> None:
    """retention_days defaults to 90, null keeps turns for ever, and zero is a located error."""
    path = tmp_path / "config.yaml"
    path.write_text("", encoding="utf-8")
    assert load_config(path, environ={}).retention_days == 90
    path.write_text("retention_days: null\n", encoding="utf-8")
    assert load_config(path, environ={}).retention_days is None
    path.write_text("reload_seconds: 2\nretention_days: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.yaml:2: retention_days: must be above 0"):
        load_config(path, environ={})
