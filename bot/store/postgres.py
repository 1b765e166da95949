"""The store on PostgreSQL, for a bot run by several processes or machines: the same interface
and behaviour as ``bot.store.sqlite.Store`` (``bot.store.interface.Storage``), over asyncpg.

A pool of connections per process. Every write is one statement in its own transaction, so an id
handed back is a committed turn; PostgreSQL shares WAL flushes among concurrent commits, which
does for the pool what the SQLite store's writer thread does by hand. Nothing is cached: another
process may have moved a conversation on since this one last saw it. Times are the server's
clock, the same for every machine. Migrations run under an advisory lock: of processes starting
together, one migrates and the others find the work done.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import asyncpg

from bot.core.replies import State
from bot.errors import StoreOpenError, StoreWriteError
from bot.store.pg_intents import PgIntentRows
from bot.store.pg_schema import migrate
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
from bot.store.url import redact_url, secrets_in

log = logging.getLogger(__name__)

# What a driver raises for an unreachable, refusing or failing server, or a value it cannot send.
DRIVER_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
    TimeoutError,
)
NOW = "extract(epoch FROM clock_timestamp())::float8"
TURN_COLUMNS = "guild, channel, user_id, question, kind, intent, section, score, answered"

# One statement, so one round trip and one transaction: the turn, and the conversation's state
# unless the turn leaves it unchanged (an older write arriving late never overwrites a newer).
INSERT_TURN = f"""
WITH t AS (
    INSERT INTO turns (at, {TURN_COLUMNS})
    VALUES ({NOW}, $1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, at
), s AS (
    INSERT INTO conversations (guild, channel, user_id, state, updated_at)
    SELECT $1, $2, $3, $10::jsonb, t.at FROM t WHERE $10::jsonb IS NOT NULL
    ON CONFLICT (guild, channel, user_id) DO UPDATE
        SET state = excluded.state, updated_at = excluded.updated_at
        WHERE conversations.updated_at <= excluded.updated_at
)
SELECT id FROM t
"""


# One statement, so one transaction: a turn never outlives its votes' removal or the reverse.
PRUNE = """
WITH old AS (SELECT id FROM turns WHERE at < $1),
  votes AS (DELETE FROM feedback WHERE turn_id IN (SELECT id FROM old)),
  failed AS (DELETE FROM delivery_failures WHERE turn_id IN (SELECT id FROM old)),
  idle AS (DELETE FROM conversations WHERE updated_at < $1),
  gone AS (DELETE FROM turns WHERE id IN (SELECT id FROM old) RETURNING 1)
SELECT count(*) FROM gone
"""


class PostgresStore:
    """The bot's PostgreSQL database; open with ``await PostgresStore.open(url)``."""

    def __init__(self, pool: asyncpg.Pool, url: str, timeout_s: float = 10.0) -> None:
        self._pool = pool
        self._dsn = url  # to scrub its password from errors' text
        self.added_intents = PgIntentRows(pool, self._write, url, timeout_s)
        self.url = redact_url(url)  # for messages: never the password
        # Writes under way, which close() lets finish: the pool would fail those still waiting
        # for a connection.
        self._writing = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False

    @classmethod
    async def open(cls, url: str, *, pool_size: int = 10, timeout_s: float = 10.0) -> PostgresStore:
        """Connect to ``url`` and migrate its schema.

        Raises StoreOpenError, naming the URL without its password, when the server cannot be
        reached, refuses the login, lacks the database or cannot be migrated. ``timeout_s``
        bounds connecting and each statement, so a server that stops answering is an error
        rather than a hang.
        """
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=1,
                max_size=pool_size,
                timeout=timeout_s,
                command_timeout=timeout_s,
                # Explicit, whatever the database's default: an acknowledged turn is committed.
                server_settings={"synchronous_commit": "on", "application_name": "article-bot"},
            )
        except (*DRIVER_ERRORS, ValueError) as exc:
            raise StoreOpenError(redact_url(url), _reason(exc, url)) from exc
        try:
            async with pool.acquire() as connection:
                await migrate(connection)
        except DRIVER_ERRORS as exc:
            await pool.close()
            raise StoreOpenError(redact_url(url), _reason(exc, url)) from exc
        return cls(pool, url, timeout_s)

    async def __aenter__(self) -> PostgresStore:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Let every write already asked for commit (or fail), then close the pool."""
        self._closing = True
        await self._idle.wait()
        await self._pool.close()

    async def schema_version(self) -> int:
        """Return the number of migrations applied."""
        version = await self._pool.fetchval("SELECT coalesce(max(version), 0) FROM schema_version")
        return int(version)

    async def load_state(self, key: ConversationKey, *, max_age_s: float) -> State | None:
        """Return the conversation's state, or None when there is none or it has expired.

        A server that cannot be reached is logged and reads as no state: the question is still
        answered, and ``record_turn`` then reports that it could not be saved.
        """
        sql = (
            f"SELECT state, {NOW} - updated_at FROM conversations"
            " WHERE guild=$1 AND channel=$2 AND user_id=$3"
        )
        try:
            row = await self._pool.fetchrow(sql, key.guild, key.channel, key.user)
        except DRIVER_ERRORS as exc:
            log.warning("conversation state not read: %s", _reason(exc, self._dsn))
            return None
        if row is None or float(row[1]) > max_age_s:
            return None
        data = json.loads(row[0])
        return State(data.get("intent"), str(data["section"]), int(data["cursor"]))

    async def record_turn(self, turn: TurnRecord, state: State | None) -> int:
        """Log a turn and save the conversation state; return the turn id once committed."""
        blob = None
        if state is not None:
            blob = json.dumps(
                {"intent": state.intent_id, "section": state.section_id, "cursor": state.cursor}
            )
        key = turn.key
        values = (turn.question, turn.kind, turn.intent, turn.section, turn.score, turn.answered)
        return int(await self._write(self._pool.fetchval, INSERT_TURN, *key_of(key), *values, blob))

    async def logged_turn(self, turn_id: int) -> TurnRecord | None:
        """Return one logged turn, or None."""
        rows = await self._turn_rows("WHERE id=$1", turn_id)
        return rows[0] if rows else None

    async def turn_owner(self, turn_id: int) -> str | None:
        """Return who asked a logged turn, or None if there is no such turn."""
        owner = await self._pool.fetchval("SELECT user_id FROM turns WHERE id=$1", turn_id)
        return None if owner is None else str(owner)

    async def record_feedback(self, turn_id: int, user: str, vote: int) -> bool:
        """Store a 👍 (1) or 👎 (-1); one vote per user per answer, the latest wins.

        Returns False when the turn does not exist.
        """
        sql = (
            f"INSERT INTO feedback (turn_id, user_id, vote, at) VALUES ($1, $2, $3, {NOW})"
            " ON CONFLICT (turn_id, user_id) DO UPDATE SET vote=excluded.vote, at=excluded.at"
        )
        try:
            await self._write(self._pool.execute, sql, turn_id, user, 1 if vote > 0 else -1)
        except StoreWriteError as exc:
            if isinstance(exc.__cause__, asyncpg.ForeignKeyViolationError):
                return False
            raise
        return True

    async def feedback_for(self, turn_id: int) -> dict[str, int]:
        """Return the votes on one answer, by user."""
        sql = "SELECT user_id, vote FROM feedback WHERE turn_id=$1"
        return {str(u): int(v) for u, v in await self._pool.fetch(sql, turn_id)}

    async def recent_turns(self, limit: int = 50) -> list[TurnRecord]:
        """Return the latest turns, newest first."""
        return await self._turn_rows("ORDER BY id DESC LIMIT $1", limit)

    async def _turn_rows(self, tail: str, *params: object) -> list[TurnRecord]:
        rows = await self._pool.fetch(f"SELECT {TURN_COLUMNS} FROM turns {tail}", *params)
        return [turn_from_row(tuple(r)) for r in rows]

    async def unanswered(self, limit: int = 10) -> list[UnansweredQuestion]:
        """Return questions that got no answer, most frequent first."""
        sql = (
            "SELECT lower(trim(question)) AS q, count(*) AS n, max(at), max(section), max(id)"
            " FROM turns WHERE NOT answered AND kind = ANY($2::text[])"
            " GROUP BY q ORDER BY n DESC, max(at) DESC LIMIT $1"
        )
        rows = await self._pool.fetch(sql, limit, list(UNANSWERED_KINDS))
        return [unanswered_from_row(tuple(r)) for r in rows]

    async def usage(self, days: int = 30, now: float | None = None) -> Usage:
        """Return questions per section and per day (answered, unanswered, off-topic) over the
        last ``days`` whole UTC days, the day of ``now`` (default: the present) included."""
        now = time.time() if now is None else now
        first, since = usage_window(days, now)
        sql = (
            "SELECT (to_timestamp(at) AT TIME ZONE 'UTC')::date, section, CASE WHEN answered"
            " THEN 'answered' WHEN kind='off_topic' THEN 'off_topic' ELSE 'unanswered' END,"
            " count(*) FROM turns WHERE at >= $1 AND at <= $2"
            " AND (answered OR kind = ANY($3::text[])) GROUP BY 1, 2, 3"
        )
        rows = await self._pool.fetch(sql, since, now, list(UNANSWERED_KINDS))
        return fold_usage(days, first, (tuple(r) for r in rows))

    async def stats(self) -> Stats:
        """Return answers per intent and section, feedback totals and the unanswered count."""
        by_intent = await self._pairs(
            "SELECT intent, count(*) FROM turns WHERE answered AND intent IS NOT NULL"
            " GROUP BY intent ORDER BY count(*) DESC, intent"
        )
        by_section = await self._pairs(
            "SELECT section, count(*) FROM turns WHERE answered AND section IS NOT NULL"
            " GROUP BY section ORDER BY count(*) DESC, section"
        )
        counts = await self._pairs(
            "SELECT 'up', count(*) FROM feedback WHERE vote=1 UNION ALL"
            " SELECT 'down', count(*) FROM feedback WHERE vote=-1 UNION ALL"
            " SELECT 'unanswered', count(*) FROM turns WHERE NOT answered UNION ALL"
            " SELECT 'turns', count(*) FROM turns"
        )
        return stats_from(by_intent, by_section, dict(counts))

    async def _pairs(self, sql: str) -> list[tuple[str, int]]:
        return [(str(a), int(b)) for a, b in await self._pool.fetch(sql)]

    async def record_delivery_failure(self, turn_id: int, error: str) -> None:
        """Remember that the reply to a logged turn could not be posted (after retries)."""
        sql = f"INSERT INTO delivery_failures (turn_id, at, error) VALUES ($1, {NOW}, $2)"
        await self._write(self._pool.execute, sql, turn_id, error[:500])

    async def delivery_failures(self) -> list[tuple[int, str]]:
        """Return (turn id, error) of replies that could not be posted, oldest first."""
        rows = await self._pool.fetch("SELECT turn_id, error FROM delivery_failures ORDER BY id")
        return [(int(t), str(e)) for t, e in rows]

    async def audit(self, actor: str, action: str, detail: str) -> None:
        """Record a moderator's change (who, when, what)."""
        sql = f"INSERT INTO audit (at, actor, action, detail) VALUES ({NOW}, $1, $2, $3)"
        await self._write(self._pool.execute, sql, actor, action, detail)

    async def audit_log(self, limit: int = 20) -> list[tuple[float, str, str, str]]:
        """Return the latest audit entries, newest first."""
        sql = "SELECT at, actor, action, detail FROM audit ORDER BY id DESC LIMIT $1"
        rows = await self._pool.fetch(sql, limit)
        return [(float(a), str(b), str(c), str(d)) for a, b, c, d in rows]

    async def prune(self, before: float) -> int:
        """Delete turns logged before ``before`` (with their votes and delivery failures) and
        conversations idle since then; return how many turns went."""
        return int(await self._write(self._pool.fetchval, PRUNE, before))

    async def _write(self, run: Callable[..., Awaitable[Any]], sql: str, *params: object) -> Any:
        """Run one write; a server that is gone or refuses it raises StoreWriteError."""
        if self._closing:
            raise RuntimeError("the store is closed")
        self._writing += 1
        self._idle.clear()
        try:
            return await run(sql, *params)
        except DRIVER_ERRORS as exc:
            raise StoreWriteError(_reason(exc, self._dsn)) from exc
        finally:
            self._writing -= 1
            if not self._writing:
                self._idle.set()


def key_of(key: ConversationKey) -> tuple[str, str, str]:
    """A conversation key as the first three parameters of a statement."""
    return key.guild, key.channel, key.user


def _reason(exc: BaseException, url: str) -> str:
    """A driver error as one line for people, with no password in it."""
    if isinstance(exc, TimeoutError):
        text = "the server did not answer in time"
    elif isinstance(exc, OSError) and exc.errno and exc.errno > 0:
        text = os.strerror(exc.errno)  # asyncio's own words are "Connect call failed (addr)"
    elif isinstance(exc, OSError) and exc.strerror:  # a name lookup's error (negative numbers)
        text = exc.strerror
    else:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for secret in secrets_in(url):
        text = text.replace(secret, "***")
    return text
