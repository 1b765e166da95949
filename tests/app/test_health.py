"""Liveness: the heartbeat the running bot touches, and `article-bot health` reading it."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import load_config
from bot.errors import ConfigError
from bot.heartbeat import beat, check_health, heartbeat_path, start_heartbeat
from tests.helpers import ROOT

ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}


def config_file(folder: Path, every: float = 10) -> Path:
    """A config of the test's own: database ``folder/data/bot.db``, beats every ``every`` s."""
    path = folder / "config.yaml"
    path.write_text(
        f"sections: {ROOT / 'seeds' / 'sections.yaml'}\nintents: {ROOT / 'intents'}\n"
        f"database: data/bot.db\nintent_cache: null\nheartbeat_seconds: {every}\n",
        encoding="utf-8",
    )
    return path


def health(config: Path) -> subprocess.CompletedProcess[str]:
    """``python -m bot health --config CONFIG``, a real process."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "health", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=ENV,
    )


def test_health_through_the_command_line(tmp_path: Path) -> None:
    """health exits 1 naming a missing heartbeat, 0 for a fresh one, 1 with its lateness for a
    stale one (older than three beats); one line each time."""
    config = config_file(tmp_path, every=10)
    beat_file = tmp_path / "data" / "heartbeat"
    missing = health(config)
    assert missing.returncode == 1
    assert missing.stderr.strip() == (
        f"no heartbeat file {beat_file}: the bot is not running or not started"
    )
    beat_file.parent.mkdir()
    beat_file.touch()
    fresh = health(config)
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout.startswith("ok: last beat") and fresh.stdout.count("\n") == 1
    past = time.time() - 100
    os.utime(beat_file, (past, past))
    stale = health(config)
    assert stale.returncode == 1
    # 100 s old, 3 x 10 s allowed: stale by 70 s (and the seconds the command took to start).
    found = re.fullmatch(
        rf"heartbeat {re.escape(str(beat_file))} is stale by (\d+) s "
        r"\(last beat (\d+) s ago, expected every 10 s\)\n",
        stale.stderr,
    )
    assert found, stale.stderr
    assert 70 <= int(found[1]) < 100 and int(found[2]) == int(found[1]) + 30


def test_health_takes_db_like_run(tmp_path: Path) -> None:
    """--db moves the heartbeat as it moves the database (a bot run with --db)."""
    config = config_file(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "heartbeat").touch()
    run = subprocess.run(
        [sys.executable, "-m", "bot", "health", "--config", str(config),
         "--db", str(tmp_path / "elsewhere" / "x.db")],
        capture_output=True, text=True, timeout=60, check=False, env=ENV,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr


def test_article_bot_config_names_the_config_without_config(tmp_path: Path) -> None:
    """Without --config, ARTICLE_BOT_CONFIG names the config (as the Docker image sets it)."""
    config = config_file(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "heartbeat").touch()
    run = subprocess.run(
        [sys.executable, "-m", "bot", "health"],
        capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path / "data",
        env={**ENV, "ARTICLE_BOT_CONFIG": str(config)},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert str(tmp_path / "data" / "heartbeat") in run.stdout


def test_freshness_is_three_beats() -> None:
    """A beat up to three intervals old is fresh; later is stale, and says by how much."""
    path = ROOT / "pyproject.toml"
    touched = path.stat().st_mtime
    assert check_health(path, 5, now=touched + 15).fresh
    late = check_health(path, 5, now=touched + 22)
    assert not late.fresh and "stale by 7 s" in late.reason


async def test_beating_touches_the_file_and_removes_it_when_stopped(tmp_path: Path) -> None:
    """The beat task creates the heartbeat at once, touches it again every interval, and removes
    it when cancelled: a stopped bot reads as not running."""
    database = tmp_path / "bot.db"
    path = heartbeat_path(database)
    assert path == tmp_path / "heartbeat"
    task = start_heartbeat(path, 0.05)
    try:
        await _until(path.exists)
        os.utime(path, (1.0, 1.0))  # 1970: the next beat must bring it back to now
        await _until(lambda: path.stat().st_mtime > 1.0)
        assert check_health(path, 0.05, now=time.time()).fresh
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert not path.exists()


async def test_a_beat_that_cannot_be_written_does_not_stop_the_beating(tmp_path: Path) -> None:
    """A folder that disappears makes the beats fail (logged), and they resume when it is back."""
    folder = tmp_path / "data"
    path = folder / "heartbeat"
    task = asyncio.create_task(beat(path, 0.05))
    try:
        await asyncio.sleep(0.2)  # beats into a missing folder: logged, not raised
        assert not task.done()
        folder.mkdir()
        await _until(path.exists)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def test_heartbeat_seconds_must_be_positive(tmp_path: Path) -> None:
    """heartbeat_seconds of 0 is a config error naming its line (it would beat without pause)."""
    path = tmp_path / "config.yaml"
    path.write_text("reload_seconds: 2\nheartbeat_seconds: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.yaml:2: heartbeat_seconds: must be above 0"):
        load_config(path, environ={})


def test_with_postgresql_the_heartbeat_lives_beside_the_snapshot(tmp_path: Path) -> None:
    """A PostgreSQL database has no local folder: the heartbeat goes beside the intent snapshot
    (the data volume in the container), else into data/; a SQLite file keeps it beside itself."""
    url = "postgresql://bot@db/articlebot"
    assert heartbeat_path(url, tmp_path / "snap.msgpack") == tmp_path / "heartbeat"
    assert heartbeat_path(url, None) == Path("data") / "heartbeat"
    assert heartbeat_path(tmp_path / "x" / "bot.db", None) == tmp_path / "x" / "heartbeat"


async def _until(condition: Callable[[], bool], deadline: float = 30.0) -> None:
    """Wait (polling) until ``condition()`` holds; fail after a generous deadline."""
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, "condition never held"
        await asyncio.sleep(0.01)
