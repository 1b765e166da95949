"""Open the store a setting names: a file path is SQLite, a ``postgresql://`` URL PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from bot.store.interface import Storage
from bot.store.sqlite import Store
from bot.store.url import is_postgres_url


async def open_store(database: str | Path, *, inline_writes: bool = False) -> Storage:
    """Open (creating or migrating as needed) the database ``database`` names.

    ``inline_writes`` is SQLite's (see ``bot.store.writer``); PostgreSQL commits every turn on
    a pooled connection either way. Raises StoreOpenError with a one-line reason, never with
    a password in it.
    """
    if is_postgres_url(database):
        # Imported here: asyncpg costs a SQLite start-up time for nothing.
        from bot.store.postgres import PostgresStore

        return await PostgresStore.open(str(database))
    return await Store.open(Path(database), inline_writes=inline_writes)
