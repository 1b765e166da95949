"""In-memory model of the fake Discord: snowflakes, users, guilds, messages, commands."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .snowflakes import SnowflakeGenerator, utcnow_iso

__all__ = [
    "ADMINISTRATOR",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "MANAGE_GUILD",
    "MENTION_EVERYONE",
    "SEND_MESSAGES",
    "FakeChannel",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "InteractionRecord",
    "RequestRecord",
    "SnowflakeGenerator",
    "World",
    "utcnow_iso",
]

ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 53) - 1

DEFAULT_EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | EMBED_LINKS
    | ATTACH_FILES
    | USE_APPLICATION_COMMANDS
)
DEFAULT_BOT_PERMISSIONS = DEFAULT_EVERYONE_PERMISSIONS | SEND_MESSAGES_IN_THREADS


@dataclass(eq=False)
class FakeUser:
    """A Discord user (a human or a bot)."""

    id: int
    name: str
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        """The ``<@id>`` mention string."""
        return f"<@{self.id}>"


@dataclass(eq=False)
class FakeRole:
    """A guild role; the ``@everyone`` role has the guild's id."""

    id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed: bool = False
    mentionable: bool = False
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        """The ``<@&id>`` mention string."""
        return f"<@&{self.id}>"


@dataclass(eq=False)
class FakeChannel:
    """A guild channel (type 0 is a text channel)."""

    id: int
    name: str
    guild_id: int
    type: int = 0
    position: int = 0
    topic: str | None = None

    @property
    def mention(self) -> str:
        """The ``<#id>`` mention string."""
        return f"<#{self.id}>"


@dataclass(eq=False)
class FakeMember:
    """A user's membership of the guild."""

    user: FakeUser
    roles: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=utcnow_iso)
    nick: str | None = None


@dataclass(eq=False)
class FakeGuild:
    """A guild, with its roles, channels and members."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)

    def permissions_for(self, user_id: int) -> int:
        """Guild-level permissions of a member (owner and administrators get everything)."""
        member = self.members.get(user_id)
        if member is None:
            return 0
        perms = self.roles[self.id].permissions
        for role_id in member.roles:
            role = self.roles.get(role_id)
            if role is not None:
                perms |= role.permissions
        if user_id == self.owner_id or perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        return perms

    def role_named(self, name: str) -> FakeRole | None:
        """Find a role by name."""
        return next((r for r in self.roles.values() if r.name == name), None)

    def channel_named(self, name: str) -> FakeChannel | None:
        """Find a channel by name (every guild starts with ``general``)."""
        return next((c for c in self.channels.values() if c.name == name), None)


class RequestRecord(NamedTuple):
    """One REST request the bot made: path has no ``/api/v10`` prefix; json is the body."""

    method: str
    path: str
    json: Any


@dataclass(eq=False)
class InteractionRecord:
    """Server-side state of one interaction the fake sent to the bot."""

    id: int
    token: str
    type: int
    user: FakeUser
    channel_id: int
    metadata: dict[str, Any]
    command_name: str | None = None
    message_id: int | None = None
    callback_type: int | None = None
    callback_data: dict[str, Any] = field(default_factory=dict)
    response_message_id: int | None = None
    followups: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    responded: asyncio.Event = field(default_factory=asyncio.Event)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def notify(self) -> None:
        """Wake anyone waiting for a followup or an edit."""
        async with self.changed:
            self.changed.notify_all()


class World:
    """Everything the fake knows; shared by the REST routes, the gateway and the test API.

    ``guild`` is the default guild (on shard 0); ``guilds`` holds it and any added later.
    """

    def __init__(
        self,
        bot_name: str = "FakeBot",
        *,
        shard_count: int = 1,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
    ) -> None:
        if shard_count < 1:
            raise ValueError(f"shard_count must be at least 1, not {shard_count}")
        self.shard_count = shard_count
        self.bot_permissions = bot_permissions
        self.snowflakes = SnowflakeGenerator()
        self.application_id = self.snowflakes.next()
        self.bot_user = FakeUser(self.application_id, bot_name, bot=True)
        self.owner = FakeUser(self.snowflakes.next(), "guild-owner")
        self.users: dict[int, FakeUser] = {u.id: u for u in (self.bot_user, self.owner)}
        self.guilds: dict[int, FakeGuild] = {}
        self.guild = self.new_guild("Fake Guild", shard_id=0)
        self.messages: dict[int, dict[str, Any]] = {}
        self.commands: dict[int | None, dict[tuple[int, str], dict[str, Any]]] = {}
        self.command_ids: dict[tuple[int | None, str, int], int] = {}
        self.interactions: dict[str, InteractionRecord] = {}
        self.modals: dict[str, tuple[dict[str, Any], InteractionRecord]] = {}
        self.requests: list[RequestRecord] = []
        self.spec_errors: list[str] = []
        self.attachment_data: dict[str, bytes] = {}  # uploaded file bytes, by attachment id
        self.bot_messages: list[dict[str, Any]] = []
        self._unseen: list[dict[str, Any]] = []
        self._bot_message_added = asyncio.Condition()

    def new_id(self) -> int:
        """A fresh snowflake."""
        return self.snowflakes.next()

    def new_guild(self, name: str, *, shard_id: int) -> FakeGuild:
        """A guild on ``shard_id`` with ``@everyone``, the bot (and its managed role), the
        owner and a ``general`` text channel; no gateway event is sent here."""
        if not 0 <= shard_id < self.shard_count:
            raise ValueError(f"shard {shard_id} is not one of the {self.shard_count} shard(s)")
        gid = self.snowflakes.next_on_shard(shard_id, self.shard_count)
        guild = FakeGuild(gid, name, owner_id=self.owner.id)
        guild.roles[gid] = FakeRole(gid, "@everyone", DEFAULT_EVERYONE_PERMISSIONS)
        bot_role = FakeRole(self.new_id(), self.bot_user.name, self.bot_permissions, 1)
        bot_role.managed, bot_role.bot_id = True, self.bot_user.id
        guild.roles[bot_role.id] = bot_role
        guild.members[self.bot_user.id] = FakeMember(self.bot_user, [bot_role.id])
        guild.members[self.owner.id] = FakeMember(self.owner)
        general = FakeChannel(self.new_id(), "general", gid)
        guild.channels[general.id] = general
        self.guilds[gid] = guild
        return guild

    def shard_of(self, guild_id: int | None) -> int:
        """The shard whose connection gets a guild's events (Discord's rule); DMs: shard 0."""
        return 0 if guild_id is None else (guild_id >> 22) % self.shard_count

    def guild_of(self, channel_id: int) -> FakeGuild | None:
        """The guild a channel belongs to, or ``None`` for an unknown channel."""
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild
        return None

    def guild_at(self, channel_id: int) -> FakeGuild:
        """The guild of a channel the fake made (messages and interactions name only those)."""
        return self.guild_of(channel_id) or self.guild

    def channel(self, channel_id: int) -> FakeChannel | None:
        """A channel of any guild by id."""
        guild = self.guild_of(channel_id)
        return None if guild is None else guild.channels[channel_id]

    def record_error(self, method: str, path: str, message: str) -> None:
        """Record a spec violation or protocol problem for the test to assert on."""
        self.spec_errors.append(f"{method} {path}: {message}")

    async def record_bot_message(self, record: dict[str, Any]) -> None:
        """Remember something the bot posted and wake :meth:`wait_bot_message` callers."""
        self.bot_messages.append(record)
        self._unseen.append(record)
        async with self._bot_message_added:
            self._bot_message_added.notify_all()

    async def wait_bot_message(
        self, predicate: Callable[[dict[str, Any]], bool] | None, timeout: float
    ) -> dict[str, Any]:
        """Return (and consume) the oldest not yet returned bot message matching ``predicate``."""

        def take() -> dict[str, Any] | None:
            for index, record in enumerate(self._unseen):
                if predicate is None or predicate(record):
                    return self._unseen.pop(index)
            return None

        async with self._bot_message_added:
            found: dict[str, Any] | None = None

            def ready() -> bool:
                nonlocal found
                found = take()
                return found is not None

            await asyncio.wait_for(self._bot_message_added.wait_for(ready), timeout)
            assert found is not None
            return found
