"""Bring this process's ``intents/added-*.yaml`` files in line with the database's added intents.

Another process (a shard on another machine) may add or remove an intent at any time: the
database has it at once, and this process is told by LISTEN/NOTIFY (PostgreSQL), or finds the
store's revision changed when it polls (the fall-back, and SQLite's only way). It then writes the
files of intents it lacks or holds another text of, deletes those of removed ones, and reloads:
the reload validates them as any intent file, so a bad one is refused and reported while the
last good set stays in force. The database wins over the files, except for a file it never heard
of whose intent is in force (one added before the database kept them, or put there by hand):
that one is stored, so the other processes get it too.

A sync reads every added file, so it runs only when something changed: while running, when the
store's revision moves; at a start, when the revision or this host's added files differ from
what the last sync left (``marker``, a small file beside the snapshot), so a restart over ten
thousand added intents reads none of them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.authoring import IntentAuthor
from bot.core.intents import INTENT_ID
from bot.errors import IntentError
from bot.files import ADDED_PREFIX, write_file
from bot.store.interface import IntentRows, Listener
from bot.store.records import AddedIntent

log = logging.getLogger(__name__)
Reload = Callable[[str], Awaitable[object]]
ADOPTED_BY = "intents folder"  # the actor of a file the database learns from a host


@dataclass(frozen=True)
class SyncResult:
    """What one sync changed on this host, and what it stored from it."""

    written: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    adopted: tuple[str, ...] = ()

    @property
    def files_changed(self) -> bool:
        """Whether the intents must be reloaded."""
        return bool(self.written or self.deleted)


class IntentSync:
    """Keeps one process's added-intent files equal to the database's added intents."""

    def __init__(
        self, author: IntentAuthor, rows: IntentRows, reload: Reload, marker: Path | None = None
    ) -> None:
        self.author = author
        self.rows = rows
        self._reload = reload
        self._marker = marker
        # (store revision, fingerprint of the added files loaded) after the last sync.
        self._synced = _read_marker(marker)
        self._wake = asyncio.Event()

    async def sync(self) -> SyncResult:
        """Write, delete and adopt what differs, then reload if any file changed; nothing when
        neither the database nor this host's added files moved since the last sync.

        A reload the new files fail is logged and reported by ``reload`` and the last good set
        stays; the files stay too, so the next change of the folder tries them again.
        """
        async with self.author.lock:
            revision = await self.rows.revision()
            if self._synced == (revision, await asyncio.to_thread(self._fingerprint)):
                return SyncResult()
            rows = await self.rows.all()
            result = await asyncio.to_thread(self._apply, rows)
            adopted = await self._adopt(rows)
            if result.files_changed:
                with contextlib.suppress(IntentError):  # already logged and reported
                    await self._reload("intents changed by another process")
            # Adopting changed the revision: what this host holds is the database's now.
            after = await self.rows.revision() if adopted else revision
            await asyncio.to_thread(self._remember, after)
        if result.files_changed or adopted:
            log.info(
                "added intents synced: %d written, %d deleted, %d stored from this host",
                len(result.written),
                len(result.deleted),
                len(adopted),
            )
        return SyncResult(result.written, result.deleted, adopted)

    def _fingerprint(self) -> str:
        """The added files the intents in force were loaded from, each with its stamp."""
        added = [
            entry
            for entry in self.author.knowledge.listing
            if os.path.basename(entry[0]).startswith(ADDED_PREFIX)
        ]
        return hashlib.sha256(repr(added).encode()).hexdigest()

    def _remember(self, revision: int) -> None:
        """Keep what a sync left, in memory and in the marker file (for the next start)."""
        synced = self._synced = (revision, self._fingerprint())
        if self._marker is not None:
            text = json.dumps({"revision": synced[0], "files": synced[1]})
            with contextlib.suppress(OSError):  # only a shortcut: without it, a start syncs
                self._marker.parent.mkdir(parents=True, exist_ok=True)
                write_file(self._marker, text)

    def _apply(self, rows: list[AddedIntent]) -> SyncResult:
        """Write the files of intents in force that this host lacks or has another text of;
        delete those of removed ones."""
        written, deleted = [], []
        for row in rows:
            if not INTENT_ID.match(row.id):  # never a path of the database's making
                log.warning("added intent %r has no valid id: not written", row.id)
                continue
            path = self.author.path_for(row.id)
            if row.removed:
                if path.exists():
                    path.unlink()
                    deleted.append(row.id)
            elif _text_of(path) != row.text:
                write_file(path, row.text)
                written.append(row.id)
        return SyncResult(tuple(written), tuple(deleted))

    async def _adopt(self, rows: list[AddedIntent]) -> tuple[str, ...]:
        """Store the added intents in force here that the database never had."""
        known = {row.id for row in rows}
        found = await asyncio.to_thread(self._unknown_here, known)
        # Together: the store commits concurrent writes in shared transactions.
        stored = await asyncio.gather(
            *(self.rows.add(intent_id, text, ADOPTED_BY) for intent_id, text in found)
        )
        return tuple(intent_id for (intent_id, _), done in zip(found, stored, strict=True) if done)

    def _unknown_here(self, known: set[str]) -> list[tuple[str, str]]:
        """(id, file text) of the intents in force from added-*.yaml files not in ``known``."""
        intents = self.author.knowledge.intents
        found = []
        for name, _ in self.author.knowledge.listing:
            base = os.path.basename(name)
            if not base.startswith(ADDED_PREFIX):
                continue
            intent = intents.get(base.removeprefix(ADDED_PREFIX).rpartition(".")[0])
            if intent is None or intent.id in known or intent.source != name:
                continue
            text = _text_of(Path(name))
            if text is not None:
                found.append((intent.id, text))
        return found

    async def run(self, interval: float) -> None:
        """Sync whenever told of a change, or when a poll every ``interval`` seconds finds
        one, until cancelled."""
        listener: Listener | None = None
        failing = False
        try:
            while True:
                if listener is None or not listener.alive:
                    listener = await self.rows.listen(self._wake.set)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), interval)
                self._wake.clear()
                try:
                    if self._synced is None or await self.rows.revision() != self._synced[0]:
                        await self.sync()
                    failing = False
                except Exception:  # a sync that dies silently would stop all sharing
                    if not failing:  # once per outage, not at every poll
                        log.exception("added intents not synced (trying again)")
                    failing = True
        finally:
            if listener is not None:
                await listener.close()


def _text_of(path: Path) -> str | None:
    """A file's text, or None when there is none."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _read_marker(marker: Path | None) -> tuple[int, str] | None:
    """What the last sync on this host left, if its marker file can be read."""
    if marker is None:
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        return int(data["revision"]), str(data["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
