"""Reading the gateway one event per event-loop step.

discord.py's connection loop awaits ``poll_event()`` for each gateway frame. When frames are
already buffered, aiohttp hands the next one over without suspending, so under a burst one step
of the loop parses every queued event (each a Message, its author, member and mentions) while
replies, heartbeats and timers wait: long steps under load (benchmarks/README.md). Yielding
after each event bounds a step to one event.
"""

from __future__ import annotations

import asyncio

import discord.client
import discord.shard
from discord.gateway import DiscordWebSocket


class SteppingWebSocket(DiscordWebSocket):
    """The gateway socket, giving the event loop a turn after every event it handles."""

    async def poll_event(self) -> None:
        """Handle one gateway frame, then let other ready callbacks run."""
        await super().poll_event()
        await asyncio.sleep(0)


def use_stepping_gateway() -> None:
    """Make discord.py open its gateway connections (plain and sharded) as ``SteppingWebSocket``.

    Both modules call ``DiscordWebSocket.from_client``, a classmethod building ``cls``: naming
    the subclass there is the one seam discord.py offers. Idempotent.
    """
    discord.client.DiscordWebSocket = SteppingWebSocket  # type: ignore[misc]
    discord.shard.DiscordWebSocket = SteppingWebSocket  # type: ignore[misc]
