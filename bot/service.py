"""The conversation service: one turn = engine + stored state + turn log. Front ends call this."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.core.knowledge import Knowledge
from bot.core.replies import Reply, State
from bot.errors import StoreWriteError
from bot.store.interface import Storage
from bot.store.records import ConversationKey, TurnRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnResult:
    """A reply and the id of its logged turn (for feedback buttons).

    ``saved`` is False when the turn could not be stored (disk full, read-only, locked): the
    reader still gets the answer, with a word that the bot may forget the conversation.
    """

    reply: Reply
    turn_id: int
    saved: bool = True


class ChatService:
    """Answers questions for a conversation key, keeping state and the log in the Store."""

    def __init__(self, knowledge: Knowledge, store: Storage, *, expiry_minutes: float) -> None:
        self.knowledge = knowledge
        self.store = store
        self._max_age_s = expiry_minutes * 60.0

    async def ask(self, key: ConversationKey, question: str) -> TurnResult:
        """Answer a question in the light of this conversation's state."""
        engine = self.knowledge.engine
        text = engine.read(question)  # capped and cleaned once: what is answered is what is logged
        state = await self._state(key)
        reply, new_state = engine.reply_to_text(text, state)
        return await self._log(key, text, reply, new_state)

    async def more(self, key: ConversationKey, start: State | None = None) -> TurnResult:
        """Continue the passage this conversation last quoted, or the one ``start`` points at."""
        state = self._current(start) if start else await self._state(key)
        reply, new_state = self.knowledge.engine.more(state)
        return await self._log(key, "more", reply, new_state)

    async def choose(self, key: ConversationKey, intent_id: str) -> TurnResult:
        """Answer with a chosen intent (a "did you mean" choice)."""
        state = await self._state(key)
        reply, new_state = self.knowledge.engine.answer_intent(intent_id, state)
        return await self._log(key, f"[chose {intent_id}]", reply, new_state)

    async def _state(self, key: ConversationKey) -> State | None:
        """The conversation's stored state, if it is recent and of this article."""
        return self._current(await self.store.load_state(key, max_age_s=self._max_age_s))

    def _current(self, state: State | None) -> State | None:
        """``state``, or None when it names a section this article does not have (it was saved
        while the config pointed at another article, or a button outlived a section)."""
        if state is None or self.knowledge.article.has_section(state.section_id):
            return state
        return None

    async def _log(
        self, key: ConversationKey, question: str, reply: Reply, state: State | None
    ) -> TurnResult:
        record = TurnRecord(
            key=key,
            question=question,
            kind=reply.kind.value,
            intent=reply.intent_id,
            section=reply.section_id,
            score=reply.score,
            answered=reply.answered,
        )
        try:
            turn_id = await self.store.record_turn(record, state)
        except StoreWriteError as exc:
            log.error("turn not saved (the reply is sent anyway): %s", exc.reason)
            return TurnResult(reply, 0, saved=False)
        return TurnResult(reply, turn_id)
