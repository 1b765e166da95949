"""Moderators: /intent add|remove|list|test|reload, /unanswered, /stats. Checked at every use."""

from __future__ import annotations

import asyncio
import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.charts import render_usage_png
from bot.core.intents import IntentKind
from bot.core.text import truncate
from bot.discord.context import Services
from bot.discord.embeds import COLOUR, MAX_EMBED_DESCRIPTION, safe_text
from bot.discord.modals import IntentModal, MakeIntentButton
from bot.discord.permissions import moderators
from bot.discord.sending import respond
from bot.discord.views import released
from bot.errors import IntentError
from bot.messages import user_message


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class IntentCog(
    commands.GroupCog, group_name="intent", group_description="Manage the bot's intents"
):
    """/intent add, remove, list, test and reload."""

    def __init__(self, services: Services) -> None:
        self.services = services
        super().__init__()

    @app_commands.command(name="add")
    @moderators()
    async def add(self, interaction: discord.Interaction) -> None:
        """Add an intent through a form (id, section, examples, optional quote and lead)."""
        await interaction.response.send_modal(IntentModal(opener=interaction.user.id))

    @app_commands.command(name="remove")
    @app_commands.describe(id="The id of an intent added from Discord")
    @moderators()
    async def remove(self, interaction: discord.Interaction, id: str) -> None:
        """Remove an intent that was added from Discord."""
        path = await self.services.app.author.remove(id, str(interaction.user.id))
        await self.services.app.store.audit(
            str(interaction.user.id), "intent.remove", f"{id} ({path.name})"
        )
        await respond(interaction, f"Removed intent `{id}`.", ephemeral=True)

    @app_commands.command(name="list")
    @app_commands.describe(section="Only intents of this section id")
    @moderators()
    async def list_(self, interaction: discord.Interaction, section: str | None = None) -> None:
        """List intents, optionally of one section."""
        intents = self.services.app.knowledge.intents.intents
        rows = [
            f"`{i.id}` · {i.kind.value if i.kind is not IntentKind.ANSWER else i.section}"
            f" · {len(i.examples)} examples"
            for i in intents
            if section is None or i.section == section
        ]
        text = "\n".join(rows) or "No intents match."
        embed = discord.Embed(
            title=f"{len(rows)} intents",
            colour=COLOUR,
            description=truncate(text, MAX_EMBED_DESCRIPTION),
        )
        await respond(interaction, embed=embed, ephemeral=True)

    @app_commands.command(name="test")
    @app_commands.describe(question="A question to try")
    @moderators()
    async def test(self, interaction: discord.Interaction, question: str) -> None:
        """Show how a question is matched: top candidates with scores and the outcome."""
        engine = self.services.app.knowledge.engine
        ranked = engine.rank(question)
        reply, _ = engine.reply_to(question, None)
        rows = [
            f"{n}. `{c.intent_id}` {c.score:.1f} (fuzzy {c.fuzzy:.0f}, words {c.coverage:.0f})"
            for n, c in enumerate(ranked[:5], start=1)
        ]
        outcome = f"Outcome: **{reply.kind.value}**" + (
            f" → `{reply.intent_id}`" if reply.intent_id else ""
        )
        text = "\n".join([outcome, *rows]) if rows else outcome + "\nNo candidates."
        await respond(interaction, safe_text(text), ephemeral=True)

    @app_commands.command(name="reload")
    @moderators()
    async def reload(self, interaction: discord.Interaction) -> None:
        """Reload intent files; a broken set is refused and the last good one kept."""
        try:
            reason = f"/intent reload by {interaction.user.id}"
            intents = await self.services.app.watcher.reload(reason)
        except IntentError as exc:
            shown = user_message(exc, self.services.app.knowledge.intents_dir)
            await respond(interaction, shown, ephemeral=True)
            return
        await self.services.app.store.audit(
            str(interaction.user.id), "intent.reload", f"{len(intents.intents)} intents"
        )
        await respond(
            interaction,
            f"Reloaded {len(intents.intents)} intents from {len(intents.files)} files.",
            ephemeral=True,
        )


class ModerationCog(commands.Cog):
    """Moderator commands."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(name="unanswered")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @moderators()
    async def unanswered(self, interaction: discord.Interaction) -> None:
        """Recent questions that got no answer, most frequent first."""
        rows = await self.services.app.store.unanswered(limit=5)
        if not rows:
            await respond(interaction, "Every question got an answer.", ephemeral=True)
            return
        # Users' words shown to moderators: markdown escaped so a question cannot restyle the list.
        lines = [
            f"{n}. “{discord.utils.escape_markdown(truncate(r.question, 150))}” ×{r.count}"
            for n, r in enumerate(rows, 1)
        ]
        view = discord.ui.View(timeout=None)
        for n, row in enumerate(rows, 1):
            view.add_item(MakeIntentButton(row.last_turn_id, f"Make intent #{n}"))
        with released(view):
            await respond(interaction, safe_text("\n".join(lines)), view=view, ephemeral=True)

    @app_commands.command(name="stats")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @moderators()
    async def stats(self, interaction: discord.Interaction) -> None:
        """Answers per intent and section, feedback, unanswered questions, and a chart."""
        # Drawing the chart may take over a second (the first one also imports matplotlib), too
        # near Discord's three to acknowledge in: acknowledge now, privately, then follow up.
        await interaction.response.defer(ephemeral=True, thinking=True)
        store = self.services.app.store
        stats = await store.stats()
        png = await asyncio.to_thread(render_usage_png, await store.usage(days=30))
        embed = discord.Embed(title="Article bot stats", colour=COLOUR)
        embed.add_field(name="Turns", value=str(stats.turns))
        embed.add_field(name="Unanswered", value=str(stats.unanswered))
        embed.add_field(name="Feedback", value=f"👍 {stats.upvotes} · 👎 {stats.downvotes}")
        for title, pairs in (
            ("Top intents", stats.answers_by_intent),
            ("Sections", stats.answers_by_section),
        ):
            text = "\n".join(f"`{k}` {v}" for k, v in pairs[:10]) or "—"
            embed.add_field(name=title, value=truncate(text, 1024), inline=False)
        embed.set_image(url="attachment://stats.png")
        chart = discord.File(io.BytesIO(png), filename="stats.png")
        await respond(interaction, embed=embed, file=chart, ephemeral=True)
