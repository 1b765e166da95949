"""The article plus the intent set in force, swapped whole on reload (never half-loaded)."""

from __future__ import annotations

import threading
from pathlib import Path

from bot.core.article import Article
from bot.core.dialogue import Engine
from bot.core.intent_files import IntentLoader
from bot.core.intents import IntentSet
from bot.core.matcher import Matcher, MatchSettings
from bot.core.turns import DialogueSettings


class Knowledge:
    """Holds the current Engine; ``reload`` replaces it only when the new intents are valid."""

    def __init__(
        self,
        article: Article,
        intents_dir: Path,
        matching: MatchSettings,
        dialogue: DialogueSettings,
    ) -> None:
        self.article = article
        self.intents_dir = intents_dir
        self.matching = matching
        self.dialogue = dialogue
        self._reloading = threading.Lock()
        self._loader = IntentLoader()
        self.engine = self._build(self._loader.load(intents_dir, article))

    def _build(self, intents: IntentSet) -> Engine:
        matcher = Matcher(intents, self.article.text, self.matching)
        return Engine(self.article, intents, matcher, self.matching, self.dialogue)

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
            self.engine = self._build(self._loader.load(self.intents_dir, self.article))
            return self.engine.intents
