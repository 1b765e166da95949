"""Leaving promptly: SIGTERM during a Discord outage, a login nobody answers, Ctrl-C in the chat.

Each runs the real command in a process of its own; the bounds are deadlines for a hang (the
test fails instead of waiting), not measurements.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import discord
import discord.backoff
import pytest

from bot.app import build_app
from bot.discord.runner import build_bot, serve
from tests.discord_harness import spawn_run, start_bot, write_config
from tests.fakediscord import FakeDiscord
from tests.helpers import ROOT, own_config_file

# Seconds each: processes, signals and timeouts (`make test-fast` leaves them out).
pytestmark = pytest.mark.slow

ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}


async def test_sigterm_during_an_outage_exits_within_seconds(tmp_path: Path) -> None:
    """With Discord gone (the bot reconnecting with back-off), SIGTERM ends the process within
    ten seconds, with exit code 0 and its database closed."""
    async with FakeDiscord() as fake:
        proc = await start_bot(tmp_path, fake)
    await asyncio.sleep(3)  # the fake is gone: the bot is retrying, sleeping between attempts
    assert proc.returncode is None
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
    took = time.monotonic() - started
    log = stderr.decode()
    assert took < 10, f"SIGTERM took {took:.1f}s to end the process"
    assert proc.returncode == 0, log
    # discord.py logs each failed reconnect with its traceback; the stop itself logs none.
    stopping = log[log.index("stopping: no new questions") :]
    assert "database closed" in stopping and "Traceback" not in stopping


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accept the connection, read what comes, never answer."""
    try:
        while await reader.read(4096):
            pass
    finally:
        writer.close()


async def test_a_login_nobody_answers_is_a_clear_line(tmp_path: Path) -> None:
    """A REST host that takes the connection and never answers: one line after the configured
    login_timeout, exit code 1 (not a silent wait forever)."""
    server = await asyncio.start_server(_silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    config = tmp_path / "config.yaml"
    config.write_text(
        f"sections: {ROOT / 'seeds' / 'sections.yaml'}\nintents: {ROOT / 'intents'}\n"
        f"database: {tmp_path / 'bot.db'}\nintent_cache: null\nreload_seconds: 0\n"
        f"discord:\n  api_base: http://127.0.0.1:{port}/api/v10\n"
        f"  gateway_url: ws://127.0.0.1:{port}/\n  login_timeout: 1\n",
        encoding="utf-8",
    )
    async with server:
        proc = await spawn_run(config, ENV)
        try:
            _, stderr = await asyncio.wait_for(proc.communicate(), 30)
        finally:
            if proc.returncode is None:
                proc.kill()
    log = stderr.decode()
    assert proc.returncode == 1, log
    assert "did not answer the login within 1 s" in log and "Traceback" not in log


@pytest.mark.parametrize("mode", [[], ["--json"]], ids=["chat", "chat-json"])
def test_one_ctrl_c_leaves_the_chat(tmp_path: Path, mode: list[str]) -> None:
    """One SIGINT while the chat waits for a line ends it cleanly: code 0 or 130, no traceback
    (it used to print one and wait for two more ^C)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", *mode, "--config", str(own_config_file()),
         "--db", str(tmp_path / "chat.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
        cwd=ROOT,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    try:
        proc.stdin.write(b"hello\n")
        proc.stdin.flush()
        assert proc.stdout.readline()  # it answered, and now waits for the next line
        time.sleep(0.3)
        os.kill(proc.pid, signal.SIGINT)
        code = proc.wait(15)
    finally:
        proc.kill()
    assert code in (0, 130)
    assert "Traceback" not in proc.stderr.read().decode()


async def test_a_stop_does_not_wait_out_the_reconnect_back_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """discord.py sleeps between reconnects (up to 17 minutes): a stop signal arriving during
    one such sleep ends the client at once. The back-off is pinned to a minute here, so waiting
    it out would miss the deadline."""
    monkeypatch.setattr(discord.backoff.ExponentialBackoff, "delay", lambda self: 60.0)
    async with FakeDiscord() as fake:
        with fake.patch_client():
            app = await build_app(write_config(tmp_path, fake, ""))
            bot = build_bot(app, guild_ready_timeout=0.01)
            stop = asyncio.Event()
            async with bot:  # as the runner does: the client set up before it starts
                served = asyncio.create_task(serve(bot, "test-token", stop))
                try:
                    await asyncio.wait_for(bot.wait_until_ready(), 10)
                    await fake.stop()  # an outage: reconnects fail, the client sleeps between
                    await asyncio.sleep(1)
                    assert not served.done()
                    stop.set()
                    await asyncio.wait_for(served, 12)
                finally:
                    served.cancel()
                    await app.store.close()
