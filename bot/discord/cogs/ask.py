"""Questions: mentions and watched channels, and /ask."""

from __future__ import annotations

import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.context import Services, conversation_key
from bot.discord.sending import cooldown_note, cooled_down
from bot.discord.views import deliver

MENTION = re.compile(r"<@!?(\d+)>")


class AskCog(commands.Cog):
    """Answers questions asked in channels and through /ask."""

    def __init__(self, bot: commands.Bot, services: Services) -> None:
        self.bot = bot
        self.services = services

    def _addressed(self, message: discord.Message) -> bool:
        """Mentioned, in a direct message, or in a channel the config tells us to watch."""
        if message.guild is None:
            return True
        me = self.bot.user
        if me is not None and any(u.id == me.id for u in message.mentions):
            return True
        watched = self.services.settings.channels
        name = getattr(message.channel, "name", None)
        return str(message.channel.id) in watched or (name is not None and name in watched)

    def _question(self, message: discord.Message) -> str:
        me = self.bot.user
        own = str(me.id) if me else ""
        return MENTION.sub(lambda m: "" if m.group(1) == own else m.group(0), message.content)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Reply once to each question addressed to the bot; bots (and ourselves) are ignored."""
        lifecycle = self.services.lifecycle
        if message.author.bot or not lifecycle.accepting or not self._addressed(message):
            return
        async with lifecycle.work():
            await self._answer(message)

    async def _answer(self, message: discord.Message) -> None:
        cooldown, who = self.services.cooldown, str(message.author.id)
        wait = cooldown.retry_after(who)
        if wait > 0:
            if not cooldown.first_refusal(who):
                return  # one note per window; a flood of notes would be worse than the flood
            note = cooldown_note(wait)
            await message.reply(note, mention_author=False, delete_after=max(wait, 3.0))
            return
        key = conversation_key(
            message.guild.id if message.guild else None, message.channel.id, message.author.id
        )
        result = await self.services.app.service.ask(key, self._question(message))
        await deliver(message, self.services, result)

    @app_commands.command(name="ask")
    @app_commands.describe(
        question="Your question about the article", ephemeral="Only you see the answer"
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 1000],
        ephemeral: bool = False,
    ) -> None:
        """Ask a question about the article; the answer quotes it."""
        if await cooled_down(interaction, self.services):
            return
        key = conversation_key(interaction.guild_id, interaction.channel_id, interaction.user.id)
        result = await self.services.app.service.ask(key, question)
        await deliver(interaction, self.services, result, ephemeral=ephemeral)
