"""Start the Discord bot: configure discord.py, build the app, run until a signal stops it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl

from bot.app import App, build_app
from bot.config import DiscordSettings
from bot.discord import redact
from bot.discord.client import ArticleBot, ShardedArticleBot
from bot.discord.context import Services
from bot.discord.cooldown import Cooldown
from bot.discord.gateway import use_stepping_gateway
from bot.discord.lifecycle import Lifecycle
from bot.errors import DiscordUnreachableError, IntentError
from bot.heartbeat import heartbeat_path, start_heartbeat
from bot.retention import start_pruning

log = logging.getLogger(__name__)


def point_at(settings: DiscordSettings) -> None:
    """Use the configured REST base and gateway URL instead of Discord's (proxies, tests).

    discord.py reads both from class attributes, so this is the one place that sets them.
    """
    if settings.api_base:
        discord.http.Route.BASE = settings.api_base.rstrip("/")
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def build_bot(app: App, **options: Any) -> ArticleBot:
    """Build the client around an App (the composition root for the Discord side)."""
    settings = app.config.discord
    redact.install()  # discord.py's DEBUG dumps carry interaction tokens
    point_at(settings)
    use_stepping_gateway()
    services = Services(
        app=app,
        cooldown=Cooldown(settings.cooldown_burst, settings.cooldown_seconds),
        settings=settings,
        lifecycle=Lifecycle(),
    )
    bot: ArticleBot
    if settings.shard_count is not None or settings.shard_ids:
        # Several processes can split a large bot's guilds: each runs the shard_ids it is given.
        options.setdefault("shard_count", settings.shard_count)
        options.setdefault("shard_ids", list(settings.shard_ids) or None)
        bot = ShardedArticleBot(services=services, **options)
    else:
        bot = ArticleBot(services=services, **options)
    app.watcher.on_error = bot.report_reload_error
    return bot


# After a stop signal, the longest closing may take (draining replies included) before the
# client is cut off: discord.py reconnecting through an outage would otherwise sleep out its
# back-off (up to minutes) first.
STOP_SECONDS = 8.0


async def serve(bot: ArticleBot, token: str, stop: asyncio.Event) -> None:
    """Run ``bot`` until it ends or ``stop`` is set; then drain questions in flight and close,
    within ``STOP_SECONDS`` whatever the connection is doing."""
    timeout = bot.services.settings.login_timeout
    running = asyncio.create_task(_start(bot, token, timeout), name="discord-client")
    stopping = asyncio.create_task(stop.wait(), name="stop-signal")
    await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if stopping.done():
        log.info("stopping: no new questions; finishing the ones in flight")
        try:
            await asyncio.wait_for(bot.close(), STOP_SECONDS)  # drains first (ArticleBot.close)
        except TimeoutError:
            log.warning("Discord did not close within %.0fs: stopping anyway", STOP_SECONDS)
        if not running.done():
            running.cancel()
            await asyncio.wait({running}, timeout=1.0)
            if running.cancelled() or not running.done():
                return
    stopping.cancel()
    await running  # re-raises what ended the client, if it ended by itself


async def _start(bot: ArticleBot, token: str, timeout: float) -> None:
    """``bot.start``, with a deadline on the login: a host that takes the connection and never
    answers would otherwise keep the bot waiting, silently, forever."""
    try:
        await asyncio.wait_for(bot.login(token), timeout)
    except TimeoutError:
        raise DiscordUnreachableError(discord.http.Route.BASE, timeout) from None
    await bot.connect()


async def _main(config_path: Path, db_path: Path | None, token: str) -> None:
    app = await build_app(config_path, db_path)
    config = app.config
    beat_at = heartbeat_path(db_path or config.database, config.intent_cache)
    beating = start_heartbeat(beat_at, config.heartbeat_seconds)
    pruning = start_pruning(app.store, config.retention_days)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    reloads: set[asyncio.Task[Any]] = set()
    message_content = True
    try:
        while True:
            bot = build_bot(app, message_content=message_content)

            def on_sighup(bot: ArticleBot = bot) -> None:
                task = asyncio.create_task(_quiet(bot.services.app.watcher.reload("SIGHUP")))
                reloads.add(task)  # keep a reference until it ends
                task.add_done_callback(reloads.discard)

            loop.add_signal_handler(signal.SIGHUP, on_sighup)
            try:
                async with bot:
                    await serve(bot, token, stop)
                return
            except discord.PrivilegedIntentsRequired:
                if not message_content:
                    raise
                # Mentions carry their content anyway: keep serving those rather than stopping.
                log.warning(
                    "The Message Content intent is not enabled for this application: "
                    "answering mentions only. Enable it in the developer portal to "
                    "answer every message in discord.channels."
                )
                message_content = False
    finally:
        beating.cancel()
        if pruning is not None:
            pruning.cancel()
        await app.store.close()
        log.info("database closed")


async def _quiet(reload: Awaitable[object]) -> None:
    """A reload from a signal: its errors are already logged and reported by the watcher."""
    with contextlib.suppress(IntentError):
        await reload


def run_discord(config_path: Path, db_path: Path | None, token: str, log_level: str) -> int:
    """Run the bot on Discord until SIGTERM/SIGINT; returns the process exit code."""
    discord.utils.setup_logging(level=getattr(logging, log_level.upper(), logging.INFO))
    try:
        asyncio.run(_main(config_path, db_path, token))
    except discord.LoginFailure:
        log.error("Discord refused the token (DISCORD_TOKEN). Check it in the developer portal.")
        return 1
    with contextlib.suppress(Exception):
        logging.shutdown()
    return 0
