"""Moderator-added intents in the database, on both backends: stored once, removed as a row,
each change growing the revision, and (PostgreSQL) told to listeners."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.store.interface import Storage
from tests.store.conftest import Database

DOC = "version: 1\nintents:\n- id: {id}\n  section: turkey-coup\n  examples: [what is {id}]\n"


async def test_an_id_in_force_is_stored_once(store: Storage) -> None:
    """The second add of an id in force is refused; after a remove it can come back."""
    rows = store.added_intents
    assert await rows.add("bellwether", DOC.format(id="bellwether"), "mod-1")
    assert not await rows.add("bellwether", "other text", "mod-2")
    [row] = await rows.all()
    assert (row.id, row.actor, row.removed) == ("bellwether", "mod-1", False)
    assert row.text == DOC.format(id="bellwether")
    assert await rows.remove("bellwether", "mod-2")
    assert not await rows.remove("bellwether", "mod-2")
    [row] = await rows.all()
    assert (row.removed, row.actor) == (True, "mod-2")
    assert await rows.add("bellwether", "new text", "mod-3")
    [row] = await rows.all()
    assert (row.removed, row.text) == (False, "new text")


async def test_every_change_grows_the_revision(store: Storage) -> None:
    """Add, refused add, remove, add again: the revision grows exactly when a row changed."""
    rows = store.added_intents
    seen = [await rows.revision()]
    steps: list[Callable[[], Awaitable[bool]]] = [
        lambda: rows.add("a", DOC.format(id="a"), "m"),
        lambda: rows.add("b", DOC.format(id="b"), "m"),
        lambda: rows.add("a", "again", "m"),  # refused: no change
        lambda: rows.remove("a", "m"),
        lambda: rows.remove("zzz", "m"),  # nothing to remove: no change
        lambda: rows.add("a", "back", "m"),
    ]
    changed = []
    for step in steps:
        changed.append(await step())
        seen.append(await rows.revision())
    assert changed == [True, True, False, True, False, True]
    for before, after, did in zip(seen[:-1], seen[1:], changed, strict=True):
        assert (after > before) if did else (after == before)


async def test_another_process_sees_them(store: Storage, database: Database) -> None:
    """What one process stores, another (its own store on the same database) reads."""
    await store.added_intents.add("a", DOC.format(id="a"), "m")
    async with await database.open() as other:
        assert [r.id for r in await other.added_intents.all()] == ["a"]
        assert await other.added_intents.revision() == await store.added_intents.revision()
    assert await database.scalar("SELECT count(*) FROM added_intents") == 1


async def test_listeners_hear_of_changes_on_postgresql(store: Storage, database: Database) -> None:
    """PostgreSQL tells a listening process of another's add and remove at once; SQLite cannot
    tell, and says so (its processes poll)."""
    heard = asyncio.Event()
    async with await database.open() as other:
        listener = await other.added_intents.listen(heard.set)
        if database.backend == "sqlite":
            assert listener is None
            return
        assert listener is not None and listener.alive
        try:
            await store.added_intents.add("a", DOC.format(id="a"), "m")
            await asyncio.wait_for(heard.wait(), 10)
            heard.clear()
            assert not await store.added_intents.add("a", "refused", "m")
            await store.added_intents.remove("a", "m")
            await asyncio.wait_for(heard.wait(), 10)
        finally:
            await listener.close()
        assert not listener.alive
