"""The fake gateway: HELLO, heartbeats, IDENTIFY/READY, RESUME with replay, dispatches; one
connection per shard, each guild's events on the shard that owns it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from . import payloads
from .shards import GatewaySession, ShardLink, shard_refusal
from .state import World

__all__ = ["FATAL_CLOSE_CODES", "Gateway", "GatewaySession", "ShardLink"]

Json = dict[str, Any]

# Events Discord only sends with a given intent bit; others are always sent.
_EVENT_INTENTS = {
    "GUILD_CREATE": 0,
    "CHANNEL_CREATE": 0,
    "GUILD_ROLE_CREATE": 0,
    "GUILD_MEMBER_ADD": 1,
    "GUILD_MEMBER_UPDATE": 1,
    "MESSAGE_CREATE": 9,
    "MESSAGE_UPDATE": 9,
    "MESSAGE_DELETE": 9,
}
# Close codes after which discord.py does not reconnect.
FATAL_CLOSE_CODES = frozenset({4004, 4010, 4011, 4012, 4013, 4014})


class Gateway:
    """Serves the websocket; each shard's connection gets the dispatches of the guilds it owns.

    With one shard (the default) everything goes to shard 0 as before; the single-shard names
    (``session``, ``socket``, ``intents``) are shard 0's, the counters sum over shards.
    """

    def __init__(self, world: World, heartbeat_interval: int = 45_000) -> None:
        self.world = world
        self.heartbeat_interval = heartbeat_interval
        self.url = ""
        self.links = {n: ShardLink(n) for n in range(world.shard_count)}
        # Privileged intent bits the application is not approved for (4014 on IDENTIFY).
        self.disallowed_intents = 0
        self.sockets: set[web.WebSocketResponse] = set()
        self.heartbeat_count = 0
        self.last_identify: Json | None = None
        self.connect_queries: list[dict[str, str]] = []
        self._send_lock = asyncio.Lock()
        self._changed = asyncio.Condition()
        self._server_closed: set[web.WebSocketResponse] = set()
        self._ws_links: dict[web.WebSocketResponse, ShardLink] = {}

    def link(self, shard_id: int) -> ShardLink:
        """The state of shard ``shard_id``."""
        if shard_id not in self.links:
            raise ValueError(f"shard {shard_id} is not one of the {len(self.links)} shard(s)")
        return self.links[shard_id]

    def link_for(self, data: Json, guild_id: int | str | None = None) -> ShardLink:
        """The shard a dispatch goes to: the one owning ``guild_id`` (else ``data``'s
        ``guild_id``); events of no guild (DMs) go to shard 0."""
        gid = guild_id if guild_id is not None else data.get("guild_id")
        return self.links[self.world.shard_of(None if gid is None else int(gid))]

    @property
    def session(self) -> GatewaySession | None:
        """Shard 0's session."""
        return self.links[0].session

    @property
    def socket(self) -> web.WebSocketResponse | None:
        """Shard 0's socket."""
        return self.links[0].socket

    @property
    def intents(self) -> int:
        """Intents of shard 0's current session (0 before the first IDENTIFY)."""
        return self.links[0].intents

    @property
    def identify_count(self) -> int:
        """Accepted IDENTIFYs over all shards."""
        return sum(link.identify_count for link in self.links.values())

    @property
    def resume_count(self) -> int:
        """Successful RESUMEs over all shards."""
        return sum(link.resume_count for link in self.links.values())

    @property
    def connected(self) -> bool:
        """Whether every shard that ever identified is connected (and one has)."""
        started = [link for link in self.links.values() if link.session is not None]
        return bool(started) and all(link.connected for link in started)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """aiohttp handler for the gateway websocket."""
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.sockets.add(ws)
        self.connect_queries.append(dict(request.query))
        if request.query.get("v") != "10" or request.query.get("encoding") != "json":
            self.world.record_error("WS", "/gateway", f"unexpected query {dict(request.query)}")
        try:
            await ws.send_str(json.dumps({"op": 10, "d": self._hello(), "s": None, "t": None}))
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    self.world.record_error("WS", "/gateway", f"unexpected frame {msg.type}")
                    continue
                await self._on_frame(ws, json.loads(msg.data))
        finally:
            self.sockets.discard(ws)
            link = self._ws_links.pop(ws, None)
            clean = ws.close_code in (1000, 1001) and ws not in self._server_closed
            if link is not None and link.socket is ws:
                if clean and link.session:
                    link.session.valid = False  # Discord forgets sessions the bot closed cleanly
                link.socket = None
            self._server_closed.discard(ws)
            await self._notify()
        return ws

    def _hello(self) -> Json:
        return {"heartbeat_interval": self.heartbeat_interval, "_trace": ["fake-gateway"]}

    async def _on_frame(self, ws: web.WebSocketResponse, frame: Json) -> None:
        op: Any = frame.get("op")
        data: Any = frame.get("d")
        if op == 1:
            self.heartbeat_count += 1
            await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
        elif op == 2:
            await self._identify(ws, data)
        elif op == 6:
            await self._resume(ws, data)
        elif op == 8:
            await self._request_members(data)
        elif op not in (3, 4):
            self.world.record_error("WS", "/gateway", f"unexpected op {op}")

    async def _identify(self, ws: web.WebSocketResponse, data: Json) -> None:
        self.last_identify = data
        if ws in self._ws_links:
            await self._refuse(ws, 4005, b"Already authenticated.")
            return
        if not data.get("token"):
            await self._refuse(ws, 4004, b"Authentication failed.")
            return
        refusal = shard_refusal(data.get("shard"), self.world.shard_count, self.links)
        if refusal is not None:
            await self._refuse(ws, *refusal)
            return
        if int(data.get("intents", 0)) & self.disallowed_intents:
            await self._refuse(ws, 4014, b"Disallowed intent(s).")
            return
        link = self.links[(data.get("shard") or [0])[0]]
        link.session = GatewaySession(uuid.uuid4().hex, int(data.get("intents", 0)))
        link.socket = ws
        self._ws_links[ws] = link
        link.identify_count += 1
        link.queued.clear()
        world = self.world
        owned = [g for g in world.guilds.values() if world.shard_of(g.id) == link.id]
        shard = (link.id, world.shard_count)
        ready = payloads.ready_payload(world, link.session.id, self.url, shard, owned)
        await self._send_dispatch(link, "READY", json.dumps(ready))
        for guild in owned:
            body = json.dumps(payloads.guild_create_payload(world, guild, link.intents))
            await self._send_dispatch(link, "GUILD_CREATE", body)
        await self._notify()

    async def _refuse(self, ws: web.WebSocketResponse, code: int, reason: bytes) -> None:
        self._server_closed.add(ws)
        await ws.close(code=code, message=reason)

    async def _resume(self, ws: web.WebSocketResponse, data: Json) -> None:
        wanted = data.get("session_id")
        link = next((k for k in self.links.values() if k.session and k.session.id == wanted), None)
        session = link.session if link else None
        if link is None or session is None or not session.valid:
            await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
            return
        async with self._send_lock:
            link.socket = ws
            self._ws_links[ws] = link
            seen = data.get("seq") or 0
            for seq, frame in session.events:
                if seq > seen:
                    await ws.send_str(frame)
        await self.flush(link)
        await self._send_dispatch(link, "RESUMED", json.dumps({"_trace": ["fake-gateway"]}))
        link.resume_count += 1
        await self._notify()

    async def _request_members(self, data: Json) -> None:
        guild = self.world.guilds.get(int(data.get("guild_id") or 0))
        if guild is None:
            self.world.record_error("WS", "/gateway", f"op 8 for unknown guild {data}")
            return
        await self.dispatch("GUILD_MEMBERS_CHUNK", payloads.members_chunk(guild, data))

    def queue(self, event: str, data: Json, *, guild_id: int | None = None) -> None:
        """Queue a dispatch from synchronous code; sent in order before the next dispatch to
        the same shard (the one owning ``guild_id``, else ``data["guild_id"]``)."""
        link = self.link_for(data, guild_id)
        if link.session is None:
            return
        link.queued.append((event, json.dumps(data)))
        asyncio.get_running_loop().create_task(self.flush(link))

    async def flush(self, link: ShardLink | None = None) -> None:
        """Send the dispatches queued for ``link`` (default: every shard)."""
        for each in [link] if link is not None else list(self.links.values()):
            while each.queued:
                event, body = each.queued.pop(0)
                await self._send_dispatch(each, event, body)

    async def dispatch(self, event: str, data: Json, *, guild_id: int | None = None) -> None:
        """Send a dispatch (op 0) to the shard owning ``guild_id`` (else ``data["guild_id"]``;
        none: shard 0) if its intents allow it; buffered while that shard is disconnected.

        ``data`` is encoded at once: what the bot receives is the data as it was at this call,
        whatever happens to the objects it came from while earlier dispatches are sent (so
        callers may pass data that shares parts with the world's records, without copying).
        """
        body = json.dumps(data)
        link = self.link_for(data, guild_id)
        await self.flush(link)
        await self._send_dispatch(link, event, body)

    async def _send_dispatch(self, link: ShardLink, event: str, body: str) -> None:
        session = link.session
        if session is None:
            return
        bit = _EVENT_INTENTS.get(event)
        if bit is not None and not session.intents & (1 << bit):
            return
        async with self._send_lock:
            session.seq += 1
            frame = f'{{"op": 0, "t": {json.dumps(event)}, "s": {session.seq}, "d": {body}}}'
            session.events.append((session.seq, frame))
            ws = link.socket
            if ws is not None and not ws.closed and link.session is session:
                with contextlib.suppress(ConnectionError):  # replayed on RESUME
                    await ws.send_str(frame)

    async def send_op(self, op: int, data: Any = None, *, shard: int = 0) -> None:
        """Send a raw non-dispatch opcode to shard ``shard``'s connection."""
        ws = self._require_socket(shard)
        async with self._send_lock:
            await ws.send_str(json.dumps({"op": op, "d": data, "s": None, "t": None}))

    async def close_socket(self, code: int, *, shard: int = 0) -> None:
        """Close shard ``shard``'s socket with ``code`` (4007/4009 also invalidate its session)."""
        ws = self._require_socket(shard)
        session = self.links[shard].session
        if code in (4007, 4009) and session:
            session.valid = False
        self._server_closed.add(ws)
        await ws.close(code=code)

    def _require_socket(self, shard: int) -> web.WebSocketResponse:
        socket = self.link(shard).socket
        if socket is None or socket.closed:
            raise RuntimeError(f"no bot is connected to the fake gateway as shard {shard}")
        return socket

    def counts(self, shard: int | None = None) -> tuple[int, int]:
        """(identify_count, resume_count) of ``shard`` (default: summed over all shards), for
        :meth:`wait_reconnect`."""
        if shard is not None:
            return self.link(shard).counts()
        return self.identify_count, self.resume_count

    async def wait_reconnect(
        self, before: tuple[int, int], timeout: float, shard: int | None = None
    ) -> None:
        """Wait until ``shard`` (default: any, then all are connected) identified or resumed
        again since ``before = counts(shard)`` was taken."""

        def back() -> bool:
            connected = self.connected if shard is None else self.link(shard).connected
            return connected and self.counts(shard) != before

        await self._wait(back, timeout)

    async def _wait(self, predicate: Callable[[], bool], timeout: float) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def shutdown(self) -> None:
        """Close every socket (code 1001) so the server can stop promptly."""
        for ws in list(self.sockets):
            self._server_closed.add(ws)
            await ws.close(code=1001)
