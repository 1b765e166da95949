"""The SQLite store: conversation state, the turn log, feedback, the audit trail, usage.

An aiosqlite connection per process reads; every write goes through one writer thread with a
connection of its own (``bot.store.writer``, the statements in ``bot.store.sqlite_writes``): a
turn costs one thread hop, and concurrent turns share commits. Schema, migrations by
``PRAGMA user_version`` and WAL: ``bot.store.sqlite_schema``. The rest of the bot talks to the
``Storage`` interface (``bot.store.interface``), which the PostgreSQL store implements too.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from types import TracebackType

import aiosqlite

from bot.core.replies import State
from bot.errors import StoreOpenError, StoreWriteError
from bot.store.records import (
    UNANSWERED_KINDS,
    ConversationKey,
    Stats,
    TurnRecord,
    UnansweredQuestion,
    Usage,
    fold_usage,
    stats_from,
    turn_from_row,
    unanswered_from_row,
    usage_window,
)
from bot.store.sqlite_intents import SqliteIntentRows
from bot.store.sqlite_schema import PRAGMAS, connect, prepare
from bot.store.sqlite_writes import (
    AuditWrite,
    FailureWrite,
    PruneWrite,
    TurnWrite,
    VoteWrite,
    Write,
    apply_write,
)
from bot.store.writer import GroupCommitThread, InlineWriter

STATE_CACHE = 10_000  # conversations whose state is kept in memory


class Store:
    """The bot's SQLite database; open with ``await Store.open(path)``."""

    def __init__(
        self, db: aiosqlite.Connection, path: Path, *, busy_timeout_ms: int, inline_writes: bool
    ) -> None:
        self._db = db
        self.path = path

        def writer_connection() -> sqlite3.Connection:
            return connect(path, busy_timeout_ms)

        # Every write (turns, the hot path, and votes, audit entries, delivery failures) is
        # batched into shared commits by one writer thread, or written in place where one
        # conversation has the loop to itself (the terminal). One path: one connection that
        # writes, one way a failed write becomes StoreWriteError.
        self._writes: GroupCommitThread[Write, int] | InlineWriter[Write, int] = (
            InlineWriter(writer_connection, apply_write)
            if inline_writes
            else GroupCommitThread(writer_connection, apply_write, name="store-writer")
        )
        self.added_intents = SqliteIntentRows(db, self._submit)
        # Write-through cache of conversation states (this process writes them all), so a turn
        # reads its state without a database round trip. Bounded, least recently used out.
        self._states: OrderedDict[ConversationKey, tuple[State | None, float]] = OrderedDict()

    @classmethod
    async def open(
        cls, path: Path, *, busy_timeout_ms: int = 5000, inline_writes: bool = False
    ) -> Store:
        """Open (creating if needed) and migrate the database at ``path``.

        ``inline_writes``: log turns in the caller's thread instead of the writer thread's, for
        a single conversation with nothing else on the event loop (see ``bot.store.writer``).
        Raises StoreOpenError, with every connection closed, when it cannot be used: a file
        that is not a database, a folder where SQLite cannot write its journal.
        """
        try:
            await asyncio.to_thread(prepare, path, busy_timeout_ms)
            db = await aiosqlite.connect(path)
        except (OSError, sqlite3.Error) as exc:
            raise StoreOpenError(str(path), _reason(exc)) from exc
        store = cls(db, path, busy_timeout_ms=busy_timeout_ms, inline_writes=inline_writes)
        try:
            await db.executescript(PRAGMAS.format(busy=int(busy_timeout_ms)))
            await store._writes.start()
        except (OSError, sqlite3.Error) as exc:
            # An aiosqlite connection left open keeps its thread, and so the process, alive.
            await store._writes.close()
            await db.close()
            raise StoreOpenError(str(path), _reason(exc)) from exc
        return store

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Finish queued writes, commit and close the connection."""
        await self._writes.close()
        await self._db.commit()
        await self._db.close()

    async def schema_version(self) -> int:
        """Return the schema version (``PRAGMA user_version``)."""
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def load_state(self, key: ConversationKey, *, max_age_s: float) -> State | None:
        """Return the conversation's state, or None when there is none or it has expired."""
        cached = self._states.get(key)
        if cached is None:
            cached = await self._read_state(key)
            self._remember(key, *cached)
        self._states.move_to_end(key)
        state, updated_at = cached
        if state is None or time.time() - updated_at > max_age_s:
            return None
        return state

    async def _read_state(self, key: ConversationKey) -> tuple[State | None, float]:
        sql = "SELECT state, updated_at FROM conversations WHERE guild=? AND channel=? AND user=?"
        async with self._db.execute(sql, (key.guild, key.channel, key.user)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None, 0.0
        data = json.loads(row[0])
        state = State(data.get("intent"), str(data["section"]), int(data["cursor"]))
        return state, float(row[1])

    def _remember(self, key: ConversationKey, state: State | None, updated_at: float) -> None:
        self._states[key] = (state, updated_at)
        self._states.move_to_end(key)
        if len(self._states) > STATE_CACHE:
            self._states.popitem(last=False)

    async def record_turn(self, turn: TurnRecord, state: State | None) -> int:
        """Log a turn and save the conversation state; return the turn id once committed.

        Concurrent callers share commits (group commit), so throughput grows with load while
        no caller gets an id for a turn that is not yet on disk.
        """
        turn_id = await self._submit(TurnWrite(turn, state))
        if state is not None:  # committed: the cache may now show it
            self._remember(turn.key, state, time.time())
        return turn_id

    async def logged_turn(self, turn_id: int) -> TurnRecord | None:
        """Return one logged turn, or None."""
        rows = await self._turn_rows("WHERE id=?", (turn_id,))
        return rows[0] if rows else None

    async def turn_owner(self, turn_id: int) -> str | None:
        """Return who asked a logged turn, or None if there is no such turn."""
        async with self._db.execute("SELECT user FROM turns WHERE id=?", (turn_id,)) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    async def record_feedback(self, turn_id: int, user: str, vote: int) -> bool:
        """Store a 👍 (1) or 👎 (-1); one vote per user per answer, the latest wins.

        Returns False when the turn does not exist.
        """
        return bool(await self._submit(VoteWrite(turn_id, user, 1 if vote > 0 else -1)))

    async def _submit(self, item: Write) -> int:
        """Write through the writer; its result once committed."""
        try:
            return await self._writes.submit(item)
        except sqlite3.Error as exc:  # disk full, read-only, locked past the busy timeout
            raise StoreWriteError(_reason(exc)) from exc

    async def feedback_for(self, turn_id: int) -> dict[str, int]:
        """Return the votes on one answer, by user."""
        sql = "SELECT user, vote FROM feedback WHERE turn_id=?"
        async with self._db.execute(sql, (turn_id,)) as cursor:
            return {str(u): int(v) async for u, v in cursor}

    async def recent_turns(self, limit: int = 50) -> list[TurnRecord]:
        """Return the latest turns, newest first."""
        return await self._turn_rows("ORDER BY id DESC LIMIT ?", (limit,))

    async def _turn_rows(self, tail: str, params: tuple[object, ...]) -> list[TurnRecord]:
        sql = (
            "SELECT guild, channel, user, question, kind, intent, section, score, answered"
            f" FROM turns {tail}"
        )
        async with self._db.execute(sql, params) as cursor:
            return [turn_from_row(r) for r in await cursor.fetchall()]

    async def unanswered(self, limit: int = 10) -> list[UnansweredQuestion]:
        """Return questions that got no answer, most frequent first."""
        sql = (
            "SELECT lower(trim(question)) AS q, count(*) AS n, max(at), max(section), max(id)"
            f" FROM turns WHERE answered=0 AND kind IN {UNANSWERED_KINDS!r}"
            " GROUP BY q ORDER BY n DESC, max(at) DESC LIMIT ?"
        )
        async with self._db.execute(sql, (limit,)) as cursor:
            return [unanswered_from_row(r) for r in await cursor.fetchall()]

    async def stats(self) -> Stats:
        """Return answers per intent and section, feedback totals and the unanswered count."""
        by_intent = await self._pairs(
            "SELECT intent, count(*) FROM turns WHERE answered=1 AND intent IS NOT NULL"
            " GROUP BY intent ORDER BY count(*) DESC, intent"
        )
        by_section = await self._pairs(
            "SELECT section, count(*) FROM turns WHERE answered=1 AND section IS NOT NULL"
            " GROUP BY section ORDER BY count(*) DESC, section"
        )
        counts = await self._pairs(
            "SELECT 'up', count(*) FROM feedback WHERE vote=1 UNION ALL"
            " SELECT 'down', count(*) FROM feedback WHERE vote=-1 UNION ALL"
            " SELECT 'unanswered', count(*) FROM turns WHERE answered=0 UNION ALL"
            " SELECT 'turns', count(*) FROM turns"
        )
        return stats_from(by_intent, by_section, dict(counts))

    async def _pairs(self, sql: str, params: Sequence[object] = ()) -> list[tuple[str, int]]:
        async with self._db.execute(sql, params) as cursor:
            return [(str(a), int(b)) async for a, b in cursor]

    async def record_delivery_failure(self, turn_id: int, error: str) -> None:
        """Remember that the reply to a logged turn could not be posted (after retries)."""
        await self._submit(FailureWrite(turn_id, error[:500]))

    async def delivery_failures(self) -> list[tuple[int, str]]:
        """Return (turn id, error) of replies that could not be posted, oldest first."""
        sql = "SELECT turn_id, error FROM delivery_failures ORDER BY rowid"
        async with self._db.execute(sql) as cursor:
            return [(int(t), str(e)) async for t, e in cursor]

    async def audit(self, actor: str, action: str, detail: str) -> None:
        """Record a moderator's change (who, when, what)."""
        await self._submit(AuditWrite(actor, action, detail))

    async def prune(self, before: float) -> int:
        """Delete turns logged before ``before`` (with their votes and delivery failures) and
        conversations idle since then; return how many turns went."""
        return await self._submit(PruneWrite(before))

    async def audit_log(self, limit: int = 20) -> list[tuple[float, str, str, str]]:
        """Return the latest audit entries, newest first."""
        sql = "SELECT at, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?"
        async with self._db.execute(sql, (limit,)) as cursor:
            return [(float(a), str(b), str(c), str(d)) async for a, b, c, d in cursor]

    async def usage(self, days: int = 30, now: float | None = None) -> Usage:
        """Return questions per section and per day (answered, unanswered, off-topic) over the
        last ``days`` whole UTC days, the day of ``now`` (default: the present) included.

        Raises ValueError when ``days`` is under 1.
        """
        now = time.time() if now is None else now
        first, since = usage_window(days, now)
        # "answered IN (0, 1)" lets SQLite range-scan the (answered, at) index for the window
        # instead of reading a log that grows for months.
        sql = (
            "SELECT date(at, 'unixepoch'), section, CASE WHEN answered=1 THEN 'answered'"
            " WHEN kind='off_topic' THEN 'off_topic' ELSE 'unanswered' END, count(*)"
            " FROM turns WHERE answered IN (0, 1) AND at >= ? AND at <= ?"
            f" AND (answered=1 OR kind IN {UNANSWERED_KINDS!r})"
            " GROUP BY 1, 2, 3"
        )
        async with self._db.execute(sql, (since, now)) as cursor:
            rows = await cursor.fetchall()
        return fold_usage(days, first, ((date.fromisoformat(r[0]), *r[1:]) for r in rows))


def _reason(exc: BaseException) -> str:
    """An error as one line for people: SQLite's own words, or the OS's."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        return f"{exc.strerror}: {exc.filename}"
    return text
