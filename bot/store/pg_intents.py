"""The PostgreSQL store's moderator-added intents (``bot.store.interface.IntentRows``).

A change commits with a NOTIFY on ``CHANNEL`` in the same transaction, so every process
listening hears of it as soon as it is visible to them; a process whose listening connection
is gone polls ``revision`` until it can listen again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from bot.store.interface import Listener
from bot.store.records import AddedIntent

log = logging.getLogger(__name__)

CHANNEL = "article_bot_intents"
NOW = "extract(epoch FROM clock_timestamp())::float8"
# A new id, or one removed before: stored. One in force: no row comes back.
ADD = f"""
INSERT INTO added_intents (id, yaml, actor, at, removed, revision)
VALUES ($1, $2, $3, {NOW}, false, nextval('added_intents_revision'))
ON CONFLICT (id) DO UPDATE SET yaml=excluded.yaml, actor=excluded.actor, at=excluded.at,
    removed=false, revision=excluded.revision
WHERE added_intents.removed
RETURNING revision
"""
REMOVE = f"""
UPDATE added_intents SET removed=true, actor=$2, at={NOW},
    revision=nextval('added_intents_revision')
WHERE id=$1 AND NOT removed
RETURNING revision
"""
# The store's guarded write: (how to run it, the statement, its parameters) -> its result.
Write = Callable[..., Awaitable[Any]]


class PgIntentRows:
    """The ``added_intents`` table of a PostgreSQL store."""

    def __init__(self, pool: asyncpg.Pool, write: Write, dsn: str, timeout_s: float) -> None:
        self._pool = pool
        self._write = write
        self._dsn = dsn
        self._timeout_s = timeout_s
        self._deaf = False  # the last try to listen failed: said once, not at every retry

    async def revision(self) -> int:
        """A number that grows with every committed change: the sum of the rows' revisions.

        Not their maximum: revisions come from a sequence, so one taken earlier may commit
        later, after a poller saw the larger one. A change always gives its row a revision
        above the row's last, so the sum grows whatever the order of commits.
        """
        sql = "SELECT coalesce(sum(revision), 0) FROM added_intents"
        return int(await self._pool.fetchval(sql))

    async def all(self) -> list[AddedIntent]:
        """Every added intent, removed ones included, by id."""
        sql = "SELECT id, yaml, actor, at, removed, revision FROM added_intents ORDER BY id"
        return [
            AddedIntent(str(i), str(y), str(a), float(t), bool(r), int(v))
            for i, y, a, t, r, v in await self._pool.fetch(sql)
        ]

    async def add(self, intent_id: str, text: str, actor: str) -> bool:
        """Store a new one (or bring back a removed one); False if one by that id is in force."""
        return await self._write(self._notified, ADD, intent_id, text, actor) is not None

    async def remove(self, intent_id: str, actor: str) -> bool:
        """Mark one removed; False if none by that id is in force."""
        return await self._write(self._notified, REMOVE, intent_id, actor) is not None

    async def _notified(self, sql: str, *params: object) -> object:
        """Run a change and, if it changed a row, NOTIFY the listeners in the same transaction."""
        async with self._pool.acquire() as connection, connection.transaction():
            revision = await connection.fetchval(sql, *params)
            if revision is not None:
                await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, str(revision))
            return revision

    async def listen(self, on_change: Callable[[], None]) -> Listener | None:
        """LISTEN on a connection of its own (a pooled one would be handed to others)."""
        try:
            connection = await asyncpg.connect(self._dsn, timeout=self._timeout_s)
            await connection.add_listener(CHANNEL, lambda *_: on_change())
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            if not self._deaf:
                why = type(exc).__name__  # not its text: it may quote the URL
                log.warning("cannot listen for intent changes (polling meanwhile): %s", why)
            self._deaf = True
            return None
        if self._deaf:
            log.info("listening for intent changes again")
        self._deaf = False
        return PgListener(connection)


class PgListener:
    """A connection LISTENing on ``CHANNEL``."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    @property
    def alive(self) -> bool:
        """False once the connection is closed or lost."""
        return not self._connection.is_closed()

    async def close(self) -> None:
        """Stop listening and close the connection."""
        if not self._connection.is_closed():
            await self._connection.close(timeout=2)
