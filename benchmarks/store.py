"""store: turns logged per second, and record_turn's p99 latency, by 100 concurrent conversations,
on SQLite and on PostgreSQL in the same run (the same conversations and turns).

The bot goes through ``record_turn`` of the store the factory opens, from 100 asyncio tasks,
each its own conversation, flat out: the latency includes waiting behind the other 99. The
baselines write the same two statements (the turn, the conversation's state) and commit once
per turn, one turn at a time: plain ``sqlite3`` (WAL, synchronous=NORMAL, like the store) and
one asyncpg connection. PostgreSQL is a throwaway server this benchmark starts, on this machine,
with its defaults (fsync on), unless ``--database-url`` names one (it writes turns into it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from benchmarks.common import Row, percentile, print_table
from bot.core.replies import State
from bot.store.factory import open_store
from bot.store.records import ConversationKey, TurnRecord
from bot.store.sqlite_schema import MIGRATIONS
from bot.store.url import redact_url
from tests.pgserver import start_cluster


def _record(n: int, user: int) -> tuple[TurnRecord, State]:
    key = ConversationKey("guild", "general", f"user-{user}")
    turn = TurnRecord(key, f"question {n}", "answer", "turkey-coup", "turkey-coup", 80.0, True)
    return turn, State("turkey-coup", "turkey-coup", n)


async def _bot(
    database: str | Path, conversations: int, turns: int, rate: float | None = None
) -> tuple[float, list[float]]:
    """Turns per second through record_turn from concurrent conversations, and each latency.

    ``rate``: turns offered per second in all, spread evenly over the conversations (None:
    each conversation sends its next turn as soon as the last is stored).
    """
    store = await open_store(database)
    per_user = turns // conversations
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    begin = loop.time() + 0.05

    async def talk(user: int) -> None:
        for n in range(per_user):
            if rate:
                await asyncio.sleep(begin + (n * conversations + user) / rate - loop.time())
            start = time.perf_counter()
            await store.record_turn(*_record(n, user))
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(talk(u) for u in range(conversations)))
    elapsed = time.perf_counter() - start
    await store.close()
    return per_user * conversations / elapsed, latencies


TURN_SQL = (
    "INSERT INTO turns (at, guild, channel, {user}, question, kind, intent, section, score,"
    " answered) VALUES ({marks})"
)
STATE_SQL = (
    "INSERT INTO conversations (guild, channel, {user}, state, updated_at) VALUES ({marks})"
    " ON CONFLICT (guild, channel, {user}) DO UPDATE SET state=excluded.state,"
    " updated_at=excluded.updated_at"
)


def _rows(
    turns: int, conversations: int
) -> Iterator[tuple[tuple[object, ...], tuple[object, ...]]]:
    """Each turn's two statements' parameters (the turn, the state), in the order sent."""
    for n in range(turns):
        turn, state = _record(n // conversations, n % conversations)
        key, now = turn.key, time.time()
        blob = json.dumps({"intent": state.intent_id, "section": state.section_id, "cursor": n})
        yield (
            (now, key.guild, key.channel, key.user, turn.question, turn.kind, turn.intent,
             turn.section, turn.score, turn.answered),
            (key.guild, key.channel, key.user, blob, now),
        )  # fmt: skip


def _sqlite_baseline(path: Path, turns: int, conversations: int) -> float:
    """Turns per second with one INSERT + upsert + commit per turn, plain sqlite3."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    for script in MIGRATIONS:
        db.executescript(script)
    insert = TURN_SQL.format(user="user", marks=",".join("?" * 10))
    upsert = STATE_SQL.format(user="user", marks=",".join("?" * 5))
    start = time.perf_counter()
    for turn, state in _rows(turns, conversations):
        db.execute(insert, turn)
        db.execute(upsert, state)
        db.commit()
    elapsed = time.perf_counter() - start
    db.close()
    return turns / elapsed


async def _postgres_baseline(url: str, turns: int, conversations: int) -> float:
    """Turns per second with one INSERT + upsert + commit per turn on one asyncpg connection
    (the schema made by the store's run just before)."""
    db = await asyncpg.connect(url)
    insert = TURN_SQL.format(user="user_id", marks=",".join(f"${n}" for n in range(1, 11)))
    upsert = STATE_SQL.format(user="user_id", marks=",".join(f"${n}" for n in range(1, 6)))
    start = time.perf_counter()
    for turn, state in _rows(turns, conversations):
        async with db.transaction():
            await db.execute(insert, *turn)
            await db.execute(upsert, *state)
    elapsed = time.perf_counter() - start
    await db.close()
    return turns / elapsed


@contextmanager
def _postgres(url: str | None) -> Iterator[str]:
    """The URL given, or one to a database on a throwaway server started for this run."""
    if url:
        yield url
        return
    cluster = start_cluster(durable=True)
    try:
        yield cluster.url(cluster.create_database())
    finally:
        cluster.stop()


def _measure(name: str, database: str | Path, args: argparse.Namespace) -> list[Row]:
    """The backend's rows: flat-out throughput and p99, then p99 with the turns paced."""
    c, n = args.conversations, args.turns
    rate, flat = asyncio.run(_bot(database, c, n))
    paced = asyncio.run(_bot(database, c, args.paced_turns, args.rate))[1]
    if isinstance(database, Path):
        base = _sqlite_baseline(database.with_name("baseline.db"), n, c)
    else:
        base = asyncio.run(_postgres_baseline(database, n, c))
    return [
        Row(f"{name}: turns/s flat out", rate, base, "turns/s", ">= 2,000", rate >= 2000,
            better="higher"),
        Row(f"{name}: record_turn p99 flat out", percentile(flat, 0.99) * 1000, None, "ms"),
        Row(f"{name}: record_turn p99 at {args.rate:,.0f} turns/s", percentile(paced, 0.99) * 1000,
            None, "ms"),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Run the store benchmark on both backends and print its table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks store")
    parser.add_argument("--turns", type=int, default=20_000, help="flat out, per backend")
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--rate", type=float, default=1000.0, help="turns/s offered, paced")
    parser.add_argument("--paced-turns", type=int, default=5000)
    parser.add_argument("--database-url", help="a PostgreSQL database to use (default: start one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        rows = _measure("SQLite", Path(tmp) / "bot.db", args)
    with _postgres(args.database_url) as url:
        rows += _measure("PostgreSQL", url, args)
        where = redact_url(url)
    title = (
        f"store: record_turn from {args.conversations} conversations, {args.turns:,} turns"
        " (baseline: one commit per turn, one at a time)"
    )
    print_table(title, rows)
    print(f"\nPostgreSQL: {where}")
