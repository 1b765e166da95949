"""The bot as a real process: SIGHUP reloads intents, SIGTERM finishes replies and exits 0."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import pytest

from bot.authoring import IntentDraft
from tests.discord_harness import ask, start_bot
from tests.fakediscord import FakeDiscord

# Seconds each: processes, signals and timeouts (`make test-fast` leaves them out).
pytestmark = pytest.mark.slow


async def test_sighup_reloads_intents(tmp_path: Path) -> None:
    """An intent file added on disk answers after SIGHUP, without a restart."""
    async with FakeDiscord() as fake:
        proc = await start_bot(tmp_path, fake)
        try:
            examples = (
                "what about the quokka",
                "quokka?",
                "tell me of the quokka",
                "the quokka question",
                "explain the quokka",
            )
            draft = IntentDraft("quokka", "what-russia-gains", examples, "successful bargain")
            (tmp_path / "intents" / "quokka.yaml").write_text(draft.to_yaml(), encoding="utf-8")
            proc.send_signal(signal.SIGHUP)
            for _ in range(50):
                reply = await ask(fake, "tell me of the quokka")
                if reply["embeds"] and "successful bargain" in str(reply["embeds"]):
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the new intent never answered")
        finally:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), 20)


async def test_sigterm_finishes_replies_and_closes_cleanly(tmp_path: Path) -> None:
    """SIGTERM: questions already taken get their replies, the database is closed, exit code 0."""
    async with FakeDiscord() as fake:
        proc = await start_bot(tmp_path, fake)
        await ask(fake, "aleppo")
        for n in range(10):
            await fake.send_message(fake.default_user, f"{fake.bot_user.mention} turky coup {n}")
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), 20)
        log = stderr.decode()
        assert proc.returncode == 0, log
        assert "Traceback" not in log and "database closed" in log
        with sqlite3.connect(tmp_path / "bot.db") as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            turns = db.execute("SELECT count(*) FROM turns").fetchone()[0]
        replies = [m for m in fake.bot_messages if m.get("message_reference")]
        assert turns >= 1 and len(replies) >= turns  # every logged turn got its reply
        assert fake.spec_errors == []


async def test_without_message_content_intent_it_answers_mentions(tmp_path: Path) -> None:
    """An application without the Message Content intent still answers mentions (no crash)."""
    async with FakeDiscord() as fake:
        fake.gateway.disallowed_intents = 1 << 15
        proc = await start_bot(tmp_path, fake)
        try:
            reply = await ask(fake, "turky coup")
            assert reply["embeds"] and "Turkey" in str(reply["embeds"])
            assert not fake.intents & (1 << 15)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0
        assert "Message Content intent is not enabled" in stderr.decode()
