"""The bot reads the gateway one event per event-loop step, so a burst of events cannot hold the
loop: other work (replies, heartbeats, timers) runs between any two events it parses."""

from __future__ import annotations

import asyncio
from pathlib import Path

import discord

from bot.discord.gateway import SteppingWebSocket
from tests.discord_harness import running_bot

BURST = 200


async def test_a_burst_of_events_is_handled_across_many_loop_steps(tmp_path: Path) -> None:
    """200 MESSAGE_CREATE frames written at once. discord.py starts a task per event for its
    listeners; a ticker advancing once per loop step shows when each started. Parsed all in one
    step, every listener would start in the next step and see the same tick."""
    async with running_bot(tmp_path) as run:
        assert isinstance(run.bot.ws, SteppingWebSocket)
        ticks = 0
        seen: list[int] = []
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0)

        async def on_message(message: discord.Message) -> None:
            if message.content.startswith("chatter "):
                seen.append(ticks)
                if len(seen) == BURST:
                    done.set()

        run.bot.add_listener(on_message)
        ticking = asyncio.create_task(ticker())
        author = run.fake.default_user
        # Not addressed to the bot: it reads them all and answers none.
        await asyncio.gather(*(run.fake.send_message(author, f"chatter {n}") for n in range(BURST)))
        await asyncio.wait_for(done.wait(), 30)
        await ticking
        steps = len(set(seen))
        assert steps >= BURST // 2, f"{BURST} events handled over only {steps} loop steps"
