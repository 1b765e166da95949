"""The terminal front ends: commands, "did you mean" numbers, quit words, bad lines, old state."""

from __future__ import annotations

from pathlib import Path

from bot.core.knowledge import Knowledge
from bot.core.turns import ReplyKind, State
from bot.records import ConversationKey, TurnRecord
from bot.service import ChatService
from bot.store import Store

ALICE = ConversationKey("g", "c", "alice")


async def test_state_from_another_article_is_dropped(tmp_path: Path, knowledge: Knowledge) -> None:
    """A stored state naming a section this article lacks starts a fresh conversation."""
    path = tmp_path / "x.db"
    async with await Store.open(path) as store:
        record = TurnRecord(ALICE, "old", "answer", None, "no-such-section", 90.0, True)
        await store.record_turn(record, State(None, "no-such-section", 12))
    async with await Store.open(path) as store:
        service = ChatService(knowledge, store, expiry_minutes=30)
        more = await service.ask(ALICE, "tell me more")
        assert more.reply.kind is ReplyKind.SMALLTALK and not more.reply.answered
        why = await service.ask(ALICE, "why?")
        assert why.reply.kind is ReplyKind.SMALLTALK
        button = await service.more(ALICE, State(None, "no-such-section", 0))
        assert button.reply.kind is ReplyKind.SMALLTALK
        answer = await service.ask(ALICE, "turky coup")
        assert answer.reply.answered and answer.reply.section_id == "turkey-coup"
