"""Who may change intents: the one module that decides, checked at every use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.config import DiscordSettings
from bot.discord.context import services_of

T = TypeVar("T")
REFUSED = "Only moderators (Manage Server, or a moderator role) can change intents."


def is_moderator(member: discord.abc.User, settings: DiscordSettings) -> bool:
    """Manage Server, or a role whose id is in ``discord.moderator_roles`` (ids only: names can
    be given to any role by whoever may create one)."""
    if not isinstance(member, discord.Member):
        return False
    if member.guild_permissions.manage_guild:
        return True
    allowed = set(settings.moderator_roles)
    return any(role.id in allowed for role in member.roles)


def moderator_only(interaction: discord.Interaction[Any]) -> bool:
    """Whether the person acting is a moderator now (a role may have been lost since a button
    or form was shown)."""
    return is_moderator(interaction.user, services_of(interaction).settings)


def moderators() -> Callable[[T], T]:
    """An app-command check: refuses anyone who is not a moderator at execution time."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if moderator_only(interaction):
            return True
        raise app_commands.CheckFailure(REFUSED)

    return app_commands.check(predicate)
