"""Liveness: the running bot touches a heartbeat file; ``article-bot health`` reads its age.

The file lives beside the database (``<database folder>/heartbeat``), the one folder the bot is
sure to be allowed to write (a container's data volume, systemd's ReadWritePaths). It is touched
from the event loop itself, so a loop that is stuck stops the beats as surely as a dead process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

HEARTBEAT_NAME = "heartbeat"
# Beats that may be missed before the bot counts as not alive: one late beat on a busy machine
# is no reason to restart it.
MISSED_BEATS = 3


@dataclass(frozen=True)
class Health:
    """What ``article-bot health`` found: ``fresh`` or not, and why, in one line."""

    fresh: bool
    reason: str


def heartbeat_path(database: Path | str, cache: Path | None = None) -> Path:
    """The heartbeat file of the bot whose database is ``database``: beside the SQLite file; with
    PostgreSQL (a URL, no local file), beside the intent snapshot ``cache``, else in ``data/``."""
    if isinstance(database, Path):
        return database.parent / HEARTBEAT_NAME
    return (cache.parent if cache is not None else Path("data")) / HEARTBEAT_NAME


def touch(path: Path) -> None:
    """Set the heartbeat's time to now, creating the file if needed."""
    with open(path, "a", encoding="utf-8"):
        pass
    os.utime(path, None)


async def beat(path: Path, every: float) -> None:
    """Touch ``path`` now and every ``every`` seconds until cancelled, then remove it.

    A beat that cannot be written (disk full, folder gone) is logged once, not every time, and
    the beats go on: the health check reports the file's age either way. Removing the file on
    the way out makes a stopped bot read as "not running", not as merely late.
    """
    failing = False
    try:
        while True:
            try:
                touch(path)
                failing = False
            except OSError as exc:
                if not failing:
                    log.warning("cannot write the heartbeat %s: %s", path, exc)
                failing = True
            await asyncio.sleep(every)
    finally:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def start_heartbeat(path: Path, every: float) -> asyncio.Task[None]:
    """Start beating at ``path`` (``heartbeat_path``) on the running loop; cancel to stop."""
    return asyncio.create_task(beat(path, every), name="heartbeat")


def check_health(path: Path, every: float, *, now: float | None = None) -> Health:
    """Whether the heartbeat at ``path`` was touched within ``MISSED_BEATS`` beats of ``every``."""
    limit = MISSED_BEATS * every
    try:
        touched = path.stat().st_mtime
    except FileNotFoundError:
        return Health(False, f"no heartbeat file {path}: the bot is not running or not started")
    except OSError as exc:
        return Health(False, f"cannot read the heartbeat file {path}: {exc.strerror}")
    age = (time.time() if now is None else now) - touched
    if age > limit:
        return Health(
            False,
            f"heartbeat {path} is stale by {age - limit:.0f} s "
            f"(last beat {age:.0f} s ago, expected every {every:g} s)",
        )
    return Health(True, f"ok: last beat {max(age, 0.0):.0f} s ago ({path})")
