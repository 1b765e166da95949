"""Run the real ArticleBot (real discord.py client) against the loopback fake Discord."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import App, build_app
from bot.discord.client import ArticleBot
from bot.discord.runner import build_bot
from tests.fakediscord import FakeDiscord, FakeGuild, FakeUser
from tests.helpers import ROOT

Json = dict[str, Any]


@dataclass
class Running:
    """A started bot with its fake Discord, app and data folder."""

    fake: FakeDiscord
    bot: ArticleBot
    app: App
    folder: Path
    closed_on_purpose: bool = False

    async def close(self) -> None:
        """Close the bot as a stop signal would (the harness then expects it to have ended)."""
        self.closed_on_purpose = True
        await self.bot.close()

    async def ask(self, text: str, **kwargs: Any) -> tuple[Json, Json]:
        """Mention the bot with ``text``; return (the question message, the bot's reply)."""
        author = kwargs.pop("author", self.fake.default_user)
        sent = await self.fake.send_message(
            author, f"{self.fake.bot_user.mention} {text}", **kwargs
        )
        reply = await self.fake.wait_for_bot_message(
            lambda m: (m.get("message_reference") or {}).get("message_id") == sent["id"]
        )
        return sent, reply


def write_config(
    folder: Path, fake: FakeDiscord, discord_settings: str, *, database: str = "bot.db"
) -> Path:
    """A config.yaml using the shipped article, a copy of the intents and ``database`` (by
    default a fresh SQLite file in ``folder``; or a postgresql:// URL several bots share).

    ``{channel_id}`` in ``discord_settings`` stands for the fake's default channel, and
    ``{moderator_role}`` for the id of its role named "Moderator" (made here if missing).
    """
    role = fake.world.guild.role_named("Moderator") or fake.add_role("Moderator")
    shutil.copytree(ROOT / "intents", folder / "intents")
    config = folder / "config.yaml"
    config.write_text(
        f"sections: {ROOT / 'seeds' / 'sections.yaml'}\nintents: intents\n"
        f"database: {database}\n"
        f"discord:\n  api_base: {fake.api_base}\n  gateway_url: {fake.gateway_url}\n"
        + discord_settings.replace("{channel_id}", str(fake.channel_id)).replace(
            "{moderator_role}", str(role.id)
        ),
        encoding="utf-8",
    )
    return config


@asynccontextmanager
async def running_bot(
    folder: Path, discord_settings: str = "", *, token: str = "test-token"
) -> AsyncIterator[Running]:
    """Start fake Discord and the bot (logging in with ``token``); on exit check the bot lived
    and traffic matched the spec."""
    async with FakeDiscord() as fake:
        with fake.patch_client():
            async with bot_on(fake, folder, discord_settings, token=token) as running:
                yield running
        assert fake.spec_errors == []


@asynccontextmanager
async def bot_on(
    fake: FakeDiscord, folder: Path, discord_settings: str = "", *, token: str = "test-token"
) -> AsyncIterator[Running]:
    """Start the bot in this process against an already running ``fake`` (several may share
    one: e.g. ``shard_count: 2`` with ``shard_ids: [0]`` and ``[1]``); on exit check it lived.

    Each gets its own App and database under ``folder``. Call inside ``fake.patch_client()``.
    """
    app = await build_app(write_config(folder, fake, discord_settings))
    bot = build_bot(app, guild_ready_timeout=0.01)
    task = asyncio.create_task(bot.start(token))
    ready = asyncio.create_task(bot.wait_until_ready())
    try:
        await asyncio.wait({task, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()
        assert ready.done(), "the bot did not become ready"
        running = Running(fake, bot, app, folder)
        yield running
        if running.closed_on_purpose:
            await asyncio.wait_for(task, 10)  # ended, and without an error
        else:
            assert not task.done(), f"the bot task ended: {task.exception()!r}"
    finally:
        ready.cancel()
        await bot.close()
        await asyncio.wait_for(task, 5)
        await app.store.close()


def quote_of(embed: Json) -> str:
    """The block-quoted text of an answer embed, without the ``> `` markers."""
    lines = [line[2:] for line in embed["description"].split("\n") if line.startswith("> ")]
    return "\n".join(lines)


def custom_ids(message: Json) -> list[str]:
    """Every component custom_id of a message, in order."""
    return [
        c["custom_id"]
        for row in message.get("components", [])
        for c in row["components"]
        if "custom_id" in c
    ]


async def start_bot(
    folder: Path,
    fake: FakeDiscord,
    discord_settings: str = "",
    *,
    shard: int = 0,
    database: str = "bot.db",
    settings: str = "",
) -> asyncio.subprocess.Process:
    """Write a config in ``folder`` (see :func:`write_config`; ``settings`` are top-level lines
    of it) and :func:`launch` the bot on it as ``shard`` (give it ``shard_count``/``shard_ids``
    in ``discord_settings`` to run one of several shard processes); no file polling: reloads
    come from signals."""
    config = write_config(
        folder, fake, "  cooldown_burst: 100\n" + discord_settings, database=database
    )
    top = "reload_seconds: 0\n" + settings
    config.write_text(top + config.read_text(encoding="utf-8"), encoding="utf-8")
    return await launch(config, fake, shard=shard)


async def spawn_run(config: Path, env: Mapping[str, str]) -> asyncio.subprocess.Process:
    """``article-bot run --config CONFIG`` as a child process in the config's folder, logged in
    with a test token, its output piped."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        cwd=config.parent,
        env={**env, "DISCORD_TOKEN": "test-token"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def launch(config: Path, fake: FakeDiscord, *, shard: int = 0) -> asyncio.subprocess.Process:
    """Run ``article-bot run`` on an existing ``config`` (in its folder) against the fake;
    return once it has identified as ``shard`` (again, when restarting after a kill)."""
    link = fake.gateway.link(shard)
    before = link.identify_count
    proc = await spawn_run(config, {**os.environ, "PYTHONPATH": str(ROOT)})
    for _ in range(300):
        if link.identify_count > before and link.connected:  # identified on a live socket
            return proc
        if proc.returncode is not None:
            break
        await asyncio.sleep(0.05)
    if proc.returncode is None:
        proc.kill()
    _, err = await proc.communicate()
    raise AssertionError(
        f"the bot process did not connect to the fake as shard {shard}: {err.decode()[-2000:]}"
    )


async def ask(
    fake: FakeDiscord,
    text: str,
    guild: FakeGuild | None = None,
    *,
    author: FakeUser | None = None,
) -> Json:
    """Mention the bot as ``author`` (default: the default user) in ``guild``'s ``#general``
    (default: the default guild's) and wait for the reply to that message."""
    mention = f"{fake.bot_user.mention} {text}"
    sent = await fake.send_message(author or fake.default_user, mention, guild=guild)
    return await fake.wait_for_bot_message(
        lambda m: (m.get("message_reference") or {}).get("message_id") == sent["id"], timeout=10
    )
