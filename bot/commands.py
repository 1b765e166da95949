"""What a line typed in the terminal means, for the interactive chat, ``chat --json`` and ``ask``.

One place reads commands (``/summary X``, ``/sections``, ``/more``, ``/help``, ``/quit``), quit
words typed without the slash, and a number picking a "did you mean" choice; anything else is a
question for the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.plaintext import outline_text, reply_text, summary_text
from bot.core.replies import ReplyKind, Suggestion
from bot.core.summary import resolve_section, summarise
from bot.errors import ArticleBotError
from bot.messages import UNSAVED, user_message
from bot.service import ChatService, TurnResult
from bot.store.records import ConversationKey

COMMANDS = "/summary [section]  /sections  /more  /help  /quit"
HELP = f"Ask anything about the article. Commands: {COMMANDS}"
QUIT_COMMANDS = frozenset({"/quit", "/exit"})
QUIT_WORDS = frozenset({"quit", "exit", "q"})
MAX_NUMBER_DIGITS = 3  # "1".."999": a pick; longer digit strings are questions


class LineKind(StrEnum):
    """What a line was, when it was not a turn (turns carry their ReplyKind)."""

    COMMAND = "command"
    UNKNOWN_COMMAND = "unknown_command"
    ERROR = "error"


@dataclass(frozen=True)
class Outcome:
    """What one line produced: a turn of the conversation, or a command's text."""

    kind: str  # a ReplyKind value for a turn, else a LineKind value
    text: str
    turn: TurnResult | None = None
    section_id: str | None = None
    quit: bool = False


class Session:
    """One terminal conversation: reads each line, remembering the pending "did you mean"."""

    def __init__(self, service: ChatService, key: ConversationKey, *, interactive: bool) -> None:
        self.service = service
        self.key = key
        self.interactive = interactive  # quit words end the chat (else they are explained)
        self.pending: tuple[Suggestion, ...] = ()

    async def handle(self, line: str) -> Outcome:
        """Answer one line; a typed error becomes an ``error`` outcome with its user message."""
        text = line.strip()
        pending, self.pending = self.pending, ()
        try:
            if pending and text.isdecimal() and len(text) <= MAX_NUMBER_DIGITS:
                return await self._pick(pending, int(text))
            if text.casefold() in QUIT_WORDS:
                return self._quit_word(text)
            if text.startswith("/"):
                return await self._command(text)
            return self._turn(await self.service.ask(self.key, text))
        except ArticleBotError as exc:
            return Outcome(LineKind.ERROR.value, user_message(exc))

    async def _pick(self, pending: tuple[Suggestion, ...], number: int) -> Outcome:
        """Answer with choice ``number`` (1-based); another number asks again."""
        if not 1 <= number <= len(pending):
            self.pending = pending
            text = f"Pick a number from 1 to {len(pending)}, or ask a question."
            return Outcome(LineKind.COMMAND.value, text)
        return self._turn(await self.service.choose(self.key, pending[number - 1].intent_id))

    def _quit_word(self, word: str) -> Outcome:
        """A bare quit word leaves the interactive chat; elsewhere it is told how one leaves."""
        if self.interactive:
            return Outcome(LineKind.COMMAND.value, "Bye.", quit=True)
        text = f"“{word}” is not a question about the article: /quit leaves the chat."
        return Outcome(LineKind.COMMAND.value, text)

    async def _command(self, text: str) -> Outcome:
        """Run a slash command; an unknown one lists those there are."""
        name, _, arg = text.partition(" ")
        name = name.casefold()
        article = self.service.knowledge.article
        if name in QUIT_COMMANDS:
            return Outcome(LineKind.COMMAND.value, "Bye.", quit=True)
        if name == "/more":
            return self._turn(await self.service.more(self.key))
        if name == "/summary":
            return self._summary(arg)
        if name == "/sections":
            return Outcome(LineKind.COMMAND.value, outline_text(article))
        if name == "/help":
            return Outcome(LineKind.COMMAND.value, HELP)
        shown = name if len(name) <= 40 else name[:39] + "…"
        text = f"Unknown command {shown}. Commands: {COMMANDS}"
        return Outcome(LineKind.UNKNOWN_COMMAND.value, text)

    def _summary(self, arg: str) -> Outcome:
        """The article's summary, or a section's: named as Discord's /summary takes it."""
        article = self.service.knowledge.article
        section_id = resolve_section(article, arg) if arg.strip() else None
        text = summary_text(summarise(article, section_id))
        return Outcome(LineKind.COMMAND.value, text, section_id=section_id)

    def _turn(self, result: TurnResult) -> Outcome:
        """A turn's outcome; its "did you mean" choices become the pending ones."""
        reply = result.reply
        if reply.kind is ReplyKind.AMBIGUOUS:
            self.pending = reply.suggestions
        text = reply_text(self.service.knowledge.article, reply)
        if not result.saved:
            text += "\n" + UNSAVED
        return Outcome(reply.kind.value, text, turn=result)
