"""State-side half of :class:`~tests.fakediscord.FakeDiscord`: observations and world building."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import payloads as p
from .gateway import Gateway
from .interactions import Interactions
from .rest import RestDispatcher
from .routes import Routes
from .spec import DEFAULT_SPEC_PATH, load_spec
from .state import (
    DEFAULT_BOT_PERMISSIONS,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    RequestRecord,
    World,
)

__all__ = ["FakeDiscordBase"]

Json = dict[str, Any]


class FakeDiscordBase:
    """The guild model plus what tests observe; :class:`FakeDiscord` adds serving and driving."""

    def __init__(
        self,
        *,
        spec_path: Path = DEFAULT_SPEC_PATH,
        heartbeat_interval: int = 45_000,
        bot_name: str = "FakeBot",
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        validate: bool = True,
    ) -> None:
        self.world = World(bot_name)
        self.spec = load_spec(spec_path)
        self.gateway = Gateway(self.world, heartbeat_interval)
        self.rest = RestDispatcher(self.world, self.spec, validate=validate)
        self._routes = Routes(self.world, self.gateway)
        self._interactions = Interactions(self.world, self.gateway)
        world = self.world
        bot_role = self.add_role(bot_name, bot_permissions)
        bot_role.managed, bot_role.bot_id = True, world.bot_user.id
        world.guild.members[world.bot_user.id] = FakeMember(world.bot_user, [bot_role.id])
        world.guild.members[world.owner.id] = FakeMember(world.owner)
        self.channel = self.add_channel("general")
        self.default_user = self.add_user("tester")

    @property
    def guild(self) -> FakeGuild:
        """The guild."""
        return self.world.guild

    @property
    def guild_id(self) -> int:
        """The guild's id."""
        return self.world.guild.id

    @property
    def channel_id(self) -> int:
        """The default ``#general`` channel's id."""
        return self.channel.id

    @property
    def application_id(self) -> int:
        """The application id (also the bot user's id)."""
        return self.world.application_id

    @property
    def bot_user(self) -> FakeUser:
        """The bot's user."""
        return self.world.bot_user

    @property
    def requests(self) -> list[RequestRecord]:
        """Every REST request as ``(method, path, json)``; path lacks the ``/api/v10`` prefix."""
        return self.world.requests

    @property
    def spec_errors(self) -> list[str]:
        """Spec violations and unknown routes, as ``"METHOD /path: message"``."""
        return self.world.spec_errors

    @property
    def bot_messages(self) -> list[Json]:
        """Everything the bot posted or edited, as message dicts plus three extra keys.

        ``allowed_mentions`` (from the request), ``interaction_id`` (or ``None``) and ``kind``:
        ``message`` (channel message), ``response`` (interaction callback 4), ``update``
        (callback 7), ``followup`` or ``edit``.
        """
        return self.world.bot_messages

    def attachment_bytes(self, attachment: Json) -> bytes:
        """The bytes the bot uploaded for one of its messages' ``attachments`` entries."""
        return self.world.attachment_data[attachment["id"]]

    @property
    def commands(self) -> dict[str, Json]:
        """Synced application commands by name (guild ones override global ones)."""
        out: dict[str, Json] = {}
        for scope in (None, self.guild_id):
            out.update({name: c for (_, name), c in self.world.commands.get(scope, {}).items()})
        return out

    @property
    def identify_count(self) -> int:
        """How many times the bot sent IDENTIFY."""
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        """How many times the bot RESUMEd successfully."""
        return self.gateway.resume_count

    @property
    def intents(self) -> int:
        """The intents bitfield of the bot's current session."""
        return self.gateway.intents

    # -- world building ----------------------------------------------------------------------

    def add_channel(self, name: str, *, topic: str | None = None) -> FakeChannel:
        """Create a text channel (CHANNEL_CREATE is sent if the bot is connected)."""
        guild = self.world.guild
        channel = FakeChannel(self.world.new_id(), name, guild.id, position=len(guild.channels))
        channel.topic = topic
        guild.channels[channel.id] = channel
        self.gateway.queue("CHANNEL_CREATE", p.channel_payload(channel))
        return channel

    def add_role(self, name: str, permissions: int = 0, *, mentionable: bool = False) -> FakeRole:
        """Create a role (GUILD_ROLE_CREATE is sent if the bot is connected)."""
        guild = self.world.guild
        role = FakeRole(
            self.world.new_id(), name, permissions, len(guild.roles), mentionable=mentionable
        )
        guild.roles[role.id] = role
        self.gateway.queue(
            "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": p.role_payload(role)}
        )
        return role

    def add_user(self, name: str, bot: bool = False, *, join: bool = True) -> FakeUser:
        """Create a user; by default it also joins the guild as a member without roles."""
        user = FakeUser(self.world.new_id(), name, bot=bot)
        self.world.users[user.id] = user
        if join:
            self.add_member(user)
        return user

    def add_member(
        self,
        user: FakeUser,
        roles: Iterable[FakeRole | str | int] = (),
        permissions: int | None = None,
    ) -> FakeMember:
        """Make ``user`` a member (or update it) with ``roles`` (roles, ids, or names, created
        if missing) and, if given, ``permissions`` granted through a personal role.

        A moderator is e.g. ``add_member(user, permissions=0x20)`` (Manage Guild) or
        ``add_member(user, roles=["Moderator"])``.
        """
        guild = self.world.guild
        self.world.users[user.id] = user
        role_ids: list[int] = []
        for role in roles:
            if isinstance(role, str):
                role = guild.role_named(role) or self.add_role(role)
            role_ids.append(role if isinstance(role, int) else role.id)
        if permissions is not None:
            role_ids.append(self.add_role(f"{user.name}-permissions", permissions).id)
        existing = guild.members.get(user.id)
        member = existing or FakeMember(user)
        member.roles = list(dict.fromkeys([*member.roles, *role_ids]))
        guild.members[user.id] = member
        event = "GUILD_MEMBER_UPDATE" if existing else "GUILD_MEMBER_ADD"
        self.gateway.queue(event, {**p.member_payload(guild, member), "guild_id": str(guild.id)})
        return member
