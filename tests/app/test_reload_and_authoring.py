"""Hot reload keeps the last good intent set; moderator authoring is atomic and race-safe."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import os
import shutil
import weakref
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot import app as app_module
from bot.app import build_knowledge
from bot.authoring import IntentAuthor, IntentDraft
from bot.config import Config
from bot.core.article import Article
from bot.core.engine import Engine
from bot.core.knowledge import Knowledge
from bot.core.loading.filememo import Listing
from bot.core.sections import load_article
from bot.errors import IntentError, IntentExistsError, ReadOnlyIntentError
from bot.reloader import IntentWatcher
from bot.store.sqlite import Store
from tests.helpers import BELLWETHER, ROOT, moderator_draft

EXAMPLES = BELLWETHER


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A real SQLite store, where moderator-added intents are recorded."""
    async with await Store.open(tmp_path / "bot.db") as opened:
        yield opened


@pytest.fixture
def knowledge(tmp_path: Path, config: Config, article: Article) -> Knowledge:
    """Knowledge over a private copy of the shipped intents."""
    shutil.copytree(ROOT / "intents", tmp_path / "intents")
    return Knowledge(article, tmp_path / "intents", config.matching, config.dialogue)


def draft(intent_id: str = "bellwether") -> IntentDraft:
    """A valid moderator draft."""
    return moderator_draft(intent_id)


def touch_later(path: Path) -> None:
    """Bump a file's mtime so a poll notices the edit even within one clock tick."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


async def test_polling_picks_up_an_edit(knowledge: Knowledge) -> None:
    """An edited intent file is picked up without a restart."""
    watcher = IntentWatcher(knowledge)
    assert not await watcher.check()
    (knowledge.intents_dir / "extra.yaml").write_text(draft().to_yaml(), encoding="utf-8")
    assert not await watcher.check()  # seen once: it may still be being written
    assert await watcher.check()
    assert knowledge.intents.get("bellwether") is not None
    reply, _ = knowledge.engine.reply_to("tell me about the bellwether", None)
    assert reply.intent_id == "bellwether"


async def test_a_broken_edit_is_rejected_whole(knowledge: Knowledge) -> None:
    """A change failing validation keeps the whole previous set and reports file:line: key."""
    reported: list[IntentError] = []

    async def report(error: IntentError) -> None:
        reported.append(error)

    watcher = IntentWatcher(knowledge, on_error=report)
    before = set(knowledge.intents.by_id)
    good = knowledge.intents_dir / "extra.yaml"
    good.write_text(draft().to_yaml(), encoding="utf-8")
    broken = knowledge.intents_dir / "turkey-coup.yaml"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("section: turkey-coup", "section: nowhere", 1),
        encoding="utf-8",
    )
    touch_later(broken)
    assert not await watcher.check()
    assert await watcher.check()
    assert set(knowledge.intents.by_id) == before  # not even the good new file is half-loaded
    assert reported and f"{broken}:" in str(reported[0])
    assert "section: unknown section 'nowhere'" in str(reported[0])
    with pytest.raises(IntentError):
        await watcher.reload("manual")


async def test_a_file_being_written_is_never_loaded_half_way(knowledge: Knowledge) -> None:
    """A file written in two parts, with a look in between, is loaded only once whole: the
    first half alone (a valid file with one intent of two) is never the set in force."""
    watcher = IntentWatcher(knowledge)
    first = draft("bellwether").to_yaml()
    other = tuple(f"{e} weathervane" for e in EXAMPLES)
    second = IntentDraft("weathervane", "turkey-coup", other, "failed military coup").to_yaml()
    second_item = second[second.index("- id:") :]
    target = knowledge.intents_dir / "zz-two.yaml"
    target.write_text(first, encoding="utf-8")
    assert not await watcher.check()
    assert knowledge.intents.get("bellwether") is None
    with target.open("a", encoding="utf-8") as stream:
        stream.write(second_item)
    touch_later(target)
    assert not await watcher.check()  # changed again since the last look: still settling
    assert knowledge.intents.get("bellwether") is None
    assert await watcher.check()
    assert knowledge.intents.get("bellwether") is not None
    assert knowledge.intents.get("weathervane") is not None


@pytest.fixture
def unfrozen_after() -> Iterator[None]:
    """Give the collector back everything a test froze."""
    yield
    gc.unfreeze()


def test_reload_freezes_the_new_engine(knowledge: Knowledge, unfrozen_after: None) -> None:
    """A reload runs no collection while it builds, then freezes the engine it put in force
    (collections over 10k intents stalled the event loop; bot.core.knowledge)."""
    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    (knowledge.intents_dir / "extra.yaml").write_text(draft().to_yaml(), encoding="utf-8")
    frozen = gc.get_freeze_count()
    gc.callbacks.append(seen)
    try:
        knowledge.reload()
    finally:
        gc.callbacks.remove(seen)
    assert knowledge.intents.get("bellwether") is not None
    assert collections == []
    assert gc.isenabled()
    assert gc.get_freeze_count() > frozen
    engine = knowledge.engine
    assert not any(o is engine for o in gc.get_objects())  # frozen: no generation holds it


def test_the_first_load_runs_no_collection(
    tmp_path: Path, config: Config, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading at start pauses the collector too (it freed nothing and cost 0.2 s at 10k
    intents), and leaves freezing to the composition root: a library caller freezes nothing."""
    collections: list[int] = []
    loading: list[bool] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and loading:
            collections.append(info["generation"])

    def watched(self: Knowledge, listing: Listing, *, first: bool) -> Engine:
        loading.append(first)
        try:
            return load(self, listing, first=first)
        finally:
            loading.clear()

    load = Knowledge._load
    monkeypatch.setattr(Knowledge, "_load", watched)
    frozen = gc.get_freeze_count()
    threshold = gc.get_threshold()
    gc.set_threshold(1, 1, 1)  # a collection due at every allocation, were the collector on
    gc.callbacks.append(seen)
    try:
        loaded = Knowledge(article, ROOT / "intents", config.matching, config.dialogue)
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*threshold)
    assert loaded.intents.get("article-author") is not None
    assert collections == []
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_the_composition_root_freezes_what_it_loaded(
    config: Config, unfrozen_after: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the first file read to its return, build_knowledge runs no collection, and it
    freezes what it loaded before the collector is back (the first collections after 10k
    intents walked them all and freed nothing)."""
    collections: list[int] = []
    reading = False

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and reading:
            collections.append(info["generation"])

    def load_article_watched(path: Path) -> Article:
        nonlocal reading
        reading = True  # collections before this point walk nothing the load made
        return load_article(path)

    monkeypatch.setattr(app_module, "load_article", load_article_watched)
    # No snapshot: its writer thread, still pickling once the collector is back, could run a
    # collection of its own before the callback is removed.
    settings = dataclasses.replace(config, intent_cache=None)
    frozen = gc.get_freeze_count()
    threshold = gc.get_threshold()
    gc.set_threshold(1, 1, 1)  # a collection due at every allocation, were the collector on
    gc.callbacks.append(seen)
    try:
        loaded = build_knowledge(settings)
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*threshold)
    assert reading and collections == []
    assert gc.isenabled()
    assert gc.get_freeze_count() > frozen
    assert not any(o is loaded.engine for o in gc.get_objects())


def test_a_failed_build_freezes_nothing(
    tmp_path: Path, config: Config, unfrozen_after: None
) -> None:
    """Intents that do not load leave the collector as it was, with nothing frozen."""
    folder = tmp_path / "intents"
    folder.mkdir()
    (folder / "broken.yaml").write_text("intents: [", encoding="utf-8")
    frozen = gc.get_freeze_count()
    with pytest.raises(IntentError):
        build_knowledge(dataclasses.replace(config, intents=folder, intent_cache=None))
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_a_rejected_reload_freezes_nothing(knowledge: Knowledge, unfrozen_after: None) -> None:
    """A failed load stays collectable (its traceback holds the half-built set)."""
    (knowledge.intents_dir / "broken.yaml").write_text("intents: [", encoding="utf-8")
    frozen = gc.get_freeze_count()
    with pytest.raises(IntentError):
        knowledge.reload()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_the_replaced_engine_needs_no_collector(knowledge: Knowledge) -> None:
    """The engine a reload replaces is freed by reference counting alone: a reference cycle in
    it would, once frozen, leak a whole engine per reload."""
    replaced = weakref.ref(knowledge.engine)
    matcher = weakref.ref(knowledge.engine.matcher)
    (knowledge.intents_dir / "extra.yaml").write_text(draft().to_yaml(), encoding="utf-8")
    gc.disable()
    try:
        knowledge.reload()
        assert replaced() is None and matcher() is None
    finally:
        gc.enable()


async def test_concurrent_adds_of_one_id_one_wins(knowledge: Knowledge, store: Store) -> None:
    """Two moderators adding the same id at once: one wins, the other is told clearly."""
    author = IntentAuthor(knowledge, store.added_intents)
    results = await asyncio.gather(author.add(draft()), author.add(draft()), return_exceptions=True)
    assert sum(isinstance(r, IntentExistsError) for r in results) == 1
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert len(list(knowledge.intents_dir.glob("added-*.yaml"))) == 1


@pytest.mark.parametrize("fail_at", ["write", "fsync", "replace"])
async def test_a_crash_while_writing_leaves_no_file(
    knowledge: Knowledge, store: Store, monkeypatch: pytest.MonkeyPatch, fail_at: str
) -> None:
    """A failure at any step of the write leaves no intent file and the set unchanged."""
    author = IntentAuthor(knowledge, store.added_intents)
    before = set(knowledge.intents.by_id)

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(f"simulated crash at {fail_at}")

    target = {"write": "fdopen", "fsync": "fsync", "replace": "replace"}[fail_at]
    monkeypatch.setattr(f"bot.files.os.{target}", boom)
    with pytest.raises(OSError, match="simulated crash"):
        await author.add(draft())
    monkeypatch.undo()
    assert not list(knowledge.intents_dir.glob("added-*"))
    assert not [p for p in knowledge.intents_dir.iterdir() if p.suffix != ".yaml"]
    assert set(knowledge.intents.by_id) == before
    # Undone in the database too (or never stored, when the step failed before that).
    assert all(row.removed for row in await store.added_intents.all())


async def test_added_file_is_whole_and_removable(knowledge: Knowledge, store: Store) -> None:
    """An added intent is a complete file of its own; removing it restores the set."""
    author = IntentAuthor(knowledge, store.added_intents)
    await author.add(draft())
    path = knowledge.intents_dir / "added-bellwether.yaml"
    assert "version: 1" in path.read_text(encoding="utf-8")
    await author.remove("bellwether")
    assert not path.exists() and knowledge.intents.get("bellwether") is None
    with pytest.raises(ReadOnlyIntentError):
        await author.remove("turkey-coup")


async def test_removing_an_intent_mid_conversation(knowledge: Knowledge, store: Store) -> None:
    """A conversation whose last answer was a removed intent goes on without error."""
    author = IntentAuthor(knowledge, store.added_intents)
    await author.add(draft())
    _, state = knowledge.engine.reply_to("tell me about the bellwether", None)
    assert state is not None and state.intent_id == "bellwether"
    await author.remove("bellwether")
    reply, _ = knowledge.engine.reply_to("more", state)
    assert reply.answered and reply.quote is not None
    reply, _ = knowledge.engine.reply_to("tell me about the bellwether", state)
    assert reply.intent_id != "bellwether" and knowledge.intents.get("bellwether") is None


async def test_leftovers_of_a_killed_write_are_swept(knowledge: Knowledge, store: Store) -> None:
    """A temporary file left by a process killed mid-write is removed and never loaded."""
    leftover = knowledge.intents_dir / ".tmp-abc.part"
    leftover.write_text("version: 1\nintents: [", encoding="utf-8")
    IntentAuthor(knowledge, store.added_intents)
    assert not leftover.exists()


@pytest.mark.parametrize(
    ("examples", "message"),
    [
        ((*EXAMPLES, "Bellwether?"), "'Bellwether?' is listed twice"),
        ((*EXAMPLES, "why " * 100), "each example is one question of at most 300 characters"),
    ],
)
async def test_form_problems_name_the_field(
    knowledge: Knowledge, store: Store, examples: tuple[str, ...], message: str
) -> None:
    """Form-level problems are reported against the form field, not a generated file's lines."""
    bad = IntentDraft("bellwether", "turkey-coup", examples)
    with pytest.raises(IntentError) as info:
        IntentAuthor(knowledge, store.added_intents).validate(bad)
    assert [(p.key, p.message) for p in info.value.problems] == [("examples", message)]
