"""REST routes for application command sync (global and guild)."""

from __future__ import annotations

from typing import Any

from . import payloads as p
from .rest import Reply, Request, RestDispatcher
from .state import World

__all__ = ["CommandRoutes"]

Json = dict[str, Any]


class CommandRoutes:
    """``/applications/{app}[/guilds/{guild}]/commands``: ids persist per (scope, name, type)."""

    def __init__(self, world: World) -> None:
        self.world = world

    def register(self, rest: RestDispatcher) -> None:
        """Attach the handlers to ``rest``."""
        for base in (
            "/applications/{application_id}",
            "/applications/{application_id}/guilds/{guild_id}",
        ):
            rest.add("PUT", base + "/commands", self.put_commands)
            rest.add("GET", base + "/commands", self.get_commands)
            rest.add("POST", base + "/commands", self.post_command)

    def _scope(self, req: Request) -> int | Reply | None:
        if req.params["application_id"] != str(self.world.application_id):
            return Reply(403, p.error_body(50001, "Missing Access"))
        guild_id = req.params.get("guild_id")
        if guild_id is not None and int(guild_id) not in self.world.guilds:
            return Reply(403, p.error_body(50001, "Missing Access"))
        return None if guild_id is None else int(guild_id)

    def _command(self, cmd: Json, scope: int | None) -> Json:
        world = self.world
        ctype = cmd.get("type") or 1
        cid = world.command_ids.setdefault((scope, cmd["name"], ctype), world.new_id())
        out: Json = p.strip_none({k: v for k, v in cmd.items() if k != "id"})
        perms = cmd.get("default_member_permissions")
        out.update(
            id=str(cid),
            application_id=str(world.application_id),
            version=str(world.new_id()),
            type=ctype,
            description=cmd.get("description") or "",
            default_member_permissions=None if perms is None else str(perms),
        )
        out.setdefault("nsfw", False)
        if scope is not None:
            out["guild_id"] = str(scope)
        return out

    async def put_commands(self, req: Request) -> Reply:
        """Bulk overwrite: replaces the scope's commands; ids persist per (name, type)."""
        scope = self._scope(req)
        if isinstance(scope, Reply):
            return scope
        commands = [self._command(c, scope) for c in req.json or []]
        self.world.commands[scope] = {(c["type"], c["name"]): c for c in commands}
        return Reply(200, commands)

    async def get_commands(self, req: Request) -> Reply:
        """List the scope's synced commands."""
        scope = self._scope(req)
        if isinstance(scope, Reply):
            return scope
        return Reply(200, list(self.world.commands.get(scope, {}).values()))

    async def post_command(self, req: Request) -> Reply:
        """Create or replace one command."""
        scope = self._scope(req)
        if isinstance(scope, Reply):
            return scope
        command = self._command(req.json or {}, scope)
        self.world.commands.setdefault(scope, {})[(command["type"], command["name"])] = command
        return Reply(201, command)
