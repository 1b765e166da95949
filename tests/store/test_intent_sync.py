"""Two hosts sharing one database: what a moderator adds or removes on one reaches the other's
intents (on both backends), a file the database never had is shared, and a bad one is refused."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.authoring import IntentAuthor
from bot.config import Config
from bot.core.article import Article
from bot.core.knowledge import Knowledge
from bot.errors import IntentError
from bot.intent_sync import IntentSync, SyncResult
from bot.reloader import IntentWatcher
from bot.store.interface import IntentRows, Listener, Storage
from bot.store.records import AddedIntent
from tests.helpers import ROOT, moderator_draft
from tests.store.conftest import Database

QUESTION = "tell me about the bellwether"


class CountedRows:
    """A store's added-intent rows, counting the reads of all of them (what a sync costs)."""

    def __init__(self, rows: IntentRows) -> None:
        self.rows = rows
        self.full_reads = 0

    async def revision(self) -> int:
        return await self.rows.revision()

    async def all(self) -> list[AddedIntent]:
        self.full_reads += 1
        return await self.rows.all()

    async def add(self, intent_id: str, text: str, actor: str) -> bool:
        return await self.rows.add(intent_id, text, actor)

    async def remove(self, intent_id: str, actor: str) -> bool:
        return await self.rows.remove(intent_id, actor)

    async def listen(self, on_change: Callable[[], None]) -> Listener | None:
        return await self.rows.listen(on_change)


@dataclass
class Host:
    """One machine's process: its own intents folder and store, the shared database."""

    knowledge: Knowledge
    store: Storage
    author: IntentAuthor
    sync: IntentSync
    rows: CountedRows
    errors: list[IntentError] = field(default_factory=list)

    def answers(self, question: str) -> str | None:
        """The intent this host answers ``question`` with."""
        reply, _ = self.knowledge.engine.reply_to(question, None)
        return reply.intent_id if reply.answered else None


@pytest.fixture
async def hosts(
    tmp_path: Path, config: Config, article: Article, database: Database
) -> AsyncIterator[Callable[[str], Awaitable[Host]]]:
    """Start hosts by name, each over its own copy of the shipped intents and its own marker
    of what it last synced; starting a name again is a restart of that host."""
    stores: list[Storage] = []

    async def start(name: str) -> Host:
        folder = tmp_path / name / "intents"
        if not folder.exists():
            shutil.copytree(ROOT / "intents", folder)
        knowledge = Knowledge(article, folder, config.matching, config.dialogue)
        store = await database.open()
        stores.append(store)
        watcher = IntentWatcher(knowledge)
        author = IntentAuthor(knowledge, store.added_intents)
        rows = CountedRows(store.added_intents)
        marker = tmp_path / name / "data" / "added-intents.synced"
        sync = IntentSync(author, rows, watcher.reload, marker)
        host = Host(knowledge, store, author, sync, rows)

        async def report(error: IntentError) -> None:
            host.errors.append(error)

        watcher.on_error = report
        return host

    yield start
    for store in stores:
        await store.close()


async def comes_to_answer(host: Host, question: str, intent_id: str, seconds: float = 10) -> bool:
    """Whether ``host`` answers ``question`` with ``intent_id`` within ``seconds`` (its
    background sync working meanwhile)."""
    for _ in range(int(seconds / 0.05)):
        if host.answers(question) == intent_id:
            return True
        await asyncio.sleep(0.05)
    return host.answers(question) == intent_id


async def test_an_add_and_a_remove_reach_the_other_host(
    hosts: Callable[[str], Awaitable[Host]],
) -> None:
    """Added on A: B writes the file and answers with it; removed on A: B deletes it."""
    a, b = await hosts("a"), await hosts("b")
    assert b.answers(QUESTION) != "bellwether"
    await a.author.add(moderator_draft(), "mod-1")
    result = await b.sync.sync()
    assert result.written == ("bellwether",) and b.answers(QUESTION) == "bellwether"
    assert (b.knowledge.intents_dir / "added-bellwether.yaml").read_text(encoding="utf-8") == (
        moderator_draft().to_yaml()
    )
    assert (await b.sync.sync()).files_changed is False  # nothing new: no reload
    await a.author.remove("bellwether", "mod-1")
    result = await b.sync.sync()
    assert result.deleted == ("bellwether",) and b.answers(QUESTION) != "bellwether"
    assert not (b.knowledge.intents_dir / "added-bellwether.yaml").exists()


async def test_a_host_started_later_gets_them_at_once(
    hosts: Callable[[str], Awaitable[Host]],
) -> None:
    """A host that was away (or is new) syncs what was added meanwhile."""
    a = await hosts("a")
    await a.author.add(moderator_draft(), "mod-1")
    late = await hosts("late")
    await late.sync.sync()
    assert late.answers(QUESTION) == "bellwether"


async def test_a_restart_with_nothing_changed_reads_no_intent(
    hosts: Callable[[str], Awaitable[Host]],
) -> None:
    """A host restarting over the files its last sync left, with the database unchanged, does
    not read the added intents again; one changed meanwhile, it does, and catches up."""
    a, b = await hosts("a"), await hosts("b")
    await a.author.add(moderator_draft(), "mod-1")
    await b.sync.sync()
    assert b.rows.full_reads == 1
    again = await hosts("b")
    assert await again.sync.sync() == SyncResult() and again.rows.full_reads == 0
    await a.author.remove("bellwether", "mod-1")
    later = await hosts("b")
    assert (await later.sync.sync()).deleted == ("bellwether",) and later.rows.full_reads == 1


async def test_a_file_lost_while_stopped_is_written_again(
    hosts: Callable[[str], Awaitable[Host]],
) -> None:
    """The database did not move, but an added file went while the host was stopped: its start
    sees the folder differ from what it last synced, and writes the file back."""
    a, b = await hosts("a"), await hosts("b")
    await a.author.add(moderator_draft(), "mod-1")
    await b.sync.sync()
    (b.knowledge.intents_dir / "added-bellwether.yaml").unlink()
    again = await hosts("b")
    assert again.answers(QUESTION) != "bellwether"
    assert (await again.sync.sync()).written == ("bellwether",)
    assert again.answers(QUESTION) == "bellwether"


async def test_a_file_the_database_never_had_is_shared(
    hosts: Callable[[str], Awaitable[Host]],
) -> None:
    """An added-*.yaml in force on one host (from before the database kept them) is stored,
    and the other host gets it; the one the second host lacked is not undone there."""
    a, b = await hosts("a"), await hosts("b")
    (a.knowledge.intents_dir / "added-bellwether.yaml").write_text(moderator_draft().to_yaml())
    a.knowledge.reload()
    assert (await a.sync.sync()).adopted == ("bellwether",)
    await b.sync.sync()
    assert b.answers(QUESTION) == "bellwether" and a.answers(QUESTION) == "bellwether"


async def test_an_intent_this_host_cannot_take_is_refused_and_reported(
    hosts: Callable[[str], Awaitable[Host]],
) -> None:
    """B's own hand-written intent has the new intent's example: B's reload fails, its last
    good set stays in force, and the error goes where reload errors go."""
    a, b = await hosts("a"), await hosts("b")
    (b.knowledge.intents_dir / "local.yaml").write_text(
        moderator_draft(
            "local-only", ("what is the bellwether", *[f"local thing {n}" for n in range(4)])
        ).to_yaml()
    )
    b.knowledge.reload()
    before = set(b.knowledge.intents.by_id)
    await a.author.add(moderator_draft(), "mod-1")
    await b.sync.sync()
    assert set(b.knowledge.intents.by_id) == before
    assert b.errors and "same example as intent 'bellwether'" in str(b.errors[0])


async def test_a_row_without_a_valid_id_never_becomes_a_path(
    hosts: Callable[[str], Awaitable[Host]], tmp_path: Path
) -> None:
    """Whatever the database holds, the sync writes only inside the intents folder."""
    b = await hosts("b")
    await b.store.added_intents.add("../escape", "version: 1\nintents: []\n", "someone")
    result = await b.sync.sync()
    assert result.written == () and not (tmp_path / "b" / "escape.yaml").exists()
    assert not list(tmp_path.rglob("*escape*"))


async def test_the_running_sync_picks_up_a_change(
    hosts: Callable[[str], Awaitable[Host]], database: Database
) -> None:
    """B's background sync gets A's add by itself: told at once on PostgreSQL (its poll every
    minute would be too late for the wait below), by its poll on SQLite."""
    a, b = await hosts("a"), await hosts("b")
    await b.sync.sync()
    interval = 60.0 if database.backend == "postgresql" else 0.05
    running = asyncio.create_task(b.sync.run(interval))
    try:
        await asyncio.sleep(0.5)  # let it start listening
        await a.author.add(moderator_draft(), "mod-1")
        assert await comes_to_answer(b, QUESTION, "bellwether")
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_a_lost_listener_falls_back_to_polling(
    hosts: Callable[[str], Awaitable[Host]], database: Database
) -> None:
    """With its listening connection cut by the server (PostgreSQL), B still gets A's add by
    polling, and listens again; on SQLite polling is the only way, and works the same."""
    a, b = await hosts("a"), await hosts("b")
    await b.sync.sync()
    running = asyncio.create_task(b.sync.run(0.1))
    try:
        await asyncio.sleep(0.5)
        if database.backend == "postgresql":
            assert await database.scalar(f"SELECT count(pg_terminate_backend(pid)) {LISTENERS}")
        await a.author.add(moderator_draft(), "mod-1")
        assert await comes_to_answer(b, QUESTION, "bellwether")
        if database.backend == "postgresql":
            for _ in range(100):  # listening again, on a new connection
                if await database.scalar(f"SELECT count(*) {LISTENERS}") == 1:
                    break
                await asyncio.sleep(0.05)
            assert await database.scalar(f"SELECT count(*) {LISTENERS}") == 1
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


# The connections LISTENing on this test's database (the server is shared by the tests).
LISTENERS = "FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()"
