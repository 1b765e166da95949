"""Timing an event loop's callbacks, and telling the bot's own time from the machine's.

A callback's wall time is what the loop lost. But on a shared VM part of it may not be the
bot's at all: the thread can wait for a CPU another process holds, or, in a VM, sit "on" a
vCPU that its host has stopped (steal time: the thread neither runs nor waits, as far as the
guest kernel can tell). The thread's CPU clock gives the time it ran; Linux also keeps, per
thread, the time spent runnable but waiting and how many times the thread was put on a CPU
(``/proc/thread-self/schedstat``, whose own run time is only brought up to date at scheduler
ticks, too coarse here). Read before and after a callback they split its wall time. Where the
file does not exist the wall time is all there is, and counts whole.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

SCHEDSTAT = "/proc/thread-self/schedstat"


@dataclass(frozen=True)
class Split:
    """Where one callback's wall time went (seconds)."""

    cpu: float  # on a CPU (the kernel's work for the thread included)
    waited: float  # runnable, waiting while another thread or process had the CPU
    host: float  # still on its vCPU and not running: the VM's host stopped the vCPU (steal)
    switched: bool  # the thread left the CPU meanwhile: slept in a call, or was preempted


@dataclass(frozen=True)
class Stalls:
    """What a ``StallProbe`` measured (seconds)."""

    oversleep: float  # the 1 ms sleeper's worst oversleep
    blocked: float  # the longest callback, wall clock
    blocker: str  # what it ran
    blocked_split: Split | None  # where its time went (None: no schedstat here)
    blocked_gc: float  # of it, garbage collection
    longest_gc: float  # the longest collection
    own: float  # the longest own_time of any callback


def split(wall: float, cpu: float, before: bytes, after: bytes) -> Split | None:
    """``wall`` split, given the CPU time and two readings of schedstat (None without them)."""
    if not before or not after:
        return None
    (wait0, runs0), (wait1, runs1) = _fields(before), _fields(after)
    waited = (wait1 - wait0) / 1e9
    switched = runs1 != runs0
    # Time the thread slept (in a system call, or waiting for the GIL) is not told apart from
    # steal when it also left the CPU: then nothing is put down to the host.
    host = 0.0 if switched else max(0.0, wall - cpu - waited)
    return Split(cpu, waited, host, switched)


def own_time(wall: float, parts: Split | None) -> float:
    """The part of ``wall`` that was the process's own: running, or blocked in a call.

    Without readings, all of it. Time waiting for a CPU, or on a vCPU its host stopped, is the
    machine's: the same code on an idle core would not have spent it.
    """
    if parts is None:
        return wall
    return wall - parts.waited - parts.host


def _fields(reading: bytes) -> tuple[int, int]:
    """Time waiting for a CPU (ns) and times put on one; the run time field is not used."""
    _, wait, runs = reading.split()[:3]
    return int(wait), int(runs)


def _open_schedstat() -> int | None:
    """This thread's schedstat (the thread that opens it), or None where there is none."""
    try:
        return os.open(SCHEDSTAT, os.O_RDONLY)
    except OSError:
        return None


def _reader(fd: int | None) -> Callable[[], bytes]:
    if fd is None:
        return lambda: b""
    return lambda: os.pread(fd, 128, 0)


class StallProbe:
    """Measures the event loop three ways while it runs.

    A task sleeps 1 ms in a loop and records its worst oversleep: under full load that is a whole
    loop iteration (every ready callback runs before timers fire). Every callback is timed: the
    longest one (wall clock) is the worst the loop was held by a single step, and its ``Split``
    tells how much of that was the machine's. And the longest ``own_time`` of any callback is
    the worst the bot itself held the loop. Schedstat and the CPU clock are read before each
    callback (~1.1 µs together) and after one only when it ran long enough to matter.
    """

    def __init__(self) -> None:
        self.oversleep = 0.0
        self.blocked = 0.0
        self.blocker = ""
        self.blocked_split: Split | None = None
        self.blocked_gc = 0.0
        self.longest_gc = 0.0
        self.own = 0.0
        self._gc_start = 0.0
        self._gc_spent = 0.0  # collecting, within the callback running now
        self._task: asyncio.Task[None] | None = None
        self._original = asyncio.events.Handle._run
        self._schedstat: int | None = None

    async def _sleeper(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            self.oversleep = max(self.oversleep, time.perf_counter() - start - 0.001)

    def start(self) -> None:
        """Start measuring (call from the loop being measured, in its thread)."""
        self._schedstat = _open_schedstat()
        original, probe, read = self._original, self, _reader(self._schedstat)

        def timed(handle: asyncio.Handle) -> None:
            probe._gc_spent = 0.0
            # The wall clock spans the readings, so that whatever they count it counts too.
            start = time.perf_counter()
            before, ran = read(), time.thread_time()
            try:
                original(handle)
            finally:
                if time.perf_counter() - start > probe.own:  # own <= wall: else not a longest
                    ran, after = time.thread_time() - ran, read()
                    spent = time.perf_counter() - start
                    probe._record(handle, spent, split(spent, ran, before, after))

        asyncio.events.Handle._run = timed  # type: ignore[method-assign,assignment]
        gc.callbacks.append(self._collection)
        self._task = asyncio.create_task(self._sleeper())

    def _record(self, handle: asyncio.Handle, wall: float, parts: Split | None) -> None:
        if wall > self.blocked:
            self.blocked, self.blocker, self.blocked_split = wall, _what(handle), parts
            self.blocked_gc = self._gc_spent
        self.own = max(self.own, own_time(wall, parts))

    def _collection(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            spent = time.perf_counter() - self._gc_start
            self._gc_spent += spent
            self.longest_gc = max(self.longest_gc, spent)

    def stop(self) -> Stalls:
        """Stop measuring; return the figures."""
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign]
        gc.callbacks.remove(self._collection)
        if self._task is not None:
            self._task.cancel()
        if self._schedstat is not None:
            os.close(self._schedstat)
            self._schedstat = None
        return Stalls(
            self.oversleep,
            self.blocked,
            self.blocker,
            self.blocked_split,
            self.blocked_gc,
            self.longest_gc,
            self.own,
        )


def _what(handle: asyncio.Handle) -> str:
    """The coroutine a callback ran a step of, or the callback itself."""
    task = getattr(getattr(handle, "_callback", None), "__self__", None)
    if isinstance(task, asyncio.Task):
        return f"a step of {task.get_coro().__qualname__}"  # type: ignore[union-attr]
    return repr(handle)[:120]
