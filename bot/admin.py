"""The server admin's commands: ``article-bot backup``, ``health`` and ``intents export``."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from bot.backup import backup_sqlite, pg_dump_command
from bot.config import load_config
from bot.core.intents import INTENT_ID
from bot.errors import StoreOpenError
from bot.files import added_file_name, write_file
from bot.heartbeat import check_health, heartbeat_path
from bot.store.factory import open_store
from bot.store.interface import Storage
from bot.store.records import AddedIntent

T = TypeVar("T")

# Exit status of a backup asked of a PostgreSQL database: not a failure of the copy, a wrong tool.
USE_PG_DUMP = 2


def backup(config_path: Path, db: Path | None, target: Path, *, force: bool) -> int:
    """Back up the configured database to ``target``; print what was written."""
    config = load_config(config_path)
    source = db or config.database
    if not isinstance(source, Path):
        print(
            "The database is PostgreSQL (DATABASE_URL), which this command cannot copy; "
            "back it up with:",
            file=sys.stderr,
        )
        print(f"  {pg_dump_command(target)}", file=sys.stderr)
        return USE_PG_DUMP
    result = backup_sqlite(source, target, force=force)
    print(f"backed up {source} to {result.path} ({result.size:,} bytes)")
    return 0


def health(config_path: Path, db: Path | None) -> int:
    """Exit status 0 when the running bot's heartbeat is fresh, else 1, with one line why."""
    config = load_config(config_path)
    where = heartbeat_path(db or config.database, config.intent_cache)
    found = check_health(where, config.heartbeat_seconds)
    print(found.reason, file=sys.stdout if found.fresh else sys.stderr)
    return 0 if found.fresh else 1


def export_intents(config_path: Path, db: Path | None, folder: Path | None) -> int:
    """Write the moderator-added intents in force, as the database holds them, to ``folder``
    (default: the config's intents folder) as ``added-<id>.yaml``, to commit them to git."""
    rows = with_store(config_path, db, _added_intents)
    target = folder or load_config(config_path).intents
    target.mkdir(parents=True, exist_ok=True)
    written = same = 0
    for row in rows:
        if row.removed or not INTENT_ID.match(row.id):  # never a path of the database's making
            continue
        path = target / added_file_name(row.id)
        if path.is_file() and path.read_text(encoding="utf-8") == row.text:
            same += 1
            continue
        write_file(path, row.text)
        written += 1
        print(f"wrote {path} (added by {row.actor})")
    print(f"{written} intent file(s) written, {same} already up to date, in {target}")
    print("Check them with `article-bot check` before you commit them.")
    return 0


async def _added_intents(store: Storage) -> list[AddedIntent]:
    return await store.added_intents.all()


def with_store(config_path: Path, db: Path | None, read: Callable[[Storage], Awaitable[T]]) -> T:
    """Run ``read`` on the configured database. A missing file is an error, not a new empty
    database: a mistyped ``--db`` or config must not report zero questions."""
    database = db or load_config(config_path).database
    if isinstance(database, Path) and not database.is_file():
        raise StoreOpenError(str(database), "no such file (has the bot run with this config?)")

    async def run() -> T:
        async with await open_store(database, inline_writes=True) as store:
            return await read(store)

    return asyncio.run(run())
