"""Crash safety: SIGKILL at random moments never loses a turn whose reply was written."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT, own_config_file

# Seconds each: processes, signals and timeouts (`make test-fast` leaves them out).
pytestmark = pytest.mark.slow

QUESTIONS = [
    "turky coup",
    "what does russia gain",
    "more",
    "who wrote this",
    "aleppo",
    "banana bread?",
    "and what about the olympics?",
    "hi",
]


# The command line over the tests' own config (not whatever the shipped config.yaml points at).
BOT = (sys.executable, "-m", "bot")
CONFIG = ("--config", str(own_config_file()))


def chat_process(db: Path, user: str) -> subprocess.Popen[str]:
    """``article-bot chat --json`` as a child process with pipes."""
    return subprocess.Popen(
        [*BOT, "chat", *CONFIG, "--json", "--db", str(db), "--user", user],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def feed(proc: subprocess.Popen[str]) -> None:
    """Write questions until the pipe breaks (the child was killed)."""
    assert proc.stdin is not None
    try:
        for n in range(100_000):
            proc.stdin.write(QUESTIONS[n % len(QUESTIONS)] + "\n")
            proc.stdin.flush()
    except (BrokenPipeError, ValueError, OSError):
        return


def read_replies(proc: subprocess.Popen[str], delay: float, *, after_first: bool) -> int:
    """Count complete JSON reply lines; SIGKILL the child ``delay`` s after its start (or after
    its first reply), and return how many replies were printed before it died."""
    assert proc.stdout is not None
    received = 0
    first = threading.Event()
    reader_done = threading.Event()

    def reader() -> None:
        nonlocal received
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.endswith("\n"):
                json.loads(line)
                received += 1
                first.set()
        reader_done.set()

    threading.Thread(target=reader, daemon=True).start()
    if after_first:
        first.wait(30)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    reader_done.wait(5)
    return received


def test_sigkill_at_random_moments_loses_no_answered_turn(tmp_path: Path) -> None:
    """After many SIGKILLs the database is intact and holds every turn whose reply was printed."""
    db = tmp_path / "bot.db"
    rng = random.Random(20261125)
    printed: dict[str, int] = {}
    for round_ in range(8):
        user = f"user{round_}"
        proc = chat_process(db, user)
        threading.Thread(target=feed, args=(proc,), daemon=True).start()
        # Two kills land during start-up, the rest while answering at full speed.
        during_startup = round_ < 2
        delay = rng.uniform(0.05, 0.5) if during_startup else rng.uniform(0.0, 0.3)
        printed[user] = read_replies(proc, delay, after_first=not during_startup)
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert sum(n > 0 for n in printed.values()) >= 6, printed
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("SELECT user, count(*) FROM turns GROUP BY user").fetchall())
    for user, count in printed.items():
        assert stored.get(user, 0) >= count, (user, count, stored.get(user))
    after = subprocess.run(
        [*BOT, "ask", *CONFIG, "aleppo", "--json", "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert after.returncode == 0 and json.loads(after.stdout)["answered"]
