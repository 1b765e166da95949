"""REST routes for login, gateway discovery, channels and channel messages."""

from __future__ import annotations

import json
from typing import Any

from . import messages as m
from . import payloads as p
from .commands import CommandRoutes
from .gateway import Gateway
from .rest import Reply, Request, RestDispatcher
from .state import SEND_MESSAGES, FakeChannel, InteractionRecord, World, utcnow_iso

__all__ = ["Routes"]

Json = dict[str, Any]
MAX_CONTENT = 2000
UNKNOWN_CHANNEL = Reply(404, p.error_body(10003, "Unknown Channel"))
UNKNOWN_MESSAGE = Reply(404, p.error_body(10008, "Unknown Message"))
NO_CONTENT = Reply(204)


class Routes:
    """Handlers for everything except interaction callbacks and webhooks."""

    def __init__(self, world: World, gateway: Gateway) -> None:
        self.world = world
        self.gateway = gateway

    def register(self, rest: RestDispatcher, gateway_url: str) -> None:
        """Attach the handlers to ``rest``."""

        async def me(_: Request) -> Reply:
            return Reply(200, p.me_payload(self.world))

        async def application(_: Request) -> Reply:
            return Reply(200, p.application_payload(self.world))

        async def gateway(_: Request) -> Reply:
            return Reply(200, {"url": gateway_url})

        async def gateway_bot(_: Request) -> Reply:
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            shards = self.world.shard_count
            return Reply(200, {"url": gateway_url, "shards": shards, "session_start_limit": limit})

        async def typing(req: Request) -> Reply:
            return NO_CONTENT if self.channel(req) else UNKNOWN_CHANNEL

        rest.add("GET", "/users/@me", me)
        rest.add("GET", "/oauth2/applications/@me", application)
        rest.add("GET", "/gateway", gateway)
        rest.add("GET", "/gateway/bot", gateway_bot)
        CommandRoutes(self.world).register(rest)
        rest.add("GET", "/channels/{channel_id}", self.get_channel)
        rest.add("POST", "/channels/{channel_id}/typing", typing)
        rest.add("GET", "/channels/{channel_id}/messages", self.history)
        rest.add("POST", "/channels/{channel_id}/messages", self.create_message)
        single = "/channels/{channel_id}/messages/{message_id}"
        rest.add("GET", single, self.get_message)
        rest.add("PATCH", single, self.edit_message)
        rest.add("DELETE", single, self.delete_message)
        rest.add("PUT", single + "/reactions/{emoji_name}/@me", self.add_reaction)

    # -- helpers shared with the interaction routes ------------------------------------------

    def channel(self, req: Request) -> FakeChannel | None:
        """The channel (of any guild) named by the ``channel_id`` path parameter."""
        return self.world.channel(int(req.params["channel_id"]))

    def _attachments(self, body: Json, files: list[tuple[str, str, bytes]], channel_id: int) -> Any:
        uploaded = {name: (filename, data) for name, filename, data in files}
        out: list[Json] = []
        for item in body.get("attachments") or []:
            default = (item.get("filename", ""), b"")
            filename, data = uploaded.get(f"files[{item['id']}]", default)
            aid = self.world.new_id()
            self.world.attachment_data[str(aid)] = data  # what the CDN would serve
            url = f"https://cdn.discordapp.com/attachments/{channel_id}/{aid}/{filename}"
            out.append(
                {
                    "id": str(aid),
                    "filename": item.get("filename") or filename,
                    "size": len(data),
                    "url": url,
                    "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
                }
            )
        return out

    def build_message(
        self,
        body: Json,
        channel_id: int,
        files: list[tuple[str, str, bytes]],
        *,
        msg_type: int = 0,
        reference: Json | None = None,
        extra: Json | None = None,
    ) -> Json | Reply:
        """A new bot message from a create body, or the error reply Discord would give."""
        content = body.get("content") or ""
        if len(content) > MAX_CONTENT:
            detail = f"Must be {MAX_CONTENT} or fewer in length."
            return Reply(400, p.error_body(50035, "Invalid Form Body", "content", detail))
        attachments = self._attachments(body, files, channel_id)
        keys = ("embeds", "components", "sticker_ids", "poll")
        if not content and not attachments and not any(body.get(k) for k in keys):
            return Reply(400, p.error_body(50006, "Cannot send an empty message"))
        world = self.world
        replied = world.users.get(int(reference["author"]["id"])) if reference else None
        allowed = body.get("allowed_mentions")
        guild = world.guild_at(channel_id)
        users, roles, everyone = m.resolve_mentions(
            world, guild, content, allowed, replied, world.bot_user.id
        )
        return m.message_payload(
            world,
            author=world.bot_user,
            channel_id=channel_id,
            content=content,
            mentions=users,
            mention_roles=roles,
            mention_everyone=everyone,
            embeds=body.get("embeds"),
            components=body.get("components"),
            attachments=attachments,
            flags=(body.get("flags") or 0) & ~m.LOADING,
            msg_type=msg_type,
            reference=reference,
            extra=extra,
        )

    async def publish(
        self,
        message: Json,
        kind: str,
        body: Json,
        interaction: InteractionRecord | None = None,
        *,
        event: str = "MESSAGE_CREATE",
    ) -> Json:
        """Store a bot message, echo it over the gateway unless ephemeral, record it."""
        self.world.messages[int(message["id"])] = message
        await self.echo(message, event)
        record: Json = json.loads(json.dumps(message))  # a JSON document: faster than deepcopy
        record["kind"] = kind
        record["allowed_mentions"] = body.get("allowed_mentions")
        record["interaction_id"] = str(interaction.id) if interaction else None
        await self.world.record_bot_message(record)
        return record

    async def echo(self, message: Json, event: str = "MESSAGE_CREATE") -> None:
        """Send a message event to the bot unless the message is ephemeral."""
        if not message["flags"] & m.EPHEMERAL:
            data = m.gateway_message(self.world, message, self.intents_for(message))
            await self.gateway.dispatch(event, data)

    def intents_for(self, message: Json) -> int:
        """The intents of the shard that gets events of ``message``'s guild."""
        guild = self.world.guild_at(int(message["channel_id"]))
        return self.gateway.link(self.world.shard_of(guild.id)).intents

    def apply_edit(self, message: Json, body: Json) -> None:
        """Apply an edit body to a stored message in place."""
        if "content" in body:
            message["content"] = body["content"] or ""
            allowed = body.get("allowed_mentions")
            bot_id = self.world.bot_user.id
            guild = self.world.guild_at(int(message["channel_id"]))
            users, roles, _ = m.resolve_mentions(
                self.world, guild, message["content"], allowed, None, bot_id
            )
            message["mentions"] = [p.user_payload(u) for u in users]
            message["mention_roles"] = [str(r) for r in roles]
        if "embeds" in body:
            message["embeds"] = m.normalize_embeds(body["embeds"])
        if "components" in body:
            message["components"] = m.normalize_components(body["components"])
        if "attachments" in body and body["attachments"] is not None:
            keep = {str(a.get("id")) for a in body["attachments"]}
            message["attachments"] = [a for a in message["attachments"] if a["id"] in keep]
        if body.get("flags") is not None:
            message["flags"] = (message["flags"] & m.EPHEMERAL) | (body["flags"] & ~m.EPHEMERAL)
        message["flags"] &= ~m.LOADING
        message["edited_timestamp"] = utcnow_iso()

    async def delete(self, message: Json) -> None:
        """Delete a stored message and tell the bot."""
        self.world.messages.pop(int(message["id"]), None)
        if not message["flags"] & m.EPHEMERAL:
            guild = self.world.guild_at(int(message["channel_id"]))
            data = {
                "id": message["id"],
                "channel_id": message["channel_id"],
                "guild_id": str(guild.id),
            }
            await self.gateway.dispatch("MESSAGE_DELETE", data)

    def _own_message(self, req: Request) -> Json | None:
        message = self.world.messages.get(int(req.params["message_id"]))
        if message is None or message["channel_id"] != req.params["channel_id"]:
            return None
        return message

    # -- handlers ---------------------------------------------------------------------------

    async def get_channel(self, req: Request) -> Reply:
        """GET /channels/{id}."""
        channel = self.channel(req)
        return Reply(200, p.channel_payload(channel)) if channel else UNKNOWN_CHANNEL

    async def history(self, req: Request) -> Reply:
        """Newest-first channel history (``limit`` honoured, ``before``/``after`` too)."""
        if self.channel(req) is None:
            return UNKNOWN_CHANNEL
        limit = int(req.query.get("limit", "50"))
        before = int(req.query.get("before", str(1 << 63)))
        after = int(req.query.get("after", "0"))
        found = [
            msg
            for mid, msg in sorted(self.world.messages.items(), reverse=True)
            if msg["channel_id"] == req.params["channel_id"]
            and after < mid < before
            and not msg["flags"] & m.EPHEMERAL
        ]
        return Reply(200, found[:limit])

    async def create_message(self, req: Request) -> Reply:
        """POST /channels/{id}/messages (replies via ``message_reference``)."""
        channel = self.channel(req)
        if channel is None:
            return UNKNOWN_CHANNEL
        guild = self.world.guilds[channel.guild_id]
        if not guild.permissions_for(self.world.bot_user.id) & SEND_MESSAGES:
            return Reply(403, p.error_body(50013, "Missing Permissions"))
        body: Json = req.json or {}
        ref, target = body.get("message_reference"), None
        if ref:
            target = self.world.messages.get(int(ref.get("message_id", 0)))
            if target is None and ref.get("fail_if_not_exists", True):
                detail = "Unknown message"
                error = p.error_body(50035, "Invalid Form Body", "message_reference", detail)
                return Reply(400, error)
        message = self.build_message(
            body, channel.id, req.files, msg_type=19 if target else 0, reference=target
        )
        if isinstance(message, Reply):
            return message
        await self.publish(message, "message", body)
        return Reply(200, message)

    async def get_message(self, req: Request) -> Reply:
        """GET one channel message."""
        message = self._own_message(req)
        return Reply(200, message) if message else UNKNOWN_MESSAGE

    async def edit_message(self, req: Request) -> Reply:
        """PATCH a message (only the bot's own)."""
        message = self._own_message(req)
        if message is None:
            return UNKNOWN_MESSAGE
        if message["author"]["id"] != str(self.world.bot_user.id):
            return Reply(403, p.error_body(50005, "Cannot edit a message authored by another user"))
        body: Json = req.json or {}
        self.apply_edit(message, body)
        await self.publish(message, "edit", body, event="MESSAGE_UPDATE")
        return Reply(200, message)

    async def delete_message(self, req: Request) -> Reply:
        """DELETE a message."""
        message = self._own_message(req)
        if message is None:
            return UNKNOWN_MESSAGE
        await self.delete(message)
        return NO_CONTENT

    async def add_reaction(self, req: Request) -> Reply:
        """PUT a reaction as the bot."""
        return NO_CONTENT if self._own_message(req) else UNKNOWN_MESSAGE
