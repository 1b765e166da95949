"""The server admin's commands: ``article-bot backup`` and ``article-bot health``."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.backup import backup_sqlite, pg_dump_command
from bot.config import load_config
from bot.heartbeat import check_health, heartbeat_path

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
