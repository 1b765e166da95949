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
        self._warned: dict[str, float] = {}

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
            self._warned = {k: t for k, t in self._warned.items() if now - t < self.window}
        return 0.0

    def first_refusal(self, key: str) -> bool:
        """True once per window for a refused key: a public note is posted once, not per message."""
        now = self._clock()
        if now - self._warned.get(key, -self.window) < self.window:
            return False
        self._warned[key] = now
        return True
