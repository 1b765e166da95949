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
        shards: int = 1,
    ) -> None:
        self.world = World(bot_name, shard_count=shards, bot_permissions=bot_permissions)
        self.spec = load_spec(spec_path)
        self.gateway = Gateway(self.world, heartbeat_interval)
        self.rest = RestDispatcher(self.world, self.spec, validate=validate)
        self._routes = Routes(self.world, self.gateway)
        self._interactions = Interactions(self.world, self.gateway)
        general = self.world.guild.channel_named("general")
        assert general is not None
        self.channel = general
        self.default_user = self.add_user("tester")

    @property
    def guild(self) -> FakeGuild:
        """The default guild (on shard 0)."""
        return self.world.guild

    @property
    def guilds(self) -> list[FakeGuild]:
        """Every guild, the default one first."""
        return list(self.world.guilds.values())

    @property
    def shard_count(self) -> int:
        """How many shards the fake says the bot needs (``GET /gateway/bot``)."""
        return self.world.shard_count

    def shard_of(self, guild: FakeGuild | int) -> int:
        """The shard that gets ``guild``'s events: ``(guild_id >> 22) % shard_count``."""
        return self.world.shard_of(guild if isinstance(guild, int) else guild.id)

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
        """How many times the bot sent an accepted IDENTIFY (over all shards)."""
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        """How many times the bot RESUMEd successfully (over all shards)."""
        return self.gateway.resume_count

    @property
    def intents(self) -> int:
        """The intents bitfield of shard 0's current session."""
        return self.gateway.intents

    # -- world building ----------------------------------------------------------------------

    def add_guild(self, name: str, *, shard: int = 0) -> FakeGuild:
        """Create a guild whose id lands on ``shard``, like :attr:`guild`: ``@everyone``, the bot
        with its managed role, the owner, a ``general`` channel, and :attr:`default_user` as a
        member. GUILD_CREATE is sent if that shard is connected (the bot joined it)."""
        guild = self.world.new_guild(name, shard_id=shard)
        guild.members[self.default_user.id] = FakeMember(self.default_user)
        link = self.gateway.link(shard)
        payload = p.guild_create_payload(self.world, guild, link.intents)
        self.gateway.queue("GUILD_CREATE", payload, guild_id=guild.id)
        return guild

    def add_channel(
        self, name: str, *, topic: str | None = None, guild: FakeGuild | None = None
    ) -> FakeChannel:
        """Create a text channel in ``guild`` (default: :attr:`guild`); CHANNEL_CREATE is sent
        if the guild's shard is connected."""
        guild = guild or self.world.guild
        channel = FakeChannel(self.world.new_id(), name, guild.id, position=len(guild.channels))
        channel.topic = topic
        guild.channels[channel.id] = channel
        self.gateway.queue("CHANNEL_CREATE", p.channel_payload(channel))
        return channel

    def add_role(
        self,
        name: str,
        permissions: int = 0,
        *,
        mentionable: bool = False,
        guild: FakeGuild | None = None,
    ) -> FakeRole:
        """Create a role in ``guild`` (default: :attr:`guild`); GUILD_ROLE_CREATE is sent if
        the guild's shard is connected."""
        guild = guild or self.world.guild
        role = FakeRole(
            self.world.new_id(), name, permissions, len(guild.roles), mentionable=mentionable
        )
        guild.roles[role.id] = role
        self.gateway.queue(
            "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": p.role_payload(role)}
        )
        return role

    def add_user(
        self, name: str, bot: bool = False, *, join: bool = True, guild: FakeGuild | None = None
    ) -> FakeUser:
        """Create a user; by default it also joins ``guild`` (default: :attr:`guild`) as a
        member without roles."""
        user = FakeUser(self.world.new_id(), name, bot=bot)
        self.world.users[user.id] = user
        if join:
            self.add_member(user, guild=guild)
        return user

    def add_member(
        self,
        user: FakeUser,
        roles: Iterable[FakeRole | str | int] = (),
        permissions: int | None = None,
        *,
        guild: FakeGuild | None = None,
    ) -> FakeMember:
        """Make ``user`` a member of ``guild`` (default: :attr:`guild`), or update it, with
        ``roles`` (roles, ids, or names, created if missing) and, if given, ``permissions``
        granted through a personal role.

        A moderator is e.g. ``add_member(user, permissions=0x20)`` (Manage Guild) or
        ``add_member(user, roles=["Moderator"])``.
        """
        guild = guild or self.world.guild
        self.world.users[user.id] = user
        role_ids: list[int] = []
        for role in roles:
            if isinstance(role, str):
                role = guild.role_named(role) or self.add_role(role, guild=guild)
            role_ids.append(role if isinstance(role, int) else role.id)
        if permissions is not None:
            personal = self.add_role(f"{user.name}-permissions", permissions, guild=guild)
            role_ids.append(personal.id)
        existing = guild.members.get(user.id)
        member = existing or FakeMember(user)
        member.roles = list(dict.fromkeys([*member.roles, *role_ids]))
        guild.members[user.id] = member
        event = "GUILD_MEMBER_UPDATE" if existing else "GUILD_MEMBER_ADD"
        self.gateway.queue(event, {**p.member_payload(guild, member), "guild_id": str(guild.id)})
        return member
