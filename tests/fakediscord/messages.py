"""Messages: building them, mentions, component ids, and what the gateway shows the bot."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from .payloads import member_payload, strip_none, user_payload
from .state import MENTION_EVERYONE, FakeGuild, FakeUser, World, utcnow_iso

Json = dict[str, Any]

MESSAGE_CONTENT_INTENT = 1 << 15
EPHEMERAL = 1 << 6
LOADING = 1 << 7
_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def normalize_components(components: Iterable[Json] | None, start: int = 1) -> list[Json]:
    """Copy request components, assigning the sequential ``id`` Discord adds to each one."""
    counter = [start]

    def walk(comp: Json) -> Json:
        out: Json = strip_none(comp)
        if "id" not in out:
            out["id"] = counter[0]
        counter[0] = max(counter[0], out["id"]) + 1
        if isinstance(out.get("components"), list):
            out["components"] = [walk(c) for c in out["components"]]
        for key in ("component", "accessory"):
            if isinstance(out.get(key), dict):
                out[key] = walk(out[key])
        return out

    return [walk(c) for c in components or []]


def normalize_embeds(embeds: Iterable[Json] | None) -> list[Json]:
    """Copy request embeds into response shape (``type``, ``inline`` on fields)."""
    out: list[Json] = []
    for embed in embeds or []:
        data = {k: v for k, v in copy.deepcopy(embed).items() if v is not None}
        data.setdefault("type", "rich")
        for fld in data.get("fields", []):
            fld.setdefault("inline", False)
        out.append(data)
    return out


def resolve_mentions(
    world: World,
    guild: FakeGuild,
    content: str,
    allowed: Json | None,
    replied_to: FakeUser | None,
    author_id: int,
) -> tuple[list[FakeUser], list[int], bool]:
    """Apply ``allowed_mentions`` to content posted in ``guild`` like Discord: (users, role
    ids, mention_everyone)."""
    parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
    explicit_users = {int(u) for u in (allowed or {}).get("users") or []}
    explicit_roles = {int(r) for r in (allowed or {}).get("roles") or []}
    users: list[FakeUser] = []
    for raw in _USER_MENTION.findall(content):
        user = world.users.get(int(raw))
        if user and ("users" in parse or user.id in explicit_users) and user not in users:
            users.append(user)
    replied_ok = allowed is None or bool(allowed.get("replied_user"))
    if replied_to is not None and replied_ok and replied_to not in users:
        users.append(replied_to)
    roles = [
        int(r)
        for r in dict.fromkeys(_ROLE_MENTION.findall(content))
        if int(r) in guild.roles and ("roles" in parse or int(r) in explicit_roles)
    ]
    everyone = (
        "everyone" in parse
        and ("@everyone" in content or "@here" in content)
        and bool(guild.permissions_for(author_id) & MENTION_EVERYONE)
    )
    return users, roles, everyone


def message_payload(
    world: World,
    *,
    author: FakeUser,
    channel_id: int,
    content: str = "",
    mentions: Iterable[FakeUser] = (),
    mention_roles: Iterable[int] = (),
    mention_everyone: bool = False,
    embeds: list[Json] | None = None,
    components: list[Json] | None = None,
    attachments: list[Json] | None = None,
    flags: int = 0,
    msg_type: int = 0,
    reference: Json | None = None,
    extra: Json | None = None,
) -> Json:
    """A stored message in REST (MessageResponse) shape."""
    data: Json = {
        "id": str(world.new_id()),
        "channel_id": str(channel_id),
        "type": msg_type,
        "author": user_payload(author),
        "content": content,
        "timestamp": utcnow_iso(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": mention_everyone,
        "mentions": [user_payload(u) for u in mentions],
        "mention_roles": [str(r) for r in mention_roles],
        "attachments": attachments or [],
        "embeds": normalize_embeds(embeds),
        "components": normalize_components(components),
        "pinned": False,
        "flags": flags,
    }
    if reference is not None:
        guild = world.guild_at(int(reference["channel_id"]))
        data["message_reference"] = {
            "type": 0,
            "message_id": reference["id"],
            "channel_id": reference["channel_id"],
            "guild_id": str(guild.id),
        }
        data["referenced_message"] = {
            k: v for k, v in reference.items() if k not in ("referenced_message", "member")
        }
    data.update(extra or {})
    return data


def gateway_message(world: World, message: Json, intents: int) -> Json:
    """MESSAGE_CREATE/UPDATE data as the bot sees it (content blanked without the intent).

    A shallow copy: only top-level keys and the mention objects are changed here, and the
    gateway encodes the data as soon as it is dispatched.
    """
    guild = world.guild_at(int(message["channel_id"]))
    data = dict(message)
    data["mentions"] = [dict(mention) for mention in message["mentions"]]
    data["guild_id"] = str(guild.id)
    author_id = int(data["author"]["id"])
    member = guild.members.get(author_id)
    if member is not None and "webhook_id" not in data:
        data["member"] = member_payload(guild, member, with_user=False)
    for mention in data["mentions"]:
        mentioned = guild.members.get(int(mention["id"]))
        if mentioned is not None:
            mention["member"] = member_payload(guild, mentioned, with_user=False)
    bot_id = str(world.bot_user.id)
    visible = (
        intents & MESSAGE_CONTENT_INTENT
        or data["author"]["id"] == bot_id
        or any(m["id"] == bot_id for m in data["mentions"])
    )
    if not visible:
        data.update(content="", embeds=[], attachments=[], components=[])
        data.pop("poll", None)
    return data
