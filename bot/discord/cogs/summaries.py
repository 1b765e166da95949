"""Reading the article: /summary, /sections, /quote."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.article import location
from bot.core.summary import resolve_section, summarise
from bot.discord.context import Services
from bot.discord.embeds import (
    COLOUR,
    MAX_EMBED_DESCRIPTION,
    fit_quote,
    outline_embed,
    summary_embed,
)
from bot.discord.sending import cooled_down, respond

MAX_CHOICES = 25


class SummaryCog(commands.Cog):
    """Summaries and the article's outline."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(name="summary")
    @app_commands.describe(
        section="A section id or title, or a paragraph number (see /sections); empty: everything"
    )
    async def summary(self, interaction: discord.Interaction, section: str | None = None) -> None:
        """Summary of the article, or of one section."""
        if await cooled_down(interaction, self.services):
            return
        article = self.services.app.knowledge.article
        # The terminal's /summary reads its argument the same way (bot.core.summary).
        section_id = resolve_section(article, section) if section and section.strip() else None
        embed = summary_embed(summarise(article, section_id))
        await respond(interaction, embed=embed)

    @summary.autocomplete("section")
    async def section_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Section ids matching what has been typed (id or title), at most 25."""
        article = self.services.app.knowledge.article
        typed = current.casefold()
        return [
            app_commands.Choice(name=f"{s.id} — {s.title}"[:100], value=s.id)
            for s in article.sections
            if typed in s.id or typed in s.title.casefold()
        ][:MAX_CHOICES]

    @app_commands.command(name="sections")
    async def sections(self, interaction: discord.Interaction) -> None:
        """The article's outline: section ids, titles and paragraphs."""
        if await cooled_down(interaction, self.services):
            return
        article = self.services.app.knowledge.article
        await respond(interaction, embed=outline_embed(article))

    @app_commands.command(name="quote")
    @app_commands.describe(paragraph="Paragraph number, as shown by ¶N")
    async def quote(
        self, interaction: discord.Interaction, paragraph: app_commands.Range[int, 1, 10_000]
    ) -> None:
        """One paragraph of the article, verbatim."""
        if await cooled_down(interaction, self.services):
            return
        article = self.services.app.knowledge.article
        quote = article.paragraph(paragraph)
        section = article.section(quote.section_id)
        embed = discord.Embed(
            title=f"{section.title} · {location(quote, section)}",
            description=fit_quote("", quote.text, MAX_EMBED_DESCRIPTION),
            colour=COLOUR,
        )
        await respond(interaction, embed=embed)
