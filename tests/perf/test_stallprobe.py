"""The e2e benchmark's stall probe: how it splits a callback's wall time, on real readings."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from benchmarks.stallprobe import SCHEDSTAT, StallProbe, Stalls, own_time, split

MS = 1e-3


def reading(wait_ms: float, runs: int) -> bytes:
    """A schedstat line as the kernel writes it: ns run (not used), ns waiting, times on a CPU."""
    return f"123456789 {int(wait_ms * 1e6)} {runs}\n".encode()


def test_a_thread_that_never_left_its_cpu_lost_the_rest_to_the_host() -> None:
    parts = split(15 * MS, 0.5 * MS, reading(5, 7), reading(5, 7))
    assert parts is not None
    assert parts.cpu == pytest.approx(0.5 * MS) and parts.host == pytest.approx(14.5 * MS)
    assert parts.waited == 0.0 and not parts.switched
    assert own_time(15 * MS, parts) == pytest.approx(0.5 * MS)


def test_waiting_for_a_cpu_is_the_machines_and_sleeping_is_the_bots() -> None:
    # Put on a CPU again twice: it slept or was preempted; only the runnable wait is taken off.
    parts = split(12 * MS, 1 * MS, reading(5, 7), reading(8, 9))
    assert parts is not None and parts.switched and parts.host == 0.0
    assert parts.waited == pytest.approx(3 * MS)
    assert own_time(12 * MS, parts) == pytest.approx(9 * MS)


def test_without_readings_the_wall_time_counts_whole() -> None:
    assert split(12 * MS, 1 * MS, b"", b"") is None
    assert own_time(12 * MS, None) == 12 * MS


def _busy(seconds: float) -> None:
    """Work for ``seconds`` of this thread's CPU time. (Counted in wall time, a loop preempted
    for most of its 30 ms did little work, and the assertions on CPU time failed on a loaded
    machine about one run in four.)"""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


@pytest.mark.skipif(not os.path.exists(SCHEDSTAT), reason="no per-thread schedstat here")
def test_the_probe_counts_work_and_blocking_calls_as_the_bots_own() -> None:
    async def run() -> tuple[Stalls, Stalls]:
        probe = StallProbe()
        probe.start()
        loop = asyncio.get_running_loop()
        loop.call_soon(_busy, 0.03)
        await asyncio.sleep(0.05)
        working = probe.stop()
        probe = StallProbe()
        probe.start()
        loop.call_soon(time.sleep, 0.03)  # a blocking call on the loop: the bot's fault too
        await asyncio.sleep(0.05)
        return working, probe.stop()

    working, sleeping = asyncio.run(run())
    assert "_busy" in working.blocker and "sleep" in sleeping.blocker
    # On a busy machine some of the 30 ms may go to waiting for a CPU: not the bot's.
    assert 0.015 <= working.own <= working.blocked
    assert working.blocked_split is not None and working.blocked_split.cpu >= 0.015
    assert 0.025 <= sleeping.own <= sleeping.blocked
    assert sleeping.blocked_split is not None and sleeping.blocked_split.switched
