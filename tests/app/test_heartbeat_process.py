"""The running bot's heartbeat, seen from outside: `article-bot health` against a real process."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from tests.discord_harness import ask, start_bot
from tests.fakediscord import FakeDiscord
from tests.helpers import ROOT

# Seconds each: processes, signals and timeouts (`make test-fast` leaves them out).
pytestmark = pytest.mark.slow


async def health(config: Path) -> tuple[int, str]:
    """``python -m bot health --config CONFIG``: its exit status and what it printed."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "health", "--config", str(config),
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode()


async def test_a_running_bot_is_healthy_and_a_stopped_one_is_not(tmp_path: Path) -> None:
    """While `article-bot run` serves, health exits 0; after SIGTERM, 1: no heartbeat file."""
    async with FakeDiscord() as fake:
        proc = await start_bot(tmp_path, fake)
        try:
            reply = await ask(fake, "turky coup")
            assert reply["embeds"]
            status, said = await health(tmp_path / "config.yaml")
            assert status == 0 and said.startswith("ok: last beat"), said
        finally:
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 20) == 0
    status, said = await health(tmp_path / "config.yaml")
    assert status == 1 and said.startswith("no heartbeat file"), said
