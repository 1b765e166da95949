"""Group commit: many concurrent writes share one transaction, and each caller resumes only after
the commit that holds its write (so a reply is never sent for a turn that could still be lost)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """A single writer task that drains queued writes in batches of up to ``max_batch``."""

    def __init__(
        self,
        write: Callable[[T], Awaitable[R]],
        commit: Callable[[], Awaitable[None]],
        rollback: Callable[[], Awaitable[None]],
        *,
        max_batch: int = 256,
    ) -> None:
        self._write, self._commit, self._rollback = write, commit, rollback
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[T, asyncio.Future[R]] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """Queue one write; return its result once it is committed (or raise what failed)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="group-commit")
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        await self._queue.put((item, future))
        return await future

    async def _run(self) -> None:
        while True:
            entry = await self._queue.get()
            if entry is None:
                return
            batch = [entry]
            while len(batch) < self._max_batch and not self._queue.empty():
                more = self._queue.get_nowait()
                if more is None:
                    await self._flush(batch)
                    return
                batch.append(more)
            await self._flush(batch)

    async def _flush(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = [await self._write(item) for item, _ in batch]
            await self._commit()
        except Exception as exc:  # every caller of the batch learns its write was not kept
            with contextlib.suppress(Exception):
                await self._rollback()
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def close(self) -> None:
        """Finish every queued write, then stop the writer."""
        if self._task is not None:
            await self._queue.put(None)
            await self._task
            self._task = None
