"""A database that cannot be used: one clear line and a non-zero exit, never a traceback and a
hang; many processes creating one file at once; writes failing at run time and recovering."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.core.knowledge import Knowledge
from bot.errors import StoreWriteError
from bot.service import ChatService
from bot.store.records import ConversationKey, TurnRecord
from bot.store.sqlite import Store
from bot.store.sqlite_schema import MIGRATIONS
from tests.helpers import ROOT, own_config_file

# Seconds each: processes, signals and timeouts (`make test-fast` leaves them out).
pytestmark = pytest.mark.slow

ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}


def ask(db: Path) -> subprocess.CompletedProcess[str]:
    """`article-bot ask` with ``db`` as its database, with a deadline (a hang fails)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--config", str(own_config_file()), "--db", str(db),
         "turky coup"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=ENV,
    )  # fmt: skip


def _garbage(path: Path) -> None:
    path.write_bytes(b"this is not an SQLite file at all\n" * 200)


def _truncated(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x TEXT)")
        db.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    data = path.read_bytes()
    path.write_bytes(data[:100])  # the header, then nothing


@pytest.mark.parametrize(
    ("make", "reason"),
    [(_garbage, "file is not a database"), (_truncated, "malformed")],
    ids=["garbage-header", "truncated"],
)
def test_an_unusable_database_is_one_line_and_an_exit(
    tmp_path: Path, make: object, reason: str
) -> None:
    """A file that is no (whole) database: exit 1 with one line naming it, no traceback."""
    db = tmp_path / "broken.db"
    make(db)  # type: ignore[operator]
    run = ask(db)
    assert run.returncode == 1, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and f"cannot open the database {db}" in lines[0], run.stderr
    assert reason in lines[0]


def test_a_database_in_a_folder_that_cannot_be_made(tmp_path: Path) -> None:
    """A database path under a regular file (no folder can be made there): one line, exit 1."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    run = ask(blocker / "data" / "bot.db")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "cannot open the database" in run.stderr and "Not a directory" in run.stderr


OPENER = """
import asyncio, sys, time
from pathlib import Path
from bot.store.sqlite import Store
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
async def main():
    store = await Store.open(Path(sys.argv[1]))
    version = await store.schema_version()
    await store.close()
    print(version)
asyncio.run(main())
"""


@pytest.mark.parametrize("round_", range(3))
def test_many_processes_create_one_database_at_once(tmp_path: Path, round_: int) -> None:
    """Ten processes opening one fresh file at the same moment all succeed, and the schema is
    migrated exactly once (each sees the latest version)."""
    db, go = tmp_path / f"fresh-{round_}.db", tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER, str(db), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        for _ in range(10)
    ]
    try:
        time.sleep(1.0)  # every process imported and waiting
        go.touch()
        results = [p.communicate(timeout=60) for p in procs]
    finally:
        for proc in procs:  # none left behind, even when one hung
            proc.kill()
    failures = [err for p, (_, err) in zip(procs, results, strict=True) if p.returncode != 0]
    assert failures == []
    assert {out.strip() for out, _ in results} == {str(len(MIGRATIONS))}
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_a_turn_that_cannot_be_saved_is_answered_and_saving_recovers(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    """While another process holds the database locked past the busy timeout, questions are
    still answered (marked unsaved); once it lets go, turns are stored again."""
    store = await Store.open(tmp_path / "bot.db", busy_timeout_ms=100)
    service = ChatService(knowledge, store, expiry_minutes=30)
    key = ConversationKey("g", "c", "u")
    try:
        lock = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        blocked = await service.ask(key, "turky coup")
        lock.execute("ROLLBACK")
        lock.close()
        assert blocked.reply.answered and not blocked.saved
        again = await service.ask(key, "turky coup")
        assert again.saved and again.turn_id > 0
        assert [t.question for t in await store.recent_turns()] == ["turky coup"]
    finally:
        await store.close()


async def test_votes_audits_and_failures_fail_like_turns(tmp_path: Path) -> None:
    """Every write goes through the one writer: while another process holds the database
    locked, a vote, an audit entry and a delivery failure each raise the store's own
    StoreWriteError (the one error the front ends translate), and each is stored once the
    lock is gone."""
    store = await Store.open(tmp_path / "bot.db", busy_timeout_ms=100)
    try:
        turn_id = await store.record_turn(
            TurnRecord(ConversationKey("g", "c", "u"), "hi", "answer", "x", "s", 90.0, True), None
        )
        lock = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        writes = (
            store.record_feedback(turn_id, "voter", 1),
            store.audit("mod", "intent.add", "x"),
            store.record_delivery_failure(turn_id, "503"),
        )
        for write in writes:
            with pytest.raises(StoreWriteError):
                await write
        lock.execute("ROLLBACK")
        lock.close()
        assert await store.record_feedback(turn_id, "voter", -1)
        await store.audit("mod", "intent.add", "x")
        await store.record_delivery_failure(turn_id, "503")
        assert await store.feedback_for(turn_id) == {"voter": -1}
        assert [(a, b) for _, a, b, _ in await store.audit_log()] == [("mod", "intent.add")]
        assert await store.delivery_failures() == [(turn_id, "503")]
    finally:
        await store.close()
