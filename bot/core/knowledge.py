"""The article plus the intent set in force, swapped whole on reload (never half-loaded)."""

from __future__ import annotations

import threading
from pathlib import Path

from bot.core import collector
from bot.core.article import Article
from bot.core.engine import Engine
from bot.core.intents import IntentSet
from bot.core.loading.filememo import Listing
from bot.core.loading.fingerprint import contexts
from bot.core.loading.intent_files import IntentLoader
from bot.core.loading.snapshot import Snapshot, SnapshotWriter, read_snapshot
from bot.core.matching.matcher import Matcher
from bot.core.matching.types import MatchSettings
from bot.core.replies import DialogueSettings


class Knowledge:
    """Holds the current Engine; ``reload`` replaces it only when the new intents are valid.

    With a ``snapshot`` path, what a load built is kept on disk (``bot.core.loading.snapshot``): a
    start
    over unchanged files reads it back instead of parsing and indexing them again.
    """

    def __init__(
        self,
        article: Article,
        intents_dir: Path,
        matching: MatchSettings,
        dialogue: DialogueSettings,
        *,
        snapshot: Path | None = None,
    ) -> None:
        self.article = article
        self.intents_dir = intents_dir
        self.matching = matching
        self.dialogue = dialogue
        self._writer = SnapshotWriter(snapshot) if snapshot is not None else None
        self._reloading = threading.Lock()
        self._loader = IntentLoader()
        self._contexts = contexts(article, matching) if snapshot is not None else None
        self.from_snapshot = False
        self._listing: Listing = self._loader.listing(intents_dir)
        with collector.paused():  # the composition root freezes what was loaded (bot.app)
            self.engine = self._load(self._listing, first=True)

    @property
    def listing(self) -> Listing:
        """The intent files (stamped) the set in force was loaded from."""
        return self._listing

    @property
    def intents(self) -> IntentSet:
        """The intent set in force."""
        return self.engine.intents

    def reload(self) -> IntentSet:
        """Reload every intent file; on IntentError the previous set stays in force.

        Safe to call from worker threads: reloads run one at a time, and the engine is swapped
        in one assignment, so a turn sees either the old set or the new one.
        """
        with self._reloading:
            listing = self._loader.listing(self.intents_dir)
            if listing != self._listing:  # unchanged files: the engine in force is the same
                with collector.loading():
                    self.engine = self._load(listing, first=False)
                self._listing = listing
            return self.engine.intents

    def snapshot_written(self, timeout: float | None = None) -> bool:
        """Wait until the snapshot of the last load is on disk (True), or ``timeout`` passes."""
        return self._writer is None or self._writer.wait(timeout)

    def _load(self, listing: Listing, *, first: bool) -> Engine:
        if self._contexts is None or self._writer is None:
            return self._engine(self._loader.load_listed(listing, self.article, None), None)
        files_context, whole = self._contexts.files, self._contexts.whole
        if first:
            found = read_snapshot(self._writer.path, files_context, whole=whole)
            if found is not None:
                self._loader.memo.restore(found.files, files_context)
                if found.matcher is not None and found.listing == listing:
                    self.from_snapshot = True
                    return self._engine(found.intents, found.matcher)
        intents = self._loader.load_listed(listing, self.article, files_context)
        engine = self._engine(intents, None)
        files = self._loader.memo.entries(files_context)
        snapshot = Snapshot(files_context, whole, files, listing, intents, engine.matcher)
        self._writer.submit(snapshot)
        return engine

    def _engine(self, intents: IntentSet, matcher: Matcher | None) -> Engine:
        if matcher is None:
            matcher = Matcher(intents, self.article.text, self.matching)
        return Engine(self.article, intents, matcher, self.matching, self.dialogue)
