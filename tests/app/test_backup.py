"""article-bot backup: a consistent copy while another process writes, refusals, PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.backup import backup_sqlite
from bot.errors import BackupError, BackupExistsError
from bot.messages import user_message
from tests.helpers import ROOT

ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
QUESTIONS = ("turky coup", "what does russia gain", "more", "hello", "who is kerry")


def config_file(folder: Path) -> Path:
    """A config of the test's own whose database is ``folder/data/bot.db``."""
    path = folder / "config.yaml"
    path.write_text(
        f"sections: {ROOT / 'seeds' / 'sections.yaml'}\nintents: {ROOT / 'intents'}\n"
        "database: data/bot.db\nintent_cache: null\n",
        encoding="utf-8",
    )
    return path


def cli(*args: str, env: dict[str, str] = ENV) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS``, a real process."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def make_database(path: Path, rows: int = 10) -> None:
    """A small WAL database of the test's own."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE t (x INTEGER)")
        db.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(rows)])
    db.close()


class Writer:
    """The real bot (``chat --json``) answering questions fed to it as fast as it takes them.

    A reply is printed only after its turn is committed, so every turn id read back is in the
    database from that moment on.
    """

    def __init__(self, config: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--json", "--config", str(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        self.replies: list[dict[str, object]] = []
        self.changed = threading.Condition()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._feed, daemon=True),
            threading.Thread(target=self._read, daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def _feed(self) -> None:
        assert self.proc.stdin is not None
        n = 0
        try:
            while not self.stop.is_set():
                self.proc.stdin.write(QUESTIONS[n % len(QUESTIONS)] + "\n")
                self.proc.stdin.flush()
                n += 1
            self.proc.stdin.close()
        except (BrokenPipeError, ValueError):
            pass

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.changed:
                self.replies.append(json.loads(line))
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    def wait_for(self, count: int) -> set[int]:
        """Wait until ``count`` turns are committed; the committed turn ids."""
        with self.changed:
            done = self.changed.wait_for(
                lambda: len(self.replies) >= count or self.proc.poll() is not None, timeout=120
            )
            assert done and len(self.replies) >= count, self.proc.stderr
            return {int(str(r["turn_id"])) for r in self.replies if r["saved"]}

    def finish(self) -> list[dict[str, object]]:
        """Stop feeding, let the bot answer what it was given and exit; every reply."""
        self.stop.set()
        try:
            self.proc.wait(timeout=120)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        for thread in self.threads:
            thread.join(timeout=10)
        assert self.proc.returncode == 0, self.proc.stderr.read() if self.proc.stderr else ""
        return self.replies


@pytest.mark.slow
def test_backup_while_the_bot_writes_is_whole_and_holds_every_committed_turn(
    tmp_path: Path,
) -> None:
    """A backup taken while another process commits turns passes integrity_check and holds
    every turn committed before it began; the writer is never held up into failing a save."""
    config = config_file(tmp_path)
    db = tmp_path / "data" / "bot.db"
    writer = Writer(config)
    try:
        writer.wait_for(1)
        # Padding, so the copy takes long enough for the writer's commits to land during it.
        with sqlite3.connect(db, timeout=30) as pad:
            pad.execute("CREATE TABLE padding (b BLOB)")
            pad.executemany("INSERT INTO padding VALUES (zeroblob(65536))", [()] * 400)
        pad.close()
        before = writer.wait_for(len(writer.replies) + 50)
        backup = tmp_path / "backup.db"
        run = cli("backup", "--config", str(config), str(backup))
        assert run.returncode == 0, run.stderr
        writer.wait_for(len(writer.replies) + 50)  # still writing after the backup
    finally:
        replies = writer.finish()
    assert all(r["saved"] for r in replies)
    with sqlite3.connect(backup) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        stored = {row[0] for row in copy.execute("SELECT id FROM turns")}
    copy.close()
    assert before <= stored
    assert not list(tmp_path.glob(".backup.db.*")), "a temporary file was left behind"


def test_an_existing_backup_is_not_overwritten_without_force(tmp_path: Path) -> None:
    """An existing PATH is left untouched unless --force; with it, it is replaced."""
    source = tmp_path / "bot.db"
    make_database(source, rows=10)
    target = tmp_path / "backup.db"
    target.write_bytes(b"an older backup")
    with pytest.raises(BackupExistsError) as info:
        backup_sqlite(source, target)
    assert target.read_bytes() == b"an older backup"
    assert "add --force" in user_message(info.value)
    backup_sqlite(source, target, force=True)
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT count(*) FROM t").fetchone() == (10,)
    copy.close()
    assert {p.name for p in tmp_path.iterdir()} == {"bot.db", "backup.db"}  # no temporary left


def test_the_command_line_refuses_an_existing_path(tmp_path: Path) -> None:
    """`article-bot backup PATH` exits 1 with one line when PATH exists, 0 with --force."""
    config = config_file(tmp_path)
    (tmp_path / "data").mkdir()
    make_database(tmp_path / "data" / "bot.db")
    target = tmp_path / "backup.db"
    target.write_text("keep me", encoding="utf-8")
    run = cli("backup", "--config", str(config), str(target))
    assert run.returncode == 1
    assert run.stderr.strip() == (
        f"{target} already exists: add --force to replace it, or choose another name."
    )
    assert target.read_text(encoding="utf-8") == "keep me"
    forced = cli("backup", "--config", str(config), str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.startswith(f"backed up {tmp_path / 'data' / 'bot.db'} to {target}")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: None, "there is no database at"),
        (lambda p: p.write_bytes(b"not a database, no\n" * 300), "file is not a database"),
    ],
    ids=["missing", "garbage"],
)
def test_no_database_is_an_error_and_nothing_is_written(
    tmp_path: Path, make: Callable[[Path], object], reason: str
) -> None:
    """A missing or garbage source: a BackupError saying why; no backup, no source created."""
    source = tmp_path / "bot.db"
    make(source)
    existed = source.exists()
    target = tmp_path / "backup.db"
    with pytest.raises(BackupError, match=reason):
        backup_sqlite(source, target)
    assert not target.exists()
    assert source.exists() == existed
    assert sorted(p.name for p in tmp_path.iterdir()) == (["bot.db"] if existed else [])


def test_folders_and_the_database_itself_are_refused(tmp_path: Path) -> None:
    """PATH may not be a folder, in a missing folder, or the database itself (even --force)."""
    source = tmp_path / "bot.db"
    make_database(source)
    for target, reason in [
        (tmp_path, "it is a folder"),
        (tmp_path / "no" / "b.db", "there is no folder"),
        (source, "that is the database itself"),
    ]:
        with pytest.raises(BackupError, match=reason) as info:
            backup_sqlite(source, target, force=True)
        assert user_message(info.value).startswith(f"Cannot back up to {target}: ")


def test_a_postgresql_database_gets_the_pg_dump_command(tmp_path: Path) -> None:
    """With DATABASE_URL naming PostgreSQL: exit 2 and the pg_dump line, never the password."""
    config = config_file(tmp_path)
    env = {**ENV, "DATABASE_URL": "postgresql://article_bot:s3cret@db:5432/article_bot"}
    run = cli("backup", "--config", str(config), str(tmp_path / "x.dump"), env=env)
    assert run.returncode == 2
    assert f'pg_dump --format=custom --file={tmp_path / "x.dump"} "$DATABASE_URL"' in run.stderr
    assert "s3cret" not in run.stderr + run.stdout
    assert not (tmp_path / "x.dump").exists() and not (tmp_path / "data").exists()
