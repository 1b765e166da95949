"""The store tests' database, once per backend: a SQLite file and a PostgreSQL database."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from bot.store import pg_schema, sqlite_schema
from bot.store.factory import open_store
from bot.store.interface import Storage

BACKENDS = ["sqlite", "postgresql"]


@dataclass(frozen=True)
class Database:
    """One empty database of one backend: open stores on it, and read it from outside them."""

    backend: str
    where: str | Path  # the file, or the URL

    @property
    def migrations(self) -> int:
        """How many migrations this backend's schema has."""
        return len(sqlite_schema.MIGRATIONS if self.backend == "sqlite" else pg_schema.MIGRATIONS)

    async def open(self) -> Storage:
        """A store on this database, through the factory the bot uses."""
        return await open_store(self.where)

    async def scalar(self, sql: str) -> object:
        """One value read through a connection of its own (another process would see this)."""
        if isinstance(self.where, Path):
            with sqlite3.connect(self.where) as other:
                return other.execute(sql).fetchone()[0]
        server = await asyncpg.connect(str(self.where))
        try:
            return await server.fetchval(sql)
        finally:
            await server.close()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    """An empty database: a SQLite file, or a fresh database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return Database("sqlite", tmp_path / "bot.db")
    return Database("postgresql", request.getfixturevalue("pg_url"))


@pytest.fixture
def open_test_store(database: Database) -> Callable[[], Awaitable[Storage]]:
    """Open a store on the test's database (each call a new one: a restart, or a process)."""
    return database.open


@pytest.fixture
async def store(database: Database) -> AsyncIterator[Storage]:
    """A store open on the test's database, closed after the test."""
    async with await database.open() as opened:
        yield opened
