"""Hot reload of intent files: polling, SIGHUP and the /intent reload command all land here.

A change that fails validation is rejected whole: the last good set stays in force, every problem
is logged as ``file:line: key: message`` and handed to ``on_error`` (the Discord adapter posts it
to the moderators' log channel).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.core.intents import IntentSet
from bot.core.knowledge import Knowledge
from bot.core.loading.filememo import Listing, list_files
from bot.core.loading.intent_files import IntentLoader
from bot.errors import IntentError

log = logging.getLogger(__name__)
ErrorHook = Callable[[IntentError], Awaitable[None]]


def folder_signature(folder: Path) -> Listing:
    """The intent files, each with its modification time, size and inode: any edit changes it."""
    return list_files(folder, IntentLoader.SUFFIXES)


class IntentWatcher:
    """Reloads the knowledge's intents when their files change (or when asked)."""

    def __init__(self, knowledge: Knowledge, *, on_error: ErrorHook | None = None) -> None:
        self.knowledge = knowledge
        self.on_error = on_error
        # What the knowledge loaded, not a second listing: an edit in between is seen at once.
        self._seen = knowledge.listing
        # A changed listing waits here for the next look: only one seen twice is reloaded.
        self._settling: Listing | None = None
        self._lock = asyncio.Lock()

    async def reload(self, reason: str) -> IntentSet:
        """Reload now and return the new set; on IntentError the old set stays, and it re-raises."""
        async with self._lock:
            # Reading and indexing thousands of files takes seconds: off the event loop.
            self._seen = await asyncio.to_thread(folder_signature, self.knowledge.intents_dir)
            try:
                intents = await asyncio.to_thread(self.knowledge.reload)
            except IntentError as exc:
                log.error(
                    "intent reload (%s) rejected; keeping the last good set:\n%s", reason, exc
                )
                if self.on_error is not None:
                    await self.on_error(exc)
                raise
            log.info("intents reloaded (%s): %d intents", reason, len(intents.intents))
            return intents

    async def check(self) -> bool:
        """Reload once a change has settled: the files differ from what was loaded and are the
        same as at the last look (so a file still being written is never loaded half-way).
        Return whether it reloaded."""
        seen = await asyncio.to_thread(folder_signature, self.knowledge.intents_dir)
        if seen == self._seen:
            self._settling = None
            return False
        if seen != self._settling:
            self._settling = seen
            return False
        self._settling = None
        with contextlib.suppress(IntentError):  # already logged and reported
            await self.reload("files changed")
        return True

    async def run(self, interval: float) -> None:
        """Poll every ``interval`` seconds until cancelled."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.check()
            except Exception:  # a watcher that dies silently would stop all reloads
                log.exception("intent watcher check failed")
