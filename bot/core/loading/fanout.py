"""Run a function over many items in worker processes, in chunks, when there are enough of them.

Parsing and checking ten thousand intent files is about a second of CPU in one process (libyaml
builds its nodes while holding the GIL, so threads would not help). Spread over the machine's
cores it takes a fraction of that. Workers live only for the one call.

Workers are forked, and only while this process has a single thread: at start, before the store's
writer or any executor thread exists. Forking a process with other threads can copy a lock one of
them holds; spawning instead costs more at start and runs the caller's ``__main__`` again in every
worker, which a script without a ``__main__`` guard does not survive. So a reload (which runs in
a worker thread of the running bot) does its work in place; it seldom has many new files.

If worker processes cannot be started or one dies, the whole batch runs again in place: the
result is the same, only slower.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from bot.core import collector

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A")

# Below this many items the workers cost about what they save (forking them and collecting
# their results against reading, parsing and checking the files here; benchmarks/README.md).
MIN_ITEMS = 2000
# Items per task: small enough to share the work out evenly, large enough that each task's
# arguments and results cross the process boundary in one go.
CHUNK = 500
# A machine with many cores gains little past this: results are unpickled by the one parent.
MAX_WORKERS = 8


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity where the platform tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _may_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def map_chunked(
    work: Callable[[Sequence[T], A], list[R]],
    items: Sequence[T],
    shared: A,
    *,
    min_items: int | None = None,
    workers: int | None = None,
) -> list[R]:
    """``work(items, shared)``, computed chunk by chunk in worker processes when worth it.

    ``work`` maps a chunk of items to one result per item, in order; it and ``shared`` must be
    picklable (``work`` a module-level function). Results come back in the order of ``items``.
    ``min_items`` (default ``MIN_ITEMS``) and ``workers`` (default: the usable CPUs, at most
    ``MAX_WORKERS``) say when and how widely to spread.
    """
    count = min(MAX_WORKERS, usable_cpus()) if workers is None else workers
    enough = len(items) >= (MIN_ITEMS if min_items is None else min_items)
    if count < 2 or not enough or not _may_fork():
        return work(items, shared)
    chunks = [items[n : n + CHUNK] for n in range(0, len(items), CHUNK)]
    try:
        # With "fork" the pool starts every worker before its own manager thread.
        context = multiprocessing.get_context("fork")
        # Workers live for this call only and never collect (bot.core.collector).
        with ProcessPoolExecutor(
            count, mp_context=context, initializer=collector.worker_started
        ) as pool:
            parts = pool.map(work, chunks, [shared] * len(chunks))
            return [result for part in parts for result in part]
    except (OSError, NotImplementedError, BrokenProcessPool) as exc:
        # OSError: no processes or semaphores to be had (a locked-down container);
        # NotImplementedError: a platform without working semaphores; BrokenProcessPool: a
        # worker died (out of memory, killed).
        log.warning("worker processes failed (%s); doing the work in this process", exc)
        return work(items, shared)
