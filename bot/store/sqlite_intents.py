"""The SQLite store's moderator-added intents (``bot.store.interface.IntentRows``).

Written through the store's one writer like everything else; read on the store's connection.
SQLite cannot tell other processes of a change: they poll ``revision``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiosqlite

from bot.store.interface import Listener
from bot.store.records import AddedIntent
from bot.store.sqlite_writes import IntentWrite, Write


class SqliteIntentRows:
    """The ``added_intents`` table of a SQLite store."""

    def __init__(self, db: aiosqlite.Connection, submit: Callable[[Write], Awaitable[int]]) -> None:
        self._db = db
        self._submit = submit

    async def revision(self) -> int:
        """A number that grows with every committed change: the sum of the rows' revisions (a
        change replaces a row's revision with a greater one, or adds a row)."""
        async with self._db.execute("SELECT coalesce(sum(revision), 0) FROM added_intents") as c:
            row = await c.fetchone()
        return int(row[0]) if row else 0

    async def all(self) -> list[AddedIntent]:
        """Every added intent, removed ones included, by id."""
        sql = "SELECT id, yaml, actor, at, removed, revision FROM added_intents ORDER BY id"
        async with self._db.execute(sql) as cursor:
            return [
                AddedIntent(str(i), str(y), str(a), float(t), bool(r), int(v))
                async for i, y, a, t, r, v in cursor
            ]

    async def add(self, intent_id: str, text: str, actor: str) -> bool:
        """Store a new one (or bring back a removed one); False if one by that id is in force."""
        return bool(await self._submit(IntentWrite(intent_id, text, actor)))

    async def remove(self, intent_id: str, actor: str) -> bool:
        """Mark one removed; False if none by that id is in force."""
        return bool(await self._submit(IntentWrite(intent_id, None, actor)))

    async def listen(self, on_change: Callable[[], None]) -> Listener | None:
        """None: SQLite has no notifications; other processes poll ``revision``."""
        return None
