"""e2e: the real bot (discord.py client) against the loopback fake Discord, 100 users at once.

Each user mentions the bot with a question in a channel of their own, waits for the reply and
asks the next: 5,000 questions as fast as the bot answers (throughput), then 2,000 paced at
200 q/s (latency without queueing: with 100 users always waiting, the mean latency is just
users / throughput). Latency runs from MESSAGE_CREATE sent to the reply received by the fake.
In the bot's process every event-loop callback is timed (the longest blocked the loop; the
thread's scheduler statistics tell how much of it the machine took: ``benchmarks.stallprobe``),
and a task sleeping 1 ms records its worst oversleep (a whole loop iteration under full load).

The fake Discord (without OpenAPI validation) and the users run in a second process: on one
event loop they take half the CPU and their callbacks would count as the bot's. The baseline
is the same bot with the fake in the bot's process.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, Row, percentile, print_table
from benchmarks.stallprobe import StallProbe, Stalls
from bot.app import App, build_app
from bot.core.evaluate import load_golden
from bot.descriptors import reserve_descriptors
from bot.discord.client import ArticleBot
from bot.discord.runner import build_bot
from tests.fakediscord import FakeDiscord

SETTINGS = "  cooldown_burst: 1000000\n  cooldown_seconds: 1\n"


@dataclass(frozen=True)
class Result:
    """What one run measured."""

    seconds: float
    latencies: list[float]
    stalls: Stalls
    # The longest callback in the fake's process (its stalls delay replies but are not the bot's).
    fake_blocked: float | None = None


def asked(count: int) -> list[str]:
    """``count`` real questions (the golden set's, repeated in a seeded shuffle)."""
    singles, _ = load_golden(ROOT / "tests" / "golden" / "golden.yaml")
    pool = [t.question for t in singles]
    rng = random.Random(5)
    return [rng.choice(pool) for _ in range(count)]


async def drive(
    fake: FakeDiscord, users: int, questions: list[str], rate: float | None = None
) -> tuple[float, list[float]]:
    """Every user asks its share in turn, as soon as answered or (``rate``) on a schedule.

    Returns the wall time and each question's latency.
    """
    people = [fake.add_user(f"reader{n}") for n in range(users)]
    # One channel each: discord.py queues a channel's replies once 50 are in flight (the fake's
    # rate-limit headers say so, and real Discord allows far fewer per channel).
    rooms = [fake.add_channel(f"room{n}").id for n in range(users)]
    await asyncio.sleep(0.5)  # let GUILD_MEMBER_ADD and CHANNEL_CREATE events reach the bot
    latencies: list[float] = []
    mention = fake.bot_user.mention
    begin = time.perf_counter()

    async def user(n: int) -> None:
        for k, question in enumerate(questions[n::users]):
            if rate is not None:
                await asyncio.sleep(max(0.0, begin + (k * users + n) / rate - time.perf_counter()))
            start = time.perf_counter()
            sent = await fake.send_message(people[n], f"{mention} {question}", rooms[n])
            await fake.wait_for_bot_message(_reply_to(sent["id"]), timeout=60)
            latencies.append(time.perf_counter() - start)

    await asyncio.gather(*(user(n) for n in range(users)))
    return time.perf_counter() - begin, latencies


def _reply_to(message_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: (m.get("message_reference") or {}).get("message_id") == message_id


def write_config(folder: Path, api_base: str, gateway_url: str) -> Path:
    """A config.yaml for the bot: shipped article and intents, no cooldown in the way."""
    config = folder / "config.yaml"
    config.write_text(
        f"sections: {ROOT / 'seeds' / 'sections.yaml'}\nintents: {ROOT / 'intents'}\n"
        f"database: bot.db\ndiscord:\n  api_base: {api_base}\n  gateway_url: {gateway_url}\n"
        + SETTINGS,
        encoding="utf-8",
    )
    return config


async def _bot_run(
    config: Path, freeze: bool = False
) -> tuple[asyncio.Task[None], App, ArticleBot]:
    app = await build_app(config)
    bot = build_bot(app, guild_ready_timeout=0.01)
    task = asyncio.create_task(bot.start("bench-token"))
    await asyncio.wait_for(bot.wait_until_ready(), 20)
    if freeze:  # the experiment of --gc-freeze: what the runner could do once started
        gc.collect()
        gc.freeze()
    return task, app, bot


async def _bot_stop(task: asyncio.Task[None], app: App, bot: ArticleBot) -> None:
    await bot.close()
    await asyncio.wait_for(task, 10)
    await app.store.close()


async def same_process(folder: Path, users: int, questions: list[str]) -> Result:
    """Bot, fake and users on one event loop."""
    probe = StallProbe()
    async with FakeDiscord(validate=False) as fake:
        with fake.patch_client():
            task, app, bot = await _bot_run(write_config(folder, fake.api_base, fake.gateway_url))
            probe.start()
            seconds, latencies = await drive(fake, users, questions)
            stalls = probe.stop()
            await _bot_stop(task, app, bot)
    return Result(seconds, latencies, stalls)


def _fake_process(conn: Connection, users: int, count: int, rate: float | None) -> None:
    """The second process: fake Discord and the users, driven by the bot's process."""
    # The fake stands for Discord's servers: it accepts a connection for each of the bot's
    # requests in flight, and should not stall growing its descriptor table as the bot would.
    reserve_descriptors()

    async def main() -> None:
        async with FakeDiscord(validate=False) as fake:
            conn.send((fake.api_base, fake.gateway_url))
            await asyncio.to_thread(conn.recv)  # the bot is ready
            # The harness keeps every message it saw; its collector's pauses over that history
            # are not the bot's latency, so it does not collect while it drives the users.
            gc.collect()
            gc.freeze()
            gc.disable()
            probe = StallProbe()
            probe.start()
            seconds, latencies = await drive(fake, users, asked(count), rate)
            conn.send((seconds, latencies, probe.stop().blocked))
            await asyncio.to_thread(conn.recv)  # the bot has closed

    asyncio.run(main())


async def two_processes(
    folder: Path, users: int, count: int, rate: float | None, freeze: bool = False
) -> Result:
    """Bot in this process; fake Discord and the users in another."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=_fake_process, args=(theirs, users, count, rate))
    child.start()
    theirs.close()  # the child's end is the child's: if it dies, recv() ends instead of waiting
    api_base, gateway_url = await asyncio.to_thread(ours.recv)
    task, app, bot = await _bot_run(write_config(folder, api_base, gateway_url), freeze)
    probe = StallProbe()
    probe.start()
    ours.send("ready")
    seconds, latencies, fake_blocked = await asyncio.to_thread(ours.recv)
    stalls = probe.stop()
    await _bot_stop(task, app, bot)
    ours.send("bye")
    await asyncio.to_thread(child.join, 30)
    return Result(seconds, latencies, stalls, fake_blocked=fake_blocked)


def _run(conn: Connection, kind: str, args: tuple[Any, ...]) -> None:
    """In a fresh process: run one measurement and send back its Result."""
    if kind == "same":
        conn.send(asyncio.run(same_process(*args)))
    else:
        conn.send(asyncio.run(two_processes(*args)))


def fresh(kind: str, *args: Any) -> Result:
    """Run a measurement in a fresh process: a previous run's heap would slow its GC."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=_run, args=(theirs, kind, args))
    child.start()
    theirs.close()  # the child's end is the child's: if it dies, recv() ends instead of waiting
    try:
        result: Result = ours.recv()
    except EOFError:
        raise SystemExit(f"e2e: the {kind!r} measurement failed (its traceback is above)") from None
    child.join(30)
    return result


def _rows(label: str, result: Result, base: Result | None, latency_target: bool) -> list[Row]:
    rate = len(result.latencies) / result.seconds
    p99 = percentile(result.latencies, 0.99) * 1e3
    ours, theirs = result.stalls, (base or result).stalls
    blocked = ours.blocked * 1e3

    def of(base_value: float) -> float | None:
        return base_value if base is not None else None

    b = base or result
    rows = [
        Row(f"{label}: questions per second", rate, of(len(b.latencies) / b.seconds), "q/s",
            "" if latency_target else ">= 500", None if latency_target else rate >= 500,
            better="higher"),
        Row(f"{label}: p50 latency", percentile(result.latencies, 0.5) * 1e3,
            of(percentile(b.latencies, 0.5) * 1e3), "ms"),
        Row(f"{label}: p99 latency", p99, of(percentile(b.latencies, 0.99) * 1e3), "ms",
            "<= 20 ms" if latency_target else "", p99 <= 20 if latency_target else None),
        Row(f"{label}: longest callback (loop blocked)", blocked, of(theirs.blocked * 1e3), "ms",
            "<= 10 ms", blocked <= 10),
        Row(f"{label}:   of it, garbage collection", ours.blocked_gc * 1e3,
            of(theirs.blocked_gc * 1e3), "ms"),
    ]  # fmt: skip
    parts = ours.blocked_split
    if parts is not None:  # where its wall-clock time went (stallprobe.Split)
        rows += [
            Row(f"{label}:   of it, running", parts.cpu * 1e3, None, "ms"),
            Row(f"{label}:   of it, waiting for a CPU", parts.waited * 1e3, None, "ms"),
            Row(f"{label}:   of it, vCPU stopped by the host", parts.host * 1e3, None, "ms"),
        ]
    return [
        *rows,
        Row(f"{label}: longest callback less the machine's waits", ours.own * 1e3,
            of(theirs.own * 1e3), "ms"),
        Row(f"{label}: longest garbage collection", ours.longest_gc * 1e3,
            of(theirs.longest_gc * 1e3), "ms"),
        Row(f"{label}: worst 1 ms-sleep oversleep", ours.oversleep * 1e3,
            of(theirs.oversleep * 1e3), "ms"),
        Row(f"{label}: the fake's longest callback", (result.fake_blocked or 0) * 1e3, None, "ms"),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Run the e2e benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks e2e")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=200.0, help="q/s of the paced run")
    parser.add_argument("--paced", type=int, default=2000, help="questions of the paced run")
    parser.add_argument(
        "--gc-freeze", action="store_true", help="experiment: gc.freeze() once the bot is ready"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("one", "two", "paced"):
            (folder / name).mkdir()
        base = fresh("same", folder / "one", args.users, asked(args.questions))
        bot = fresh("two", folder / "two", args.users, args.questions, None, args.gc_freeze)
        paced = fresh("two", folder / "paced", args.users, args.paced, args.rate, args.gc_freeze)
    rows = _rows("as fast as answered", bot, base, latency_target=False)
    rows += _rows(f"paced at {args.rate:.0f} q/s", paced, None, latency_target=True)
    title = f"e2e: {args.users} users, real discord.py client, fake Discord in a second process"
    print_table(title + " (baseline: the fake in the bot's process)", rows)
    for label, result in (("as fast", bot), ("paced", paced)):
        print(f"  longest callback ({label}): {result.stalls.blocker}")
