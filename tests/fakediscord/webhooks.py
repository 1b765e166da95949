"""REST routes for interaction callbacks, followups and original-response edits."""

from __future__ import annotations

import copy
from typing import Any

from . import messages as m
from . import payloads as p
from .rest import Reply, Request, RestDispatcher
from .routes import Routes
from .state import InteractionRecord

__all__ = ["InteractionRoutes"]

Json = dict[str, Any]
_TRUE = ("1", "true", "True")


def _invalid(detail: str) -> Reply:
    return Reply(400, p.error_body(50035, "Invalid Form Body", "type", detail))


def _unknown_webhook() -> Reply:
    return Reply(404, p.error_body(10015, "Unknown Webhook"))


def _unknown_message() -> Reply:
    return Reply(404, p.error_body(10008, "Unknown Message"))


class InteractionRoutes:
    """Handlers for ``/interactions/.../callback`` and ``/webhooks/{app}/{token}/...``."""

    def __init__(self, routes: Routes) -> None:
        self.routes = routes
        self.world = routes.world

    def register(self, rest: RestDispatcher) -> None:
        """Attach the handlers to ``rest``."""
        rest.add(
            "POST", "/interactions/{interaction_id}/{interaction_token}/callback", self.callback
        )
        base = "/webhooks/{webhook_id}/{webhook_token}"
        rest.add("POST", base, self.followup)
        for target in ("@original", "{message_id}"):
            rest.add("GET", f"{base}/messages/{target}", self.get_message)
            rest.add("PATCH", f"{base}/messages/{target}", self.edit_message)
            rest.add("DELETE", f"{base}/messages/{target}", self.delete_message)

    def _extra(self, record: InteractionRecord) -> Json:
        app = str(self.world.application_id)
        return {"webhook_id": app, "application_id": app, "interaction_metadata": record.metadata}

    async def callback(self, req: Request) -> Reply:
        """Acknowledge an interaction (types 4-9) and return the callback response."""
        record = self.world.interactions.get(req.params["interaction_token"])
        if record is None or str(record.id) != req.params["interaction_id"]:
            return Reply(404, p.error_body(10062, "Unknown interaction"))
        if record.callback_type is not None:
            return Reply(400, p.error_body(40060, "Interaction has already been acknowledged."))
        body: Json = req.json or {}
        ctype, data = body.get("type"), body.get("data") or {}
        world = self.world
        resource: Json | None = None
        msg_type = 20 if record.type == 2 else 0
        if ctype == 4:
            message = self.routes.build_message(
                data, record.channel_id, req.files, msg_type=msg_type, extra=self._extra(record)
            )
            if isinstance(message, Reply):
                return message
            await self.routes.publish(message, "response", data, record)
            record.response_message_id = int(message["id"])
            resource = {"type": 4, "message": message}
        elif ctype == 5:
            message = m.message_payload(
                world,
                author=world.bot_user,
                channel_id=record.channel_id,
                flags=m.LOADING | ((data.get("flags") or 0) & m.EPHEMERAL),
                msg_type=msg_type,
                extra=self._extra(record),
            )
            world.messages[int(message["id"])] = message
            record.response_message_id = int(message["id"])
            await self.routes.echo(message)
        elif ctype in (6, 7):
            target = world.messages.get(record.message_id or 0)
            if record.type not in (3, 5) or target is None:
                return _invalid("Only component interactions can update a message.")
            record.response_message_id = record.message_id
            if ctype == 7:
                self.routes.apply_edit(target, data)
                await self.routes.publish(target, "update", data, record, event="MESSAGE_UPDATE")
                resource = {"type": 7, "message": target}
        elif ctype == 8:
            if record.type != 4:
                return _invalid("Autocomplete results answer autocomplete interactions only.")
        elif ctype == 9:
            if record.type not in (2, 3):
                return _invalid("A modal cannot answer a modal submit.")
            modal = {**data, "components": m.normalize_components(data.get("components"))}
            world.modals[data["custom_id"]] = (modal, record)
        else:
            return _invalid(f"Unsupported interaction callback type {ctype}.")
        record.callback_type, record.callback_data = ctype, data
        record.responded.set()
        if req.query.get("with_response") not in _TRUE:
            return Reply(204)
        interaction: Json = {"id": str(record.id), "type": record.type}
        guild = world.guild_at(record.channel_id)
        interaction.update(channel_id=str(record.channel_id), guild_id=str(guild.id))
        if record.response_message_id is not None and ctype in (4, 5):
            original = world.messages[record.response_message_id]
            interaction["response_message_id"] = str(record.response_message_id)
            interaction["response_message_loading"] = ctype == 5
            interaction["response_message_ephemeral"] = bool(original["flags"] & m.EPHEMERAL)
        out: Json = {"interaction": interaction}
        if resource is not None:
            out["resource"] = resource
        return Reply(200, out)

    def _record(self, req: Request) -> InteractionRecord | None:
        if req.params["webhook_id"] != str(self.world.application_id):
            return None
        record = self.world.interactions.get(req.params["webhook_token"])
        return record if record is not None and record.callback_type is not None else None

    def _find(self, req: Request) -> tuple[InteractionRecord, Json] | Reply:
        """The interaction and message a webhook message route names, or the error reply."""
        record = self._record(req)
        if record is None:
            return _unknown_webhook()
        message = self._message(req, record)
        return (record, message) if message is not None else _unknown_message()

    def _message(self, req: Request, record: InteractionRecord) -> Json | None:
        raw = req.params.get("message_id", "@original")
        if raw == "@original":
            mid = record.response_message_id
        else:
            mid = int(raw)
            owned = {record.response_message_id} | {int(f["id"]) for f in record.followups}
            if mid not in owned:
                return None
        return self.world.messages.get(mid or 0)

    async def followup(self, req: Request) -> Reply:
        """POST a followup message (``?wait=true`` returns it)."""
        record = self._record(req)
        if record is None:
            return _unknown_webhook()
        body: Json = req.json or {}
        message = self.routes.build_message(
            body, record.channel_id, req.files, extra=self._extra(record)
        )
        if isinstance(message, Reply):
            return message
        record.followups.append(await self.routes.publish(message, "followup", body, record))
        await record.notify()
        return Reply(200, message) if req.query.get("wait") in _TRUE else Reply(204)

    async def get_message(self, req: Request) -> Reply:
        """GET the original response or a followup."""
        found = self._find(req)
        return found if isinstance(found, Reply) else Reply(200, found[1])

    async def edit_message(self, req: Request) -> Reply:
        """PATCH the original response (e.g. after a defer) or a followup."""
        found = self._find(req)
        if isinstance(found, Reply):
            return found
        record, message = found
        body: Json = req.json or {}
        self.routes.apply_edit(message, body)
        edited = await self.routes.publish(message, "edit", body, record, event="MESSAGE_UPDATE")
        record.edits.append(copy.deepcopy(edited))
        await record.notify()
        return Reply(200, message)

    async def delete_message(self, req: Request) -> Reply:
        """DELETE the original response or a followup."""
        found = self._find(req)
        if isinstance(found, Reply):
            return found
        await self.routes.delete(found[1])
        return Reply(204)
