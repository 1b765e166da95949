"""What every store backend offers the rest of the bot: one ``typing.Protocol``, so mypy checks
that the SQLite and the PostgreSQL store both implement it (``bot.store.factory`` returns either
as a ``Storage``)."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from bot.core.replies import State
from bot.store.records import (
    AddedIntent,
    ConversationKey,
    Stats,
    TurnRecord,
    UnansweredQuestion,
    Usage,
)


class Listener(Protocol):
    """A live subscription to changes of the added intents (PostgreSQL's LISTEN)."""

    @property
    def alive(self) -> bool:
        """False once its connection is gone: the caller listens again (and polls meanwhile)."""

    async def close(self) -> None:
        """Stop listening."""


class IntentRows(Protocol):
    """Moderator-added intents, kept in the database so every process serving it has them."""

    async def revision(self) -> int:
        """A number that grows with every committed change (add or remove) of any of them."""

    async def all(self) -> list[AddedIntent]:
        """Every added intent, removed ones included, by id."""

    async def add(self, intent_id: str, text: str, actor: str) -> bool:
        """Store a new one (or bring back a removed one); False if one by that id is in force."""

    async def remove(self, intent_id: str, actor: str) -> bool:
        """Mark one removed; False if none by that id is in force."""

    async def listen(self, on_change: Callable[[], None]) -> Listener | None:
        """Call ``on_change`` (on the event loop) whenever any process changes them; None when
        the backend cannot tell (SQLite) or cannot now (its server is away): poll instead."""


class Storage(Protocol):
    """Conversation state, the turn log, feedback, delivery failures, the audit trail and the
    moderator-added intents."""

    @property
    def added_intents(self) -> IntentRows:
        """The moderator-added intents."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def close(self) -> None:
        """Finish queued writes and close the connection(s)."""

    async def schema_version(self) -> int:
        """Return the number of migrations applied."""

    async def load_state(self, key: ConversationKey, *, max_age_s: float) -> State | None:
        """Return the conversation's state, or None when there is none or it has expired."""

    async def record_turn(self, turn: TurnRecord, state: State | None) -> int:
        """Log a turn and save the state; return the turn id once committed (StoreWriteError)."""

    async def logged_turn(self, turn_id: int) -> TurnRecord | None:
        """Return one logged turn, or None."""

    async def turn_owner(self, turn_id: int) -> str | None:
        """Return who asked a logged turn, or None if there is no such turn."""

    async def record_feedback(self, turn_id: int, user: str, vote: int) -> bool:
        """Store a vote (1 or -1), the latest per user per turn; False if there is no turn."""

    async def feedback_for(self, turn_id: int) -> dict[str, int]:
        """Return the votes on one answer, by user."""

    async def recent_turns(self, limit: int = 50) -> list[TurnRecord]:
        """Return the latest turns, newest first."""

    async def unanswered(self, limit: int = 10) -> list[UnansweredQuestion]:
        """Return questions that got no answer, most frequent first."""

    async def stats(self) -> Stats:
        """Return answers per intent and section, feedback totals and the unanswered count."""

    async def usage(self, days: int = 30, now: float | None = None) -> Usage:
        """Return questions per section and per day over the last ``days`` whole UTC days."""

    async def record_delivery_failure(self, turn_id: int, error: str) -> None:
        """Remember that the reply to a logged turn could not be posted."""

    async def delivery_failures(self) -> list[tuple[int, str]]:
        """Return (turn id, error) of replies that could not be posted, oldest first."""

    async def audit(self, actor: str, action: str, detail: str) -> None:
        """Record a moderator's change (who, when, what)."""

    async def prune(self, before: float) -> int:
        """Delete turns logged before ``before`` (with their votes and delivery failures) and
        conversations idle since then; return how many turns went."""

    async def audit_log(self, limit: int = 20) -> list[tuple[float, str, str, str]]:
        """Return the latest audit entries (at, actor, action, detail), newest first."""
