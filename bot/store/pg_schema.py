"""The PostgreSQL store's schema: numbered migrations, applied once under an advisory lock."""

from __future__ import annotations

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# Any constant will do, as long as it is this one everywhere: the advisory lock every process
# takes to migrate (scoped to the database, released when the migrating transaction ends).
MIGRATION_LOCK = 0x4172_7469_636C_6542  # "ArticleB"

# Each entry migrates the schema from version N to N+1; never edit one that has shipped. The
# tables are SQLite's (bot.store.sqlite), with "user" (reserved here) named user_id.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE conversations (
        guild TEXT NOT NULL, channel TEXT NOT NULL, user_id TEXT NOT NULL,
        state JSONB NOT NULL, updated_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (guild, channel, user_id)
    );
    CREATE TABLE turns (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at DOUBLE PRECISION NOT NULL,
        guild TEXT NOT NULL, channel TEXT NOT NULL, user_id TEXT NOT NULL,
        question TEXT NOT NULL, kind TEXT NOT NULL, intent TEXT, section TEXT,
        score DOUBLE PRECISION NOT NULL, answered BOOLEAN NOT NULL
    );
    CREATE INDEX turns_unanswered ON turns (answered, at);
    CREATE INDEX turns_intent ON turns (intent);
    CREATE TABLE feedback (
        turn_id BIGINT NOT NULL REFERENCES turns (id), user_id TEXT NOT NULL,
        vote SMALLINT NOT NULL CHECK (vote IN (-1, 1)), at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (turn_id, user_id)
    );
    CREATE TABLE audit (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at DOUBLE PRECISION NOT NULL,
        actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL
    );
    CREATE TABLE delivery_failures (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        turn_id BIGINT NOT NULL REFERENCES turns (id),
        at DOUBLE PRECISION NOT NULL, error TEXT NOT NULL
    );
    """,
    """
    CREATE SEQUENCE added_intents_revision;
    CREATE TABLE added_intents (
        id TEXT PRIMARY KEY, yaml TEXT NOT NULL, actor TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL, removed BOOLEAN NOT NULL DEFAULT false,
        revision BIGINT NOT NULL
    );
    """,
)


async def migrate(connection: asyncpg.Connection | PoolConnectionProxy) -> int:
    """Bring the schema up to date in one transaction; return the version it is now at.

    The advisory lock is taken before the version is read, so of several processes starting
    at once one migrates and the others, waiting on the lock, then find nothing left to do.
    A migration that fails rolls back whole, its version unrecorded.
    """
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())"
        )
        current = int(
            await connection.fetchval("SELECT coalesce(max(version), 0) FROM schema_version")
        )
        for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
            await connection.execute(script)
            await connection.execute("INSERT INTO schema_version (version) VALUES ($1)", number)
        return max(current, len(MIGRATIONS))
