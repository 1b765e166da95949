"""Start the Discord bot: configure discord.py, build the app, run until stopped."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl

from bot.app import App, build_app
from bot.authoring import IntentAuthor
from bot.config import DiscordSettings
from bot.cooldown import Cooldown
from bot.discord.client import ArticleBot
from bot.discord.context import Services

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
    point_at(settings)
    services = Services(
        app=app,
        author=IntentAuthor(app.knowledge),
        cooldown=Cooldown(settings.cooldown_burst, settings.cooldown_seconds),
        settings=settings,
    )
    return ArticleBot(services=services, **options)


async def _main(config_path: Path, db_path: Path | None, token: str) -> None:
    app = await build_app(config_path, db_path)
    try:
        async with build_bot(app) as bot:
            await bot.start(token)
    finally:
        await app.store.close()


def run_discord(config_path: Path, db_path: Path | None, token: str, log_level: str) -> int:
    """Run the bot on Discord until interrupted; returns the process exit code."""
    discord.utils.setup_logging(level=getattr(logging, log_level.upper(), logging.INFO))
    try:
        asyncio.run(_main(config_path, db_path, token))
    except KeyboardInterrupt:
        pass
    except discord.LoginFailure:
        log.error("Discord refused the token (DISCORD_TOKEN). Check it in the developer portal.")
        return 1
    return 0
