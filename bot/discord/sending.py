"""The one way the adapter answers an interaction: capped to Discord's limits, pinging nobody,
and counted against the user's cooldown when everyone can see it."""

from __future__ import annotations

from typing import Any

import discord

from bot.core.text import truncate
from bot.discord.context import Services, services_of
from bot.discord.embeds import MAX_EMBED_DESCRIPTION, MAX_EMBED_TITLE, NO_PINGS, safe_text

MAX_EMBED_FOOTER = 2048
MAX_FIELD_VALUE = 1024


def cooldown_note(wait: float) -> str:
    """The one sentence a user gets when asking faster than the cooldown allows."""
    return f"Easy there — you can ask again in {wait:.0f}s."


async def cooled_down(interaction: discord.Interaction[Any], svc: Services | None = None) -> bool:
    """Count a public reply against the user's cooldown; past it, tell them privately and return
    True (the caller then sends nothing). Every public reply counts, not only questions: a
    button or /summary clicked twenty times would otherwise post twenty messages."""
    svc = svc or services_of(interaction)
    wait = svc.cooldown.retry_after(str(interaction.user.id))
    if wait <= 0:
        return False
    await respond(interaction, cooldown_note(wait), ephemeral=True)
    return True


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Cap an embed's title, description, footer and field values to Discord's limits."""
    if embed.title:
        embed.title = truncate(embed.title, MAX_EMBED_TITLE)
    if embed.description:
        embed.description = truncate(embed.description, MAX_EMBED_DESCRIPTION)
    if embed.footer.text:
        embed.set_footer(text=truncate(embed.footer.text, MAX_EMBED_FOOTER))
    for index, item in enumerate(embed.fields):
        embed.set_field_at(
            index,
            name=truncate(item.name or "", MAX_EMBED_TITLE),
            value=truncate(item.value or "", MAX_FIELD_VALUE),
            inline=bool(item.inline),
        )
    return embed


async def respond(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    ephemeral: bool = False,
) -> None:
    """Answer an interaction (or follow up if it was answered already), within every limit."""
    kwargs: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_PINGS}
    if embed is not None:
        kwargs["embed"] = fit_embed(embed)
    if view is not None:
        kwargs["view"] = view
    text = safe_text(content) if content else None
    if interaction.response.is_done():
        await interaction.followup.send(text or discord.utils.MISSING, **kwargs)
    else:
        await interaction.response.send_message(text, **kwargs)
