"""What only PostgreSQL promises: several processes on one database, one migration among
processes starting together, clear errors for a server that refuses or is not there, and turns
that go on being answered while it is gone."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.knowledge import Knowledge
from bot.core.replies import State
from bot.errors import StoreOpenError, StoreWriteError
from bot.service import ChatService
from bot.store.factory import open_store
from bot.store.pg_schema import MIGRATIONS
from bot.store.postgres import PostgresStore
from bot.store.records import ConversationKey, TurnRecord
from tests.pgserver import BOT_PASSWORD, PgCluster, free_port

ALICE = ConversationKey("g", "c", "alice")
BOB = ConversationKey("g", "c", "bob")


def answered(key: ConversationKey, question: str) -> TurnRecord:
    """An answered turn."""
    return TurnRecord(key, question, "answer", "coup", "turkey-coup", 80.0, True)


async def test_two_stores_see_each_others_turns_and_state(pg_url: str) -> None:
    """Two stores on one database (two connections, as two processes or machines have): each
    reads the turns, votes and conversation state the other wrote, the latest state winning."""
    async with await open_store(pg_url) as one, await open_store(pg_url) as two:
        first = await one.record_turn(answered(ALICE, "q1"), State("coup", "turkey-coup", 1))
        assert await two.load_state(ALICE, max_age_s=60) == State("coup", "turkey-coup", 1)
        assert await two.logged_turn(first) == answered(ALICE, "q1")
        second = await two.record_turn(answered(ALICE, "q2"), State("coup", "turkey-coup", 2))
        assert second > first
        assert await one.load_state(ALICE, max_age_s=60) == State("coup", "turkey-coup", 2)
        assert await two.record_feedback(first, "bob", 1)
        assert await one.feedback_for(first) == {"bob": 1}
        assert [t.question for t in await one.recent_turns()] == ["q2", "q1"]
        assert (await one.stats()).turns == (await two.stats()).turns == 2


async def test_five_stores_opening_a_fresh_database_at_once_migrate_it_once(
    pg_server: PgCluster, pg_url: str
) -> None:
    """Five stores opened at the same moment all succeed, and each migration is applied once."""
    stores = await asyncio.gather(*(PostgresStore.open(pg_url) for _ in range(5)))
    try:
        assert [await s.schema_version() for s in stores] == [len(MIGRATIONS)] * 5
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    name = pg_url.rsplit("/", 1)[1]
    applied = pg_server.psql("SELECT string_agg(version::text, ',') FROM schema_version", name)
    assert applied == ",".join(str(n) for n in range(1, len(MIGRATIONS) + 1))


@pytest.mark.parametrize(
    ("make_url", "reason"),
    [
        (lambda c: c.url(c.create_database(), password="wrong-Pa55-word"), "password"),
        (lambda c: c.url("no_such_database"), "does not exist"),
        (lambda c: c.url("t1", port=free_port()), "connection refused"),
    ],
    ids=["wrong-password", "no-database", "unreachable-port"],
)
async def test_a_server_that_refuses_is_one_typed_line_without_the_password(
    pg_server: PgCluster, make_url: object, reason: str
) -> None:
    """A wrong password, a missing database, a port nobody listens on: StoreOpenError naming
    the server (password shown as ***) with the reason on one line, never the password."""
    url = make_url(pg_server)  # type: ignore[operator]
    with pytest.raises(StoreOpenError) as caught:
        await open_store(url)
    message = str(caught.value)
    assert message.startswith("cannot open the database postgresql://articlebot:***@127.0.0.1:")
    assert reason in message.lower() and "\n" not in message
    assert BOT_PASSWORD not in message and "wrong-Pa55-word" not in message


async def test_turns_are_answered_while_the_server_is_gone_and_saved_once_it_is_back(
    pg_server: PgCluster, pg_url: str, knowledge: Knowledge
) -> None:
    """Connections cut and refused: questions are still answered, marked unsaved; when the
    server takes connections again, turns are stored again (the pool reconnects)."""
    name = pg_url.rsplit("/", 1)[1]
    key = ConversationKey("g", "c", "u")
    async with await open_store(pg_url) as store:
        service = ChatService(knowledge, store, expiry_minutes=30)
        assert (await service.ask(key, "turky coup")).saved
        pg_server.psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        pg_server.psql(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname='{name}'"
        )
        await asyncio.sleep(0.05)  # the pool hears its connections close
        blocked = await service.ask(key, "turky coup")
        assert blocked.reply.answered and not blocked.saved
        with pytest.raises(StoreWriteError):
            await store.audit("mod", "intent.add", "x")
        pg_server.psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        again = await service.ask(key, "more")
        assert again.saved and again.reply.continued
        assert [t.question for t in await store.recent_turns()] == ["more", "turky coup"]
