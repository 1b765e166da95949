"""What the Discord layer is given by the composition root, and how handlers reach it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import discord

from bot.app import App
from bot.config import DiscordSettings
from bot.discord.cooldown import Cooldown
from bot.discord.lifecycle import Lifecycle
from bot.store.records import ConversationKey


@dataclass(frozen=True)
class Services:
    """The application plus the adapter's own helpers."""

    app: App
    cooldown: Cooldown
    settings: DiscordSettings
    lifecycle: Lifecycle


class HasServices(Protocol):
    """A client that carries Services (our ArticleBot)."""

    services: Services


def services_of(interaction: discord.Interaction[discord.Client]) -> Services:
    """Return the Services of the bot that received an interaction."""
    client: HasServices = interaction.client  # type: ignore[assignment]
    return client.services


def conversation_key(guild_id: int | None, channel_id: int | None, user_id: int) -> ConversationKey:
    """The conversation key for a place and a person (DMs have no guild)."""
    return ConversationKey(str(guild_id or "dm"), str(channel_id or "dm"), str(user_id))
