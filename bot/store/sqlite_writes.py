"""What the SQLite store writes, and the statements that write it (run in the writer's thread).

Every write of the store (turns, votes, audit entries, delivery failures, pruning) is one of
these items, handed to the one writer (``bot.store.writer``) and applied by ``apply_write``
inside its transaction.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass

from bot.core.replies import State
from bot.store.records import TurnRecord


@dataclass(frozen=True)
class TurnWrite:
    """A turn to log and its conversation's state to save."""

    turn: TurnRecord
    state: State | None


@dataclass(frozen=True)
class VoteWrite:
    """A 👍 (1) or 👎 (-1) on a logged turn."""

    turn_id: int
    user: str
    vote: int


@dataclass(frozen=True)
class AuditWrite:
    """A moderator's change."""

    actor: str
    action: str
    detail: str


@dataclass(frozen=True)
class FailureWrite:
    """A reply that could not be delivered."""

    turn_id: int
    error: str


@dataclass(frozen=True)
class IntentWrite:
    """A moderator-added intent stored (``text``) or marked removed (``text`` None)."""

    intent_id: str
    text: str | None
    actor: str


@dataclass(frozen=True)
class PruneWrite:
    """Delete what is older than ``before``."""

    before: float


# Everything the bot writes goes through one writer (``Store._writes``), in one connection.
Write = TurnWrite | VoteWrite | AuditWrite | FailureWrite | PruneWrite | IntentWrite

# A change's revision: one more than any before (one writer, so no two changes share it).
NEXT_REVISION = "(SELECT coalesce(max(revision), 0) + 1 FROM added_intents)"
# A new id, or one removed before: stored. One in force: left alone (rowcount 0).
ADD_INTENT = f"""
INSERT INTO added_intents (id, yaml, actor, at, removed, revision)
VALUES (?, ?, ?, ?, 0, {NEXT_REVISION})
ON CONFLICT (id) DO UPDATE SET yaml=excluded.yaml, actor=excluded.actor, at=excluded.at,
    removed=0, revision=excluded.revision
WHERE added_intents.removed
"""
REMOVE_INTENT = f"""
UPDATE added_intents SET removed=1, actor=?, at=?, revision={NEXT_REVISION}
WHERE id=? AND NOT removed
"""


def apply_write(db: sqlite3.Connection, item: Write) -> int:
    """Run one write's statements (in the writer's transaction); its result for the caller."""
    now = time.time()
    if isinstance(item, TurnWrite):
        return insert_turn(db, item, now)
    if isinstance(item, VoteWrite):
        if db.execute("SELECT 1 FROM turns WHERE id=?", (item.turn_id,)).fetchone() is None:
            return 0
        db.execute(
            "INSERT INTO feedback (turn_id, user, vote, at) VALUES (?,?,?,?)"
            " ON CONFLICT (turn_id, user) DO UPDATE SET vote=excluded.vote, at=excluded.at",
            (item.turn_id, item.user, item.vote, now),
        )
        return 1
    if isinstance(item, IntentWrite):
        if item.text is None:
            return db.execute(REMOVE_INTENT, (item.actor, now, item.intent_id)).rowcount
        return db.execute(ADD_INTENT, (item.intent_id, item.text, item.actor, now)).rowcount
    if isinstance(item, PruneWrite):
        old = "SELECT id FROM turns WHERE at < ?"
        db.execute(f"DELETE FROM feedback WHERE turn_id IN ({old})", (item.before,))
        db.execute(f"DELETE FROM delivery_failures WHERE turn_id IN ({old})", (item.before,))
        db.execute("DELETE FROM conversations WHERE updated_at < ?", (item.before,))
        return db.execute("DELETE FROM turns WHERE at < ?", (item.before,)).rowcount
    if isinstance(item, AuditWrite):
        db.execute(
            "INSERT INTO audit (at, actor, action, detail) VALUES (?,?,?,?)",
            (now, item.actor, item.action, item.detail),
        )
        return 0
    db.execute(
        "INSERT INTO delivery_failures (turn_id, at, error) VALUES (?,?,?)",
        (item.turn_id, now, item.error),
    )
    return 0


def insert_turn(db: sqlite3.Connection, item: TurnWrite, now: float) -> int:
    """Log one turn and save its conversation's state."""
    turn, state = item.turn, item.state
    key = turn.key
    cursor = db.execute(
        "INSERT INTO turns (at, guild, channel, user, question, kind, intent, section, score,"
        " answered) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            now,
            key.guild,
            key.channel,
            key.user,
            turn.question,
            turn.kind,
            turn.intent,
            turn.section,
            turn.score,
            int(turn.answered),
        ),
    )
    turn_id = int(cursor.lastrowid or 0)
    if state is not None:
        blob = json.dumps(
            {"intent": state.intent_id, "section": state.section_id, "cursor": state.cursor}
        )
        db.execute(
            "INSERT INTO conversations (guild, channel, user, state, updated_at)"
            " VALUES (?,?,?,?,?) ON CONFLICT (guild, channel, user)"
            " DO UPDATE SET state=excluded.state, updated_at=excluded.updated_at",
            (key.guild, key.channel, key.user, blob, now),
        )
    return turn_id
