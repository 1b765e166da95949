"""Builders of the JSON objects Discord sends about users, members, roles, channels, guilds."""

from __future__ import annotations

from typing import Any

from .state import FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser, World

Json = dict[str, Any]


def strip_none(value: Any) -> Any:
    """Recursively drop ``None`` values from dicts (Discord omits unset fields)."""
    if isinstance(value, dict):
        return {k: strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_none(v) for v in value]
    return value


def user_payload(user: FakeUser) -> Json:
    """A UserResponse object."""
    return {
        "id": str(user.id),
        "username": user.name,
        "global_name": user.global_name,
        "avatar": None,
        "discriminator": "0",
        "public_flags": 0,
        "flags": 0,
        "bot": user.bot,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "collectibles": None,
        "primary_guild": None,
    }


def member_payload(guild: FakeGuild, member: FakeMember, *, with_user: bool = True) -> Json:
    """A guild member object (with ``user`` unless nested in a message)."""
    data: Json = {
        "roles": [str(r) for r in member.roles],
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "joined_at": member.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user_payload(member.user)
    return data


def role_payload(role: FakeRole) -> Json:
    """A role object."""
    data: Json = {
        "id": str(role.id),
        "name": role.name,
        "description": None,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
    }
    if role.bot_id is not None:
        data["tags"] = {"bot_id": str(role.bot_id)}
    return data


def channel_payload(channel: FakeChannel) -> Json:
    """A guild channel object."""
    return {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "permission_overwrites": [],
        "topic": channel.topic,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
        "flags": 0,
    }


def guild_create_payload(world: World, guild: FakeGuild, intents: int) -> Json:
    """GUILD_CREATE data. Like Discord, all members are listed only with the GUILD_MEMBERS
    intent (bit 1), so with it ``member_count == len(members)`` and discord.py does not wait
    for member chunks; without it only the bot is listed (and discord.py does not chunk)."""
    members = list(guild.members.values())
    if not intents & (1 << 1):
        members = [m for m in members if m.user.id == world.bot_user.id]
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(guild.owner_id),
        "region": "deprecated",
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "roles": [role_payload(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": [],
        "joined_at": guild.members[world.bot_user.id].joined_at,
        "large": False,
        "unavailable": False,
        "member_count": len(guild.members),
        "members": [member_payload(guild, m) for m in members],
        "channels": [channel_payload(c) for c in guild.channels.values()],
        "threads": [],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "lazy": True,
    }


def members_chunk(guild: FakeGuild, request: Json) -> Json:
    """GUILD_MEMBERS_CHUNK answering an op 8 ``request`` (by ``user_ids`` or name prefix)."""
    ids = {int(i) for i in request.get("user_ids") or []}
    query = (request.get("query") or "").lower()
    members = [
        member_payload(guild, m)
        for m in guild.members.values()
        if (not ids or m.user.id in ids) and m.user.name.lower().startswith(query)
    ]
    chunk: Json = {
        "guild_id": str(guild.id),
        "members": members,
        "chunk_index": 0,
        "chunk_count": 1,
    }
    if request.get("nonce"):
        chunk["nonce"] = request["nonce"]
    return chunk


def me_payload(world: World) -> Json:
    """GET /users/@me for the bot."""
    return {
        **user_payload(world.bot_user),
        "mfa_enabled": False,
        "locale": "en-US",
        "verified": True,
        "email": None,
    }


def application_payload(world: World) -> Json:
    """GET /oauth2/applications/@me (no interactions endpoint URL, so the gateway gets them)."""
    return {
        "id": str(world.application_id),
        "name": world.bot_user.name,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot": user_payload(world.bot_user),
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": 0,
        "flags_new": "0",
        "redirect_uris": [],
        "rpc_origins": [],
        "tags": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "owner": user_payload(world.owner),
        "approximate_guild_count": len(world.guilds),
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "explicit_content_filter": 0,
        "team": None,
        "eligible_oauth2_scopes": [],
    }


def ready_payload(
    world: World, session_id: str, resume_url: str, shard: tuple[int, int], guilds: list[FakeGuild]
) -> Json:
    """READY data for one shard ``(shard_id, shard_count)``, listing the ``guilds`` it owns."""
    return {
        "v": 10,
        "user": {**me_payload(world), "bot": True},
        "guilds": [{"id": str(guild.id), "unavailable": True} for guild in guilds],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_url,
        "shard": list(shard),
        "application": {"id": str(world.application_id), "flags": 0},
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["fake"],
        "user_settings": {},
        "_trace": ["fake-discord"],
    }


def error_body(code: int, message: str, field: str | None = None, detail: str = "") -> Json:
    """A Discord error object, optionally with per-field errors."""
    body: Json = {"code": code, "message": message}
    if field is not None:
        body["errors"] = {field: {"_errors": [{"code": "INVALID", "message": detail or message}]}}
    return body
