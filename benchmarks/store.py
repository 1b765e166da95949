"""store: turns logged per second by 100 concurrent conversations on a real SQLite file.

The bot goes through ``Store.record_turn`` (one writer, group commits) from 100 asyncio tasks,
each its own conversation. The baseline is plain ``sqlite3``: the same two statements (the turn,
the conversation's state) and a commit per turn, WAL and synchronous=NORMAL like the store.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.common import Row, print_table
from bot.core.replies import State
from bot.store.records import ConversationKey, TurnRecord
from bot.store.sqlite import MIGRATIONS, Store


def _record(n: int, user: int) -> tuple[TurnRecord, State]:
    key = ConversationKey("guild", "general", f"user-{user}")
    turn = TurnRecord(key, f"question {n}", "answer", "turkey-coup", "turkey-coup", 80.0, True)
    return turn, State("turkey-coup", "turkey-coup", n)


async def _bot(path: Path, conversations: int, turns: int) -> float:
    """Turns per second through Store.record_turn from concurrent conversations."""
    store = await Store.open(path)
    per_user = turns // conversations

    async def talk(user: int) -> None:
        for n in range(per_user):
            await store.record_turn(*_record(n, user))

    start = time.perf_counter()
    await asyncio.gather(*(talk(u) for u in range(conversations)))
    elapsed = time.perf_counter() - start
    await store.close()
    return per_user * conversations / elapsed


def _baseline(path: Path, turns: int, conversations: int) -> float:
    """Turns per second with one INSERT + upsert + commit per turn, plain sqlite3."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    for script in MIGRATIONS:
        db.executescript(script)
    start = time.perf_counter()
    for n in range(turns):
        turn, state = _record(n // conversations, n % conversations)
        key = turn.key
        now = time.time()
        db.execute(
            "INSERT INTO turns (at, guild, channel, user, question, kind, intent, section, score,"
            " answered) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (now, key.guild, key.channel, key.user, turn.question, turn.kind, turn.intent,
             turn.section, turn.score, int(turn.answered)),
        )  # fmt: skip
        blob = json.dumps({"intent": state.intent_id, "section": state.section_id, "cursor": n})
        db.execute(
            "INSERT INTO conversations (guild, channel, user, state, updated_at) VALUES (?,?,?,?,?)"
            " ON CONFLICT (guild, channel, user) DO UPDATE SET state=excluded.state,"
            " updated_at=excluded.updated_at",
            (key.guild, key.channel, key.user, blob, now),
        )
        db.commit()
    elapsed = time.perf_counter() - start
    db.close()
    return turns / elapsed


def main(argv: list[str] | None = None) -> None:
    """Run the store benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks store")
    parser.add_argument("--turns", type=int, default=20_000)
    parser.add_argument("--conversations", type=int, default=100)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rate = asyncio.run(_bot(folder / "bot.db", args.conversations, args.turns))
        base = _baseline(folder / "baseline.db", args.turns, args.conversations)
    rows = [
        Row(
            f"turns logged per second, {args.conversations} conversations",
            rate,
            base,
            "turns/s",
            ">= 2,000",
            rate >= 2000,
            better="higher",
        )
    ]
    print_table("store: Store.record_turn (bot) vs sqlite3 commit per turn (baseline)", rows)
