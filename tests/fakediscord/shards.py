"""One gateway connection per shard: its session, socket, queued dispatches and counters, and
the checks an IDENTIFY's ``shard`` field must pass."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["INVALID_SHARD", "SHARDING_REQUIRED", "GatewaySession", "ShardLink", "shard_refusal"]

INVALID_SHARD = 4010
SHARDING_REQUIRED = 4011


@dataclass(eq=False)
class GatewaySession:
    """A gateway session: its sequence number and every dispatch as sent, for RESUME replays."""

    id: str
    intents: int
    seq: int = 0
    events: list[tuple[int, str]] = field(default_factory=list)  # (seq, frame text)
    valid: bool = True


@dataclass(eq=False)
class ShardLink:
    """What the fake knows of one shard: its session (kept across disconnects, for RESUME),
    the socket currently serving it, and the dispatches queued from synchronous code."""

    id: int
    session: GatewaySession | None = None
    socket: web.WebSocketResponse | None = None
    identify_count: int = 0
    resume_count: int = 0
    queued: list[tuple[str, str]] = field(default_factory=list)  # (event, encoded data)

    @property
    def intents(self) -> int:
        """Intents of the shard's current session (0 before its first IDENTIFY)."""
        return self.session.intents if self.session else 0

    @property
    def connected(self) -> bool:
        """Whether the shard is identified or resumed on an open socket."""
        return self.socket is not None and not self.socket.closed and self.session is not None

    @property
    def busy(self) -> bool:
        """Whether a live session holds the shard: a second IDENTIFY for it is refused."""
        return self.connected and self.session is not None and self.session.valid

    def counts(self) -> tuple[int, int]:
        """(identify_count, resume_count) of this shard."""
        return self.identify_count, self.resume_count


def shard_refusal(
    shard: Any, shard_count: int, links: dict[int, ShardLink]
) -> tuple[int, bytes] | None:
    """The close (code, reason) for an IDENTIFY's ``shard`` field, or ``None`` to accept it.

    No field means ``[0, 1]``. An id outside ``0 <= id < count``, a malformed field or a shard
    already held by a live session gets 4010 (Invalid shard); fewer shards than the fake says
    are needed (``GET /gateway/bot``) gets 4011 (Sharding required). Stricter than Discord, a
    larger count is refused with 4010 too: the fake routes guilds for one shard count only.
    """
    pair = [0, 1] if shard is None else shard
    valid = (
        isinstance(pair, list)
        and len(pair) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
    )
    if not valid or not 0 <= pair[0] < pair[1]:
        return INVALID_SHARD, b"Invalid shard."
    if pair[1] < shard_count:
        return SHARDING_REQUIRED, b"Sharding required."
    if pair[1] > shard_count:
        return INVALID_SHARD, b"Invalid shard."
    if links[pair[0]].busy:
        return INVALID_SHARD, b"Invalid shard: the shard is already connected."
    return None
