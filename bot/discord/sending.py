"""The one way the adapter answers an interaction: capped to Discord's limits, pinging nobody,
counted against the user's cooldown when everyone can see it, and the one place an interaction's
failure becomes a sentence for the user (slash commands, buttons and forms alike)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.core.text import truncate
from bot.discord.context import Services, services_of
from bot.discord.embeds import (
    DELIVERY_ERRORS,
    MAX_EMBED_DESCRIPTION,
    MAX_EMBED_TITLE,
    NO_PINGS,
    safe_text,
)
from bot.errors import ArticleBotError
from bot.messages import GENERIC, user_message

log = logging.getLogger(__name__)

MAX_EMBED_FOOTER = 2048
MAX_FIELD_VALUE = 1024
RESTARTING = "I'm restarting; please ask again in a moment."
Action = Callable[[discord.Interaction[Any]], Awaitable[None]]


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
    file: discord.File | None = None,
    ephemeral: bool = False,
) -> None:
    """Answer an interaction (or follow up if it was answered or deferred already), within
    every limit."""
    kwargs: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_PINGS}
    if file is not None:
        kwargs["file"] = file
    if embed is not None:
        kwargs["embed"] = fit_embed(embed)
    if view is not None:
        kwargs["view"] = view
    text = safe_text(content) if content else None
    if interaction.response.is_done():
        await interaction.followup.send(text or discord.utils.MISSING, **kwargs)
    else:
        await interaction.response.send_message(text, **kwargs)


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Tell the user, privately and in one sentence, that what they did failed: a check's own
    words, an expected error translated by ``bot.messages``, or a generic line (the traceback
    goes to the log). Used by the command tree, buttons and forms."""
    cause = getattr(error, "original", error)
    if isinstance(error, app_commands.CheckFailure):
        text = str(error) or "You can't use this command here."
    elif isinstance(cause, ArticleBotError):
        text = user_message(cause, services_of(interaction).app.knowledge.intents_dir)
    else:
        log.error("interaction %s failed", interaction.id, exc_info=cause)
        text = GENERIC
    try:
        await respond(interaction, text, ephemeral=True)
    except DELIVERY_ERRORS as exc:  # Discord is not taking our answers: the log has it all
        log.warning("could not tell %s about an error: %s", interaction.user.id, exc)


async def guarded(interaction: discord.Interaction[Any], act: Action) -> None:
    """Run a button's or form's action as slash commands are run: refused once the bot is
    stopping, counted in flight (so a shutdown waits for its reply), errors reported."""
    lifecycle = services_of(interaction).lifecycle
    if not lifecycle.accepting:
        await respond(interaction, RESTARTING, ephemeral=True)
        return
    async with lifecycle.work():
        try:
            await act(interaction)
        except Exception as exc:  # every failure is reported; none escapes to discord.py
            await report_error(interaction, exc)
