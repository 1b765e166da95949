"""The store on a real database, each test on both backends (a SQLite file, a PostgreSQL
database) unless it names SQLite: state, turn log, feedback, audit, migrations."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.core.replies import State
from bot.errors import StoreWriteError
from bot.store.interface import Storage
from bot.store.records import ConversationKey, TurnRecord
from bot.store.sqlite import Store
from bot.store.sqlite_schema import MIGRATIONS
from tests.store.conftest import Database

ALICE = ConversationKey("g1", "c1", "alice")
BOB = ConversationKey("g1", "c1", "bob")


def turn(
    key: ConversationKey, question: str, *, answered: bool, kind: str = "answer"
) -> TurnRecord:
    """A turn record with plausible fields."""
    return TurnRecord(
        key,
        question,
        kind,
        "coup" if answered else None,
        "turkey-coup" if answered else None,
        80.0 if answered else 20.0,
        answered,
    )


async def test_schema_is_migrated_and_uses_wal(tmp_path: Path) -> None:
    """A new SQLite database gets the latest schema version and the WAL journal."""
    path = tmp_path / "bot.db"
    async with await Store.open(path) as store:
        assert await store.schema_version() == len(MIGRATIONS)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


async def test_schema_is_migrated_once(database: Database) -> None:
    """A new database gets the latest schema version; opening it again changes nothing."""
    for _ in range(2):
        async with await database.open() as store:
            assert await store.schema_version() == database.migrations


async def test_state_survives_a_restart_and_is_per_user(database: Database) -> None:
    """State saved for one user is read back after reopening, and never for another user."""
    async with await database.open() as store:
        await store.record_turn(turn(ALICE, "q", answered=True), State("coup", "turkey-coup", 42))
    async with await database.open() as store:
        assert await store.load_state(ALICE, max_age_s=60) == State("coup", "turkey-coup", 42)
        assert await store.load_state(BOB, max_age_s=60) is None
        other_channel = ConversationKey("g1", "c2", "alice")
        assert await store.load_state(other_channel, max_age_s=60) is None


async def test_state_expires(store: Storage) -> None:
    """A conversation older than the expiry starts afresh."""
    await store.record_turn(turn(ALICE, "q", answered=True), State(None, "turkey-coup", 1))
    assert await store.load_state(ALICE, max_age_s=60) == State(None, "turkey-coup", 1)
    assert await store.load_state(ALICE, max_age_s=-1) is None


async def test_a_turn_without_state_keeps_the_previous_state(store: Storage) -> None:
    """A turn that leaves the conversation where it was (no new state) does not erase it."""
    await store.record_turn(turn(ALICE, "q", answered=True), State("coup", "turkey-coup", 7))
    await store.record_turn(turn(ALICE, "weather?", answered=False, kind="off_topic"), None)
    assert await store.load_state(ALICE, max_age_s=60) == State("coup", "turkey-coup", 7)


async def test_unanswered_most_frequent_first(store: Storage) -> None:
    """Unanswered questions are grouped case-insensitively and ordered by frequency."""
    for q in ("Who won?", "who won?", "weather?", "what changed"):
        answered = q == "what changed"
        await store.record_turn(
            turn(ALICE, q, answered=answered, kind="answer" if answered else "off_topic"), None
        )
    rows = await store.unanswered()
    assert [(r.question, r.count) for r in rows] == [("who won?", 2), ("weather?", 1)]
    assert rows[0].last_turn_id < rows[1].last_turn_id  # "who won?" was last asked second
    assert all(r.last_at > 0 and r.section is None for r in rows)


async def test_feedback_one_vote_per_user_per_answer(store: Storage) -> None:
    """A second vote by the same user replaces the first; other users add theirs."""
    turn_id = await store.record_turn(turn(ALICE, "q", answered=True), None)
    assert await store.turn_owner(turn_id) == "alice"
    assert await store.turn_owner(turn_id + 1000) is None
    assert await store.record_feedback(turn_id, "bob", 1)
    assert await store.record_feedback(turn_id, "bob", -1)
    assert await store.record_feedback(turn_id, "carol", 1)
    assert await store.feedback_for(turn_id) == {"bob": -1, "carol": 1}
    assert not await store.record_feedback(9999, "bob", 1)
    stats = await store.stats()
    assert (stats.upvotes, stats.downvotes, stats.turns, stats.unanswered) == (1, 1, 1, 0)
    assert stats.answers_by_intent == (("coup", 1),)
    assert stats.answers_by_section == (("turkey-coup", 1),)


async def test_a_logged_turn_reads_back_as_written(store: Storage) -> None:
    """logged_turn returns every field of the turn; an unknown id gives None."""
    written = turn(BOB, "what happened", answered=True)
    turn_id = await store.record_turn(written, None)
    assert await store.logged_turn(turn_id) == written
    assert await store.logged_turn(turn_id + 1000) is None


async def test_hostile_text_is_stored_verbatim(store: Storage) -> None:
    """SQL-looking and emoji text is a parameter, never SQL."""
    text = "'); DROP TABLE turns; -- 🎉 @everyone"
    await store.record_turn(turn(ALICE, text, answered=False, kind="off_topic"), None)
    assert (await store.recent_turns(1))[0].question == text


async def test_audit_log(store: Storage) -> None:
    """Moderator changes are recorded with who, what and when."""
    await store.audit("mod#1", "intent.add", "added x")
    entries = await store.audit_log()
    assert [(e[1], e[2], e[3]) for e in entries] == [("mod#1", "intent.add", "added x")]
    assert entries[0][0] > 0


async def test_delivery_failures_oldest_first(store: Storage) -> None:
    """Replies that could not be posted are remembered with their turn, oldest first, cut short."""
    first = await store.record_turn(turn(ALICE, "q1", answered=True), None)
    second = await store.record_turn(turn(BOB, "q2", answered=True), None)
    await store.record_delivery_failure(second, "403 Forbidden")
    await store.record_delivery_failure(first, "x" * 2000)
    assert await store.delivery_failures() == [(second, "403 Forbidden"), (first, "x" * 500)]


async def test_concurrent_turns_share_commits_and_all_land(database: Database) -> None:
    """Hundreds of concurrent turns are all committed, with distinct ids, before callers resume."""
    async with await database.open() as store:
        keys = [ConversationKey("g", "c", f"u{n}") for n in range(100)]
        ids = await asyncio.gather(
            *(
                store.record_turn(turn(k, f"q{i}", answered=True), State("coup", "turkey-coup", i))
                for i, k in enumerate(keys * 3)
            )
        )
        assert len(set(ids)) == 300
        # Another connection sees them: committed.
        assert await database.scalar("SELECT count(*) FROM turns") == 300
        assert await database.scalar("SELECT count(*) FROM conversations") == 100


async def test_a_failed_write_is_reported_and_the_writer_goes_on(store: Storage) -> None:
    """A turn that cannot be stored raises for its caller; later turns are still stored."""
    broken = TurnRecord(ALICE, object(), "answer", None, None, 0.0, False)  # type: ignore[arg-type]
    with pytest.raises(StoreWriteError):
        await store.record_turn(broken, None)
    assert await store.record_turn(turn(BOB, "fine", answered=True), None) > 0
    assert [t.question for t in await store.recent_turns()] == ["fine"]


async def test_a_failed_write_in_a_busy_batch_fails_only_its_caller(store: Storage) -> None:
    """Among concurrent turns sharing commits, the one that cannot be stored alone fails."""
    broken = TurnRecord(ALICE, object(), "answer", None, None, 0.0, False)  # type: ignore[arg-type]
    good = [turn(BOB, f"q{n}", answered=True) for n in range(50)]
    results = await asyncio.gather(
        *(store.record_turn(t, None) for t in good[:25]),
        store.record_turn(broken, None),
        *(store.record_turn(t, None) for t in good[25:]),
        return_exceptions=True,
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1 and isinstance(failures[0], StoreWriteError)
    assert results[25] is failures[0]
    stored = {t.question for t in await store.recent_turns(limit=100)}
    assert stored == {t.question for t in good}


async def test_closing_waits_for_queued_turns(database: Database) -> None:
    """Turns queued when the store closes are committed before it is closed."""
    store = await database.open()
    pending = [
        asyncio.ensure_future(store.record_turn(turn(BOB, f"q{n}", answered=True), None))
        for n in range(200)
    ]
    await asyncio.sleep(0)  # every turn queued
    await store.close()
    assert all(p.done() and not p.exception() for p in pending)
    assert await database.scalar("SELECT count(*) FROM turns") == 200


@pytest.mark.parametrize("inline", [False, True], ids=["writer-thread", "inline"])
async def test_a_turn_is_committed_before_its_id_is_returned(tmp_path: Path, inline: bool) -> None:
    """Either way of writing: the id comes back only once another connection can read the turn,
    and a write that fails fails alone."""
    path = tmp_path / "bot.db"
    async with await Store.open(path, inline_writes=inline) as store:
        turn_id = await store.record_turn(
            turn(ALICE, "what happened", answered=True), State("coup", "turkey-coup", 3)
        )
        with sqlite3.connect(path) as other:
            row = other.execute("SELECT question FROM turns WHERE id=?", (turn_id,)).fetchone()
            assert row == ("what happened",)
            assert other.execute("SELECT count(*) FROM conversations").fetchone()[0] == 1
        broken = TurnRecord(ALICE, object(), "answer", None, None, 0.0, False)  # type: ignore[arg-type]
        with pytest.raises(StoreWriteError):
            await store.record_turn(broken, None)
        assert await store.record_turn(turn(BOB, "fine", answered=True), None) > turn_id
