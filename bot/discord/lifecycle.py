"""Graceful shutdown: stop taking questions, let the ones in flight finish."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class Lifecycle:
    """Counts handlers in flight and refuses new ones once stopping."""

    def __init__(self) -> None:
        self.accepting = True
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.asynccontextmanager
    async def work(self) -> AsyncIterator[None]:
        """Wrap one question's handling (count it as in flight)."""
        self._inflight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._inflight -= 1
            if self._inflight == 0:
                self._idle.set()

    async def stop(self, timeout: float) -> bool:
        """Stop accepting; wait up to ``timeout`` s for work in flight. True if all finished."""
        self.accepting = False
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True
