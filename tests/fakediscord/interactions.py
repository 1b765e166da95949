"""Sending interactions (slash commands, autocomplete, components, modals) to the bot."""

from __future__ import annotations

import asyncio
import copy
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from . import payloads as p
from .gateway import Gateway
from .results import InteractionResult
from .state import FakeChannel, FakeGuild, FakeRole, FakeUser, InteractionRecord, World

__all__ = ["Interactions"]

Json = dict[str, Any]
_SCALARS: dict[int, type] = {3: str, 4: int, 5: bool, 10: float}
_ENTITIES: dict[int, tuple[type, ...]] = {
    6: (FakeUser,),
    7: (FakeChannel,),
    8: (FakeRole,),
    9: (FakeUser, FakeRole),
}


def _find_component(components: Sequence[Json], custom_id: str) -> Json | None:
    for comp in components:
        if comp.get("custom_id") == custom_id:
            return comp
        nested = list(comp.get("components") or [])
        nested += [comp[key] for key in ("component", "accessory") if key in comp]
        found = _find_component(nested, custom_id)
        if found is not None:
            return found
    return None


class Interactions:
    """Builds INTERACTION_CREATE payloads, dispatches them and waits for the callback."""

    def __init__(self, world: World, gateway: Gateway) -> None:
        self.world = world
        self.gateway = gateway

    def _record(
        self, itype: int, user: FakeUser, channel_id: int, **meta: Any
    ) -> InteractionRecord:
        world = self.world
        guild = world.guild_of(channel_id)
        if guild is None:
            raise ValueError(f"unknown channel {channel_id}")
        if user.id not in guild.members:
            problem = f"{user.name} is not a member of {guild.name} (use add_user/add_member)"
            raise ValueError(problem)
        iid = world.new_id()
        metadata: Json = {
            "id": str(iid),
            "type": itype,
            "user": p.user_payload(user),
            "authorizing_integration_owners": {"0": str(guild.id)},
            **meta,
        }
        token = f"itok.{iid}.{secrets.token_hex(8)}"
        return InteractionRecord(iid, token, itype, user, channel_id, metadata)

    def _payload(self, record: InteractionRecord, data: Json) -> Json:
        world, guild = self.world, self.world.guild_at(record.channel_id)
        channel = guild.channels[record.channel_id]
        perms = str(guild.permissions_for(record.user.id))
        payload: Json = {
            "id": str(record.id),
            "application_id": str(world.application_id),
            "type": record.type,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": {**p.channel_payload(channel), "permissions": perms},
            "member": {
                **p.member_payload(guild, guild.members[record.user.id]),
                "permissions": perms,
            },
            "token": record.token,
            "version": 1,
            "app_permissions": str(guild.permissions_for(world.bot_user.id)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if record.message_id is not None and record.message_id in world.messages:
            payload["message"] = copy.deepcopy(world.messages[record.message_id])
        return payload

    async def _send(
        self, record: InteractionRecord, data: Json, timeout: float
    ) -> InteractionResult:
        shard = self.world.shard_of(self.world.guild_at(record.channel_id).id)
        if self.gateway.link(shard).session is None:
            raise RuntimeError(f"the bot has not identified with the fake gateway as shard {shard}")
        self.world.interactions[record.token] = record
        await self.gateway.dispatch("INTERACTION_CREATE", self._payload(record, data))
        try:
            await asyncio.wait_for(record.responded.wait(), timeout)
        except TimeoutError:
            what = record.command_name or data.get("custom_id") or record.type
            problem = f"the bot did not acknowledge interaction {what!r} in {timeout}s"
            raise TimeoutError(problem) from None
        message = self.world.messages.get(record.response_message_id or 0)
        return InteractionResult(record, copy.deepcopy(message) if message else None)

    def find_command(self, name: str, guild: FakeGuild | None = None) -> Json:
        """A synced chat-input command by name (``guild``'s commands shadow global ones)."""
        for scope in ((guild or self.world.guild).id, None):
            command = self.world.commands.get(scope, {}).get((1, name))
            if command is not None:
                return command
        synced = sorted(n for cmds in self.world.commands.values() for _, n in cmds)
        raise LookupError(f"slash command {name!r} was not synced (synced: {synced})")

    @staticmethod
    def _scalar(spec: Json, value: Any) -> Any:
        """Coerce and check a string/integer/boolean/number option like Discord's client."""
        otype, name = spec["type"], spec["name"]
        if otype == 5 and not isinstance(value, bool):
            raise TypeError(f"option {name!r} is a boolean, got {value!r}")
        value = _SCALARS[otype](value)
        choices = [c["value"] for c in spec.get("choices") or []]
        if choices and value not in choices:
            raise ValueError(f"option {name!r}: {value!r} is not one of {choices}")
        if otype == 3:
            size, low, high = len(value), spec.get("min_length"), spec.get("max_length")
        else:
            size, low, high = value, spec.get("min_value"), spec.get("max_value")
        if (low is not None and size < low) or (high is not None and size > high):
            raise ValueError(f"option {name!r}: {value!r} is out of range [{low}, {high}]")
        return value

    def _value(self, spec: Json, value: Any, resolved: dict[str, Json], guild: FakeGuild) -> Any:
        otype, name = spec["type"], spec["name"]
        if otype in _SCALARS:
            return self._scalar(spec, value)
        if not isinstance(value, _ENTITIES.get(otype, ())):
            raise TypeError(f"option {name!r} (type {otype}) cannot take {value!r}")
        if isinstance(value, FakeUser):
            resolved.setdefault("users", {})[str(value.id)] = p.user_payload(value)
            member = guild.members.get(value.id)
            if member is not None:
                perms = str(guild.permissions_for(value.id))
                data = {**p.member_payload(guild, member, with_user=False), "permissions": perms}
                resolved.setdefault("members", {})[str(value.id)] = data
            return str(value.id)
        if isinstance(value, FakeRole):
            resolved.setdefault("roles", {})[str(value.id)] = p.role_payload(value)
            return str(value.id)
        if isinstance(value, FakeChannel):
            perms = str(guild.permissions_for(self.world.bot_user.id))
            data = {**p.channel_payload(value), "permissions": perms}
            resolved.setdefault("channels", {})[str(value.id)] = data
            return str(value.id)
        raise AssertionError("unreachable")

    def build_options(
        self,
        specs: Sequence[Json],
        values: Mapping[str, Any],
        resolved: dict[str, Json],
        focused: str | None = None,
        guild: FakeGuild | None = None,
    ) -> list[Json]:
        """Turn ``{"name": value}`` (nested dicts for subcommands) into interaction options;
        members and permissions in ``resolved`` are those of ``guild`` (default: the default)."""
        guild = guild or self.world.guild
        by_name = {s["name"]: s for s in specs}
        out: list[Json] = []
        for name, value in values.items():
            spec = by_name.get(name)
            if spec is None:
                raise ValueError(f"unknown option {name!r} (known: {sorted(by_name)})")
            if spec["type"] in (1, 2):
                nested = self.build_options(
                    spec.get("options") or [], value, resolved, focused, guild
                )
                out.append({"type": spec["type"], "name": name, "options": nested})
            elif name == focused:
                out.append(
                    {"type": spec["type"], "name": name, "value": str(value), "focused": True}
                )
            else:
                out.append(
                    {
                        "type": spec["type"],
                        "name": name,
                        "value": self._value(spec, value, resolved, guild),
                    }
                )
        missing = [s["name"] for s in specs if s.get("required") and s["name"] not in values]
        if missing and focused is None:
            raise ValueError(f"missing required options {missing}")
        return out

    async def command(
        self,
        itype: int,
        name: str,
        options: Mapping[str, Any] | None,
        user: FakeUser,
        channel_id: int,
        focused: str | None,
        timeout: float,
    ) -> InteractionResult:
        """Send a chat-input (type 2) or autocomplete (type 4) interaction.

        ``name`` may include subcommands ("group sub"); ``options`` then holds the leaf's options.
        """
        top, *subs = name.split()
        values: Mapping[str, Any] = dict(options or {})
        for sub in reversed(subs):
            values = {sub: values}
        guild = self.world.guild_at(channel_id)
        command = self.find_command(top, guild)
        resolved: dict[str, Json] = {}
        built = self.build_options(command.get("options") or [], values, resolved, focused, guild)
        data: Json = {"id": command["id"], "name": top, "type": 1, "options": built}
        if resolved:
            data["resolved"] = resolved
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        record = self._record(itype, user, channel_id)
        record.command_name = name
        return await self._send(record, data, timeout)

    async def click(
        self,
        message: Json,
        custom_id: str,
        user: FakeUser,
        values: Sequence[str] | None,
        timeout: float,
    ) -> InteractionResult:
        """Press a button / choose from a select menu on a message the bot sent."""
        stored = self.world.messages.get(int(message["id"]))
        if stored is None:
            raise LookupError(f"message {message['id']} does not exist (deleted or never sent)")
        component = _find_component(stored["components"], custom_id)
        if component is None:
            raise LookupError(f"message {stored['id']} has no component {custom_id!r}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        data: Json = {
            "custom_id": custom_id,
            "component_type": component["type"],
            "id": component["id"],
        }
        if component["type"] in (3, 5, 6, 7, 8):
            data["values"] = list(values or [])
        record = self._record(
            3, user, int(stored["channel_id"]), interacted_message_id=stored["id"]
        )
        record.message_id = int(stored["id"])
        return await self._send(record, data, timeout)

    def _submitted(self, comp: Json, values: dict[str, Any]) -> Json:
        custom_id = comp.get("custom_id", "")
        if comp["type"] != 4:  # selects inside labels
            chosen = values.pop(custom_id, [])
            return {
                "type": comp["type"],
                "id": comp["id"],
                "custom_id": custom_id,
                "values": list(chosen),
            }
        value = str(values.pop(custom_id, comp.get("value") or ""))
        if comp.get("required", True) and not value:
            raise ValueError(f"text input {custom_id!r} is required")
        low, high = comp.get("min_length"), comp.get("max_length")
        if value and (
            (low is not None and len(value) < low) or (high is not None and len(value) > high)
        ):
            raise ValueError(
                f"text input {custom_id!r}: length {len(value)} not in [{low}, {high}]"
            )
        return {"type": 4, "id": comp["id"], "custom_id": custom_id, "value": value}

    async def submit_modal(
        self, custom_id: str, values: Mapping[str, Any], user: FakeUser, timeout: float
    ) -> InteractionResult:
        """Submit a modal the bot opened, filling text inputs by custom_id."""
        entry = self.world.modals.pop(custom_id, None)
        if entry is None:
            raise LookupError(f"no open modal with custom_id {custom_id!r}")
        modal, opener = entry
        remaining = dict(values)
        components: list[Json] = []
        for comp in modal["components"]:
            if comp["type"] == 1:
                inner = [self._submitted(c, remaining) for c in comp["components"]]
                components.append({"type": 1, "id": comp["id"], "components": inner})
            elif comp["type"] == 18:
                inner_comp = self._submitted(comp["component"], remaining)
                components.append({"type": 18, "id": comp["id"], "component": inner_comp})
            else:
                components.append({"type": comp["type"], "id": comp["id"]})
        if remaining:
            raise ValueError(f"modal {custom_id!r} has no inputs {sorted(remaining)}")
        trigger = opener.metadata
        record = self._record(5, user, opener.channel_id, triggering_interaction_metadata=trigger)
        record.message_id = opener.message_id
        return await self._send(record, {"custom_id": custom_id, "components": components}, timeout)
