"""The fake gateway: HELLO, heartbeats, IDENTIFY/READY, RESUME with replay, dispatches."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from . import payloads
from .state import World

__all__ = ["FATAL_CLOSE_CODES", "Gateway", "GatewaySession"]

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


@dataclass(eq=False)
class GatewaySession:
    """A gateway session: its sequence number and every dispatch as sent, for RESUME replays."""

    id: str
    intents: int
    seq: int = 0
    events: list[tuple[int, str]] = field(default_factory=list)  # (seq, frame text)
    valid: bool = True


class Gateway:
    """Serves the websocket and dispatches events to the (single) connected bot."""

    def __init__(self, world: World, heartbeat_interval: int = 45_000) -> None:
        self.world = world
        self.heartbeat_interval = heartbeat_interval
        self.url = ""
        self.session: GatewaySession | None = None
        self.socket: web.WebSocketResponse | None = None
        # Privileged intent bits the application is not approved for (4014 on IDENTIFY).
        self.disallowed_intents = 0
        self.sockets: set[web.WebSocketResponse] = set()
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeat_count = 0
        self.last_identify: Json | None = None
        self.connect_queries: list[dict[str, str]] = []
        self._send_lock = asyncio.Lock()
        self._changed = asyncio.Condition()
        self._queued: list[tuple[str, str]] = []  # (event, encoded data)
        self._server_closed: set[web.WebSocketResponse] = set()

    @property
    def intents(self) -> int:
        """Intents of the current session (0 before the first IDENTIFY)."""
        return self.session.intents if self.session else 0

    @property
    def connected(self) -> bool:
        """Whether a bot is identified or resumed on an open socket."""
        return self.socket is not None and not self.socket.closed and self.session is not None

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
            clean = ws.close_code in (1000, 1001) and ws not in self._server_closed
            if clean and self.socket is ws and self.session:
                self.session.valid = False  # Discord forgets sessions the bot closed cleanly
            self._server_closed.discard(ws)
            if self.socket is ws:
                self.socket = None
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
        if not data.get("token"):
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        if int(data.get("intents", 0)) & self.disallowed_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.session = GatewaySession(uuid.uuid4().hex, int(data.get("intents", 0)))
        self.socket = ws
        self.identify_count += 1
        self._queued.clear()
        ready = payloads.ready_payload(self.world, self.session.id, self.url)
        await self.dispatch("READY", ready)
        await self.dispatch("GUILD_CREATE", payloads.guild_create_payload(self.world, self.intents))
        await self._notify()

    async def _resume(self, ws: web.WebSocketResponse, data: Json) -> None:
        session = self.session
        if session is None or not session.valid or data.get("session_id") != session.id:
            await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
            return
        async with self._send_lock:
            self.socket = ws
            seen = data.get("seq") or 0
            for seq, frame in session.events:
                if seq > seen:
                    await ws.send_str(frame)
        await self.dispatch("RESUMED", {"_trace": ["fake-gateway"]})
        self.resume_count += 1
        await self._notify()

    async def _request_members(self, data: Json) -> None:
        guild = self.world.guild
        ids = {int(i) for i in data.get("user_ids") or []}
        query = (data.get("query") or "").lower()
        members = [
            payloads.member_payload(guild, m)
            for m in guild.members.values()
            if (not ids or m.user.id in ids) and m.user.name.lower().startswith(query)
        ]
        chunk: Json = {
            "guild_id": str(guild.id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def queue(self, event: str, data: Json) -> None:
        """Queue a dispatch from synchronous code; sent in order before the next dispatch."""
        if self.session is None:
            return
        self._queued.append((event, json.dumps(data)))
        asyncio.get_running_loop().create_task(self.flush())

    async def flush(self) -> None:
        """Send queued dispatches."""
        while self._queued:
            event, body = self._queued.pop(0)
            await self._send_dispatch(event, body)

    async def dispatch(self, event: str, data: Json) -> None:
        """Send a dispatch (op 0) if the bot's intents allow it; buffered while disconnected.

        ``data`` is encoded at once: what the bot receives is the data as it was at this call,
        whatever happens to the objects it came from while earlier dispatches are sent (so
        callers may pass data that shares parts with the world's records, without copying).
        """
        body = json.dumps(data)
        await self.flush()
        await self._send_dispatch(event, body)

    async def _send_dispatch(self, event: str, body: str) -> None:
        session = self.session
        if session is None:
            return
        bit = _EVENT_INTENTS.get(event)
        if bit is not None and not session.intents & (1 << bit):
            return
        async with self._send_lock:
            session.seq += 1
            frame = f'{{"op": 0, "t": {json.dumps(event)}, "s": {session.seq}, "d": {body}}}'
            session.events.append((session.seq, frame))
            ws = self.socket
            if ws is not None and not ws.closed and self.session is session:
                with contextlib.suppress(ConnectionError):  # replayed on RESUME
                    await ws.send_str(frame)

    async def send_op(self, op: int, data: Any = None) -> None:
        """Send a raw non-dispatch opcode to the connected bot."""
        ws = self._require_socket()
        async with self._send_lock:
            await ws.send_str(json.dumps({"op": op, "d": data, "s": None, "t": None}))

    async def close_socket(self, code: int) -> None:
        """Close the bot's socket with ``code`` (4007/4009 also invalidate the session)."""
        ws = self._require_socket()
        if code in (4007, 4009) and self.session:
            self.session.valid = False
        self._server_closed.add(ws)
        await ws.close(code=code)

    def _require_socket(self) -> web.WebSocketResponse:
        if self.socket is None or self.socket.closed:
            raise RuntimeError("no bot is connected to the fake gateway")
        return self.socket

    def counts(self) -> tuple[int, int]:
        """(identify_count, resume_count), for :meth:`wait_reconnect`."""
        return self.identify_count, self.resume_count

    async def wait_reconnect(self, before: tuple[int, int], timeout: float) -> None:
        """Wait until the bot identified or resumed again since ``before`` was taken."""
        await self._wait(lambda: self.connected and self.counts() != before, timeout)

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
