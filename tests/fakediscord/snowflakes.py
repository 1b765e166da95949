"""Snowflakes (Discord's time-based ids, which also decide a guild's shard) and timestamps."""

from __future__ import annotations

import datetime
import time

__all__ = ["DISCORD_EPOCH_MS", "SnowflakeGenerator", "utcnow_iso"]

DISCORD_EPOCH_MS = 1_420_070_400_000


def utcnow_iso() -> str:
    """The current time as Discord formats timestamps."""
    return datetime.datetime.now(datetime.UTC).isoformat()


class SnowflakeGenerator:
    """Strictly increasing, time-based snowflakes (so ``created_at`` is sensible)."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        """Return a new snowflake."""
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """A new snowflake whose guild shard is ``shard_id``: ``(id >> 22) % shard_count``.

        The shard depends on the snowflake's millisecond only, so this moves to the next
        millisecond with the right remainder (at most ``shard_count - 1`` ms ahead of now).
        """
        now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        ms = max(now_ms, (self._last >> 22) + 1)
        ms += (shard_id - ms) % shard_count
        self._last = ms << 22
        return self._last
