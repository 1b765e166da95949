"""Retention of the turn log: readers' questions are kept ``retention_days``, then deleted.

The turn log holds what people typed. Keeping it for ever is neither needed (moderators read
the last weeks: /unanswered, /stats, the report) nor kind to them, so a task of the running bot
deletes what is older, with its votes and delivery failures, once at start and then every
``every`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bot.errors import StoreWriteError
from bot.store.interface import Storage

log = logging.getLogger(__name__)

DAY = 86_400.0
# Once an hour: a day's turns leave within the hour after they pass the limit.
PRUNE_EVERY = 3_600.0


async def prune_old_turns(store: Storage, days: float, now: float | None = None) -> int:
    """Delete turns older than ``days``; return how many went (logged when any did)."""
    now = time.time() if now is None else now
    removed = await store.prune(now - days * DAY)
    if removed:
        log.info("retention: deleted %d turns older than %g days", removed, days)
    return removed


async def keep_pruning(store: Storage, days: float, every: float = PRUNE_EVERY) -> None:
    """Prune now and every ``every`` seconds until cancelled. A prune the database refuses
    (locked, disk full) is logged and tried again next time: retention never stops the bot."""
    while True:
        try:
            await prune_old_turns(store, days)
        except StoreWriteError as exc:
            log.warning("retention: could not delete old turns now: %s", exc)
        await asyncio.sleep(every)


def start_pruning(store: Storage, days: float | None) -> asyncio.Task[None] | None:
    """Start ``keep_pruning`` on the running loop (None when turns are kept for ever)."""
    if days is None:
        return None
    return asyncio.create_task(keep_pruning(store, days), name="retention")
