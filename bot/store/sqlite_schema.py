"""The SQLite store's schema and connections: migrations, pragmas, WAL, the folder check."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE conversations (
        guild TEXT NOT NULL, channel TEXT NOT NULL, user TEXT NOT NULL,
        state TEXT NOT NULL, updated_at REAL NOT NULL,
        PRIMARY KEY (guild, channel, user)
    );
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL, guild TEXT NOT NULL, channel TEXT NOT NULL, user TEXT NOT NULL,
        question TEXT NOT NULL, kind TEXT NOT NULL, intent TEXT, section TEXT,
        score REAL NOT NULL, answered INTEGER NOT NULL
    );
    CREATE INDEX turns_unanswered ON turns (answered, at);
    CREATE INDEX turns_intent ON turns (intent);
    CREATE TABLE feedback (
        turn_id INTEGER NOT NULL REFERENCES turns(id), user TEXT NOT NULL,
        vote INTEGER NOT NULL CHECK (vote IN (-1, 1)), at REAL NOT NULL,
        PRIMARY KEY (turn_id, user)
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL,
        actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL
    );
    """,
    """
    CREATE TABLE delivery_failures (
        turn_id INTEGER NOT NULL REFERENCES turns(id), at REAL NOT NULL, error TEXT NOT NULL
    );
    """,
    """
    CREATE TABLE added_intents (
        id TEXT PRIMARY KEY, yaml TEXT NOT NULL, actor TEXT NOT NULL, at REAL NOT NULL,
        removed INTEGER NOT NULL DEFAULT 0, revision INTEGER NOT NULL
    );
    """,
    # A change's revision is the largest so far plus one: found in the index, not by a scan
    # (ten thousand intents stored at once, as a first start may, scanned the table each).
    """
    CREATE INDEX added_intents_by_revision ON added_intents (revision);
    """,
)


# Per connection (journal_mode is not among them: it persists in the file, set by prepare).
PRAGMAS = """
PRAGMA busy_timeout = {busy};
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
"""


def prepare(path: Path, busy_timeout_ms: int) -> None:
    """Check the file can be a database here, migrate it and switch it to WAL (in a thread)."""
    writable_folder(path)
    db = sqlite3.connect(path)
    try:
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # garbage: "not a database"
        migrate(db)
        use_wal(db)
    finally:
        db.close()


def connect(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """The writer thread's connection (opened in that thread), set up as the aiosqlite one is."""
    connection = sqlite3.connect(path)
    connection.executescript(PRAGMAS.format(busy=int(busy_timeout_ms)))
    return connection


def migrate(db: sqlite3.Connection) -> None:
    """Bring the schema up to date, safely against other processes doing the same.

    ``BEGIN IMMEDIATE`` takes the write lock (waiting up to the busy timeout) before the version
    is read, so of two processes opening a fresh file one migrates and the other then finds
    the work done: reading the version first let both create the tables.
    """
    level = db.isolation_level
    db.isolation_level = None  # statements as written: no implicit BEGIN or COMMIT
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    finally:
        db.isolation_level = level


def use_wal(db: sqlite3.Connection, attempts: int = 50) -> None:
    """Switch the file to WAL. Another process switching or migrating at that moment makes it
    fail as busy at once (the busy timeout does not cover it): try again a little later."""
    for attempt in range(attempts):
        try:
            db.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or attempt == attempts - 1:
                raise
            time.sleep(0.02 * (1 + attempt % 5))


def writable_folder(path: Path) -> None:
    """Make the database's folder, and check SQLite can create its journal files there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not os.access(path.parent, os.W_OK | os.X_OK):
        why = f"the folder {path.parent} is not writable (SQLite keeps its journal beside the file)"
        raise PermissionError(why)
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise PermissionError("the file is not readable and writable by this user")
