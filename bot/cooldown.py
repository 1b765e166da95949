"""A per-user sliding-window rate limit (no Discord types: keys are plain ids)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Cooldown:
    """Allows ``burst`` actions per ``window`` seconds for each key."""

    def __init__(self, burst: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.burst = max(1, burst)
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def retry_after(self, key: str) -> float:
        """Record an attempt; return 0 if allowed, else the seconds until the next is allowed."""
        if self.window <= 0:
            return 0.0
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.burst:
            return self.window - (now - hits[0])
        hits.append(now)
        if len(self._hits) > 10_000:  # forget idle users so memory stays bounded
            self._hits = {k: v for k, v in self._hits.items() if v and now - v[-1] < self.window}
        return 0.0
