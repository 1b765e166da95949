"""Group commit in a thread of its own: many writes share one transaction, and each caller resumes
only after the commit that holds its write (so a reply is never sent for a turn that could still be
lost).

The writer owns its own SQLite connection. A write costs the caller one hop to that thread and
back, however many statements it holds; the writes queued while a commit runs form the next batch,
so batches grow with the load by themselves. (Through aiosqlite every statement and the commit
were a hop each: three per turn.) ``InlineWriter`` has the same
interface and writes in the caller's thread, for the terminal's single conversation.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Pending = tuple[T, "asyncio.Future[R]"]


class GroupCommitThread(Generic[T, R]):
    """One thread draining queued writes in batches of up to ``max_batch``, one commit each.

    ``connect`` opens the thread's connection (in the thread); ``write`` runs one item's
    statements on it and returns the caller's result. A batch that fails is retried item by
    item, so only the write that cannot be stored fails its caller. Callers share one event
    loop (the one the owner of the writer runs on).
    """

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        write: Callable[[sqlite3.Connection, T], R],
        *,
        max_batch: int = 256,
        name: str = "group-commit",
    ) -> None:
        self._connect, self._write, self._max_batch = connect, write, max_batch
        self._queue: queue.SimpleQueue[Pending[T, R] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._ready = threading.Event()
        self._failed: BaseException | None = None

    async def start(self) -> None:
        """Start the thread and open its connection (raises what opening it raised)."""
        self._thread.start()
        await asyncio.to_thread(self._ready.wait)
        if self._failed is not None:
            raise self._failed

    async def submit(self, item: T) -> R:
        """Queue one write; return its result once it is committed (or raise what failed)."""
        if not self._thread.is_alive():
            raise RuntimeError("the writer is not running")
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.put((item, future))
        return await future

    async def close(self) -> None:
        """Finish every queued write, then stop the writer and close its connection."""
        if self._thread.is_alive():
            self._queue.put(None)
            await asyncio.to_thread(self._thread.join)

    def _run(self) -> None:
        try:
            connection = self._connect()
        except BaseException as exc:  # reported by start()
            self._failed = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            stop = False
            while not stop:
                batch, stop = self._take()
                if batch:
                    self._flush(connection, batch)
        finally:
            connection.close()

    def _take(self) -> tuple[list[Pending[T, R]], bool]:
        """Block for one write, then take whatever else is queued; and whether to stop after."""
        first = self._queue.get()
        if first is None:
            return [], True
        batch = [first]
        while len(batch) < self._max_batch:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                return batch, False
            if more is None:  # finish this batch, then stop
                return batch, True
            batch.append(more)
        return batch, False

    def _flush(self, connection: sqlite3.Connection, batch: list[Pending[T, R]]) -> None:
        try:
            with connection:  # one transaction: commit, or roll back on error
                results = [self._write(connection, item) for item, _ in batch]
        except Exception as exc:
            if len(batch) == 1:
                _fail(batch[0][1], exc)
            else:  # find the write that fails; keep the others
                for one in batch:
                    self._flush(connection, [one])
            return
        _resolve([(future, result) for (_, future), result in zip(batch, results, strict=True)])


def _resolve(done: list[tuple[asyncio.Future[R], R]]) -> None:
    """Hand results to the loop waiting on them: one wake-up for the batch, not one each."""

    def settle() -> None:
        for future, result in done:
            if not future.done():  # else the caller gave up (cancelled)
                future.set_result(result)

    done[0][0].get_loop().call_soon_threadsafe(settle)


def _fail(future: asyncio.Future[R], error: Exception) -> None:
    """Hand an error to the loop waiting on ``future``."""

    def settle() -> None:
        if not future.done():
            future.set_exception(error)

    future.get_loop().call_soon_threadsafe(settle)


class InlineWriter(Generic[T, R]):
    """``GroupCommitThread``'s interface, writing and committing in the caller's thread.

    For a front end with one conversation and nothing else on its event loop (the terminal):
    there a hop to a writer thread and back is only latency, a good part of a turn's.
    """

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        write: Callable[[sqlite3.Connection, T], R],
    ) -> None:
        self._connect, self._write = connect, write
        self._connection: sqlite3.Connection | None = None

    async def start(self) -> None:
        """Open the connection."""
        self._connection = self._connect()

    async def submit(self, item: T) -> R:
        """Write and commit ``item`` now; return its result (or raise what failed)."""
        if self._connection is None:
            raise RuntimeError("the writer is not running")
        with self._connection:  # one transaction: commit, or roll back on error
            return self._write(self._connection, item)

    async def close(self) -> None:
        """Close the connection."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
