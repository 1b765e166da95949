"""The composition root: build config, article, knowledge, store and service, and pass them in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.authoring import IntentAuthor
from bot.config import Config, load_config
from bot.core import collector
from bot.core.knowledge import Knowledge
from bot.core.matching.spelling import load_english
from bot.core.sections import load_article
from bot.descriptors import reserve_descriptors
from bot.intent_sync import IntentSync
from bot.reloader import IntentWatcher
from bot.service import ChatService
from bot.store.factory import open_store
from bot.store.interface import Storage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class App:
    """Everything a front end needs, built once."""

    config: Config
    knowledge: Knowledge
    store: Storage
    service: ChatService
    author: IntentAuthor  # moderators' /intent add and remove
    watcher: IntentWatcher  # reloads when the intent files change
    sync: IntentSync  # brings in what other processes added to the database


def build_knowledge(config: Config) -> Knowledge:
    """Load the article and intents named by the config (raises DataFileError subclasses).

    What it loads lives as long as the process, so it is frozen out of the collector's sight
    before the collector runs again: the first collections after loading thousands of intents
    walked every object just made and freed nothing.
    """
    with collector.loading():
        # Read now, not at the first unknown word: inside a turn, on the event loop, reading
        # the word list would stall it. And first: once the intents are loaded, the snapshot's
        # writer thread holds the interpreter's lock for much of the time.
        load_english()
        article = load_article(config.sections)
        knowledge = Knowledge(
            article, config.intents, config.matching, config.dialogue, snapshot=config.intent_cache
        )
    return knowledge


async def build_app(
    config_path: Path, db_path: Path | None = None, *, inline_writes: bool = False
) -> App:
    """Build the whole application; the caller closes ``app.store``.

    ``inline_writes`` is for the terminal: one conversation, nothing else on the loop, so turns
    are committed in place rather than by the store's writer thread.
    """
    # First, while the process may still have one thread: growing the descriptor table later,
    # under load, would stall the event loop (bot.descriptors).
    reserve_descriptors()
    config = load_config(config_path)
    knowledge = build_knowledge(config)
    store = await open_store(db_path or config.database, inline_writes=inline_writes)
    service = ChatService(knowledge, store, expiry_minutes=config.dialogue.expiry_minutes)
    author = IntentAuthor(knowledge, store.added_intents)
    watcher = IntentWatcher(knowledge)
    # Beside the snapshot: what this host last synced, so a restart need not read every file.
    cache = config.intent_cache
    marker = None if cache is None else cache.with_name("added-intents.synced")
    sync = IntentSync(author, store.added_intents, watcher.reload, marker)
    try:
        await sync.sync()  # what was added elsewhere while this process was not running
    except Exception:  # the files' set still serves; the running bot's sync tries again
        log.exception("added intents not synced with the database at start")
    return App(config, knowledge, store, service, author, watcher, sync)
