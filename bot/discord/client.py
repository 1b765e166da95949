"""The discord.py client: built by the runner with everything it needs passed in."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import collector
from bot.discord.cogs.ask import AskCog
from bot.discord.cogs.moderation import IntentCog, ModerationCog
from bot.discord.cogs.summaries import SummaryCog
from bot.discord.context import Services, services_of
from bot.discord.embeds import NO_PINGS, safe_text
from bot.discord.modals import MakeIntentButton
from bot.discord.sending import RESTARTING, report_error, respond
from bot.discord.views import DYNAMIC_ITEMS
from bot.errors import IntentError
from bot.messages import user_message

log = logging.getLogger(__name__)

# How long closing waits for questions in flight (a reply retried after a 429 included).
DRAIN_SECONDS = 6.0


def bot_intents(message_content: bool = True) -> discord.Intents:
    """Guilds and messages, plus Message Content to read questions in watched channels."""
    intents = discord.Intents.default()
    intents.message_content = message_content
    intents.members = False
    intents.presences = False
    return intents


class ArticleTree(app_commands.CommandTree[Any]):
    """The command tree: no new commands once stopping, each counted in flight, errors told."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        """A command's error becomes a short sentence for the user (``sending.report_error``)."""
        await report_error(interaction, error)

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Once shutting down, take no new commands."""
        if services_of(interaction).lifecycle.accepting:
            return True
        await respond(interaction, RESTARTING, ephemeral=True)
        return False

    async def _call(self, interaction: discord.Interaction[Any]) -> None:
        # Counted in flight from its checks to its error reply, so that closing waits for a
        # slash command's answer as it does for a mention's (discord.py has no public hook
        # around a command's whole run; the version bound in pyproject.toml covers this).
        async with services_of(interaction).lifecycle.work():
            await super()._call(interaction)


class ArticleBot(commands.Bot):
    """The article bot. Resources come in as keyword-only arguments (see ``runner``)."""

    def __init__(self, *, services: Services, message_content: bool = True, **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(message_content),
            allowed_mentions=NO_PINGS,
            help_command=None,
            tree_cls=ArticleTree,
            # No message cache: nothing here reads old messages (buttons carry their own data),
            # and a 1,000-message cache churning under load is garbage-collector work.
            max_messages=options.pop("max_messages", None),
            **options,
        )
        self.services = services
        # Watching the intent files and the database's added intents, until closed.
        self._background: list[asyncio.Task[None]] = []
        self._frozen = False

    async def setup_hook(self) -> None:
        """Register cogs and persistent buttons, sync slash commands, start watching intents."""
        await self.add_cog(AskCog(self, self.services))
        await self.add_cog(SummaryCog(self.services))
        await self.add_cog(ModerationCog(self.services))
        await self.add_cog(IntentCog(self.services))
        self.add_dynamic_items(*DYNAMIC_ITEMS, MakeIntentButton)
        await self.sync_commands()
        app = self.services.app
        if app.config.reload_seconds > 0:
            self._background.append(asyncio.create_task(app.watcher.run(app.config.reload_seconds)))
        self._background.append(
            asyncio.create_task(app.sync.run(app.config.shared_intents_seconds))
        )
        # Before the gateway connects, so the one long collection over everything loaded does
        # not stall the first messages (benchmarks/README.md).
        collector.freeze_loaded()

    async def on_ready(self) -> None:
        """Once connected, discord.py's caches join the long-lived objects frozen out of the GC."""
        if not self._frozen:
            collector.freeze_loaded()
            self._frozen = True
        log.info("ready as %s in %d guild(s)", self.user, len(self.guilds))

    async def close(self) -> None:
        """Take no new questions, finish those in flight, stop watching intents, disconnect.

        Every way of closing drains first (a signal, ``async with bot``, a test harness): once
        discord.py closes its HTTP session, a reply still on its way is lost, though its turn
        was logged as answered.
        """
        drained = self.is_closed() or await self.services.lifecycle.stop(DRAIN_SECONDS)
        if not drained:
            log.warning("some replies were still in flight after %.0fs", DRAIN_SECONDS)
        for task in self._background:
            task.cancel()
        # Awaited, so the sync's listening connection is closed before the store is.
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background.clear()
        await super().close()

    async def report_reload_error(self, error: IntentError) -> None:
        """Post a rejected reload to the moderators' log channel, if one is configured."""
        channel_id = self.services.settings.log_channel
        channel = self.get_channel(int(channel_id)) if channel_id else None
        if not isinstance(channel, discord.abc.Messageable):
            return
        text = "Intent files changed but were rejected; the last good set is still in force.\n"
        try:
            shown = user_message(error, self.services.app.knowledge.intents_dir)
            await channel.send(safe_text(text + shown), allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.warning("could not post the reload error to channel %s", channel_id)

    async def sync_commands(self) -> None:
        """Sync to the configured guilds (instant) or globally (may take a while to show)."""
        guilds = [discord.Object(id=int(g)) for g in self.services.settings.guilds]
        try:
            for guild in guilds:
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
            if not guilds:
                await self.tree.sync()
        except discord.HTTPException as exc:
            # Slash commands may be stale, but mentions still work: keep running.
            log.error("could not sync slash commands: %s", exc)

    async def on_message(self, message: discord.Message) -> None:
        """Questions are handled by AskCog; there are no prefix commands to process."""

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """Log an unexpected error in an event handler with its traceback; keep running."""
        log.exception("error in %s", event_method)


class ShardedArticleBot(ArticleBot, commands.AutoShardedBot):
    """The same bot over several shards (``discord.shard_count`` / ``discord.shard_ids``)."""
