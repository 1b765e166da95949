"""The conversation service over the real engine and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from bot.core.knowledge import Knowledge
from bot.service import ChatService
from bot.store.interface import Storage
from bot.store.records import ConversationKey
from tests.store.conftest import Database

ALICE = ConversationKey("g", "c", "alice")
BOB = ConversationKey("g", "c", "bob")


async def test_follow_up_state_is_per_user_and_survives_restart(
    database: Database, knowledge: Knowledge
) -> None:
    """Alice's "more" continues her answer after a restart; Bob's "more" knows nothing of it."""
    async with await database.open() as store:
        service = ChatService(knowledge, store, expiry_minutes=30)
        first = await service.ask(ALICE, "what does russia gain")
        assert first.reply.answered and first.turn_id > 0
    async with await database.open() as store:
        service = ChatService(knowledge, store, expiry_minutes=30)
        more = await service.ask(ALICE, "more")
        assert more.reply.continued and more.reply.quote is not None
        assert first.reply.quote is not None and more.reply.quote.start > first.reply.quote.start
        bob = await service.ask(BOB, "more")
        assert not bob.reply.answered


async def test_every_turn_is_logged(store: Storage, knowledge: Knowledge) -> None:
    """Answered and unanswered turns are both logged; unanswered ones are kept for moderators."""
    service = ChatService(knowledge, store, expiry_minutes=30)
    await service.ask(ALICE, "aleppo")
    await service.ask(ALICE, "best pizza in naples?")
    turns = await store.recent_turns()
    assert [t.answered for t in turns] == [False, True]
    assert [u.question for u in await store.unanswered()] == ["best pizza in naples?"]


async def test_choose_and_more_buttons(store: Storage, knowledge: Knowledge) -> None:
    """Choosing a suggestion answers it; "more" then continues from that answer."""
    service = ChatService(knowledge, store, expiry_minutes=30)
    chosen = await service.choose(ALICE, "turkey-coup")
    assert chosen.reply.intent_id == "turkey-coup"
    more = await service.more(ALICE)
    assert more.reply.continued and more.reply.section_id == "turkey-coup"


async def test_the_logged_question_is_the_one_answered(
    store: Storage, knowledge: Knowledge
) -> None:
    """A long paste with control characters is read once: the turn log holds exactly the text
    the engine answered (cleaned, capped to max_question_chars), not a longer or rawer one."""
    engine = knowledge.engine
    pasted = "what does russia gain\x00\u200b " + "and also " * 1200
    service = ChatService(knowledge, store, expiry_minutes=30)
    result = await service.ask(ALICE, pasted)
    logged = (await store.recent_turns(1))[0].question
    assert logged == engine.read(pasted)
    assert len(logged) <= engine.settings.max_question_chars
    assert "\x00" not in logged and "\u200b" not in logged
    assert result.reply.kind == engine.reply_to(pasted, None)[0].kind
