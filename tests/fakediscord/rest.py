"""The REST dispatcher: parsing, request log, spec validation, injected faults, responses."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from .payloads import error_body
from .spec import OpenApiSpec
from .state import RequestRecord, World

__all__ = ["API_PREFIX", "Fault", "Reply", "Request", "RestDispatcher"]

API_PREFIX = "/api/v10"
_JSON_TYPE = "application/json"
_TOKEN_IN_PATH = ("/webhooks/", "/interactions/")  # these authenticate with the URL's token


@dataclass
class Request:
    """A parsed REST request as seen by a route handler."""

    method: str
    path: str
    template: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[tuple[str, str, bytes]] = field(default_factory=list)  # (part, filename, data)


@dataclass
class Reply:
    """What a handler returns: a status and a JSON body (``None`` for no body)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    """A fault to inject into the next ``count`` matching requests."""

    method: str
    path_regex: re.Pattern[str]
    status: int
    retry_after: float
    is_global: bool
    count: int


Handler = Callable[[Request], Awaitable[Reply]]
# A fault "status" that closes the connection instead of answering.
DROP_CONNECTION = 0


def json_response(reply: Reply) -> web.Response:
    """Encode a reply; the content type is exactly ``application/json`` as discord.py expects."""
    if reply.body is None:
        return web.Response(status=reply.status, headers=reply.headers)
    headers = {**reply.headers, "Content-Type": _JSON_TYPE}
    return web.Response(status=reply.status, body=json.dumps(reply.body).encode(), headers=headers)


def _ratelimit_headers(bucket: str, remaining: int, reset_after: float) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": "50",
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket,
    }


def _bucket(template: str) -> str:
    return "fake-" + re.sub(r"[^a-z0-9@]+", "-", template.lower()).strip("-")


class RestDispatcher:
    """Routes ``/api/v10/...`` requests to handlers keyed by (method, spec path template)."""

    def __init__(self, world: World, spec: OpenApiSpec, *, validate: bool = True) -> None:
        self.world = world
        self.spec = spec
        # Benchmarks turn the OpenAPI checks off: they cost more than the bot's whole turn.
        self.validate = validate
        self.routes: dict[tuple[str, str], Handler] = {}
        self.faults: list[Fault] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        """Register a handler; ``template`` must be a path of the OpenAPI description."""
        if self.spec.operation(method, template) is None:
            raise ValueError(f"{method} {template} is not an operation of the spec")
        self.routes[(method, template)] = handler

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp catch-all handler."""
        method = request.method
        raw = request.raw_path.split("?", 1)[0][len(API_PREFIX) :]
        path = "/".join(unquote(seg) for seg in raw.split("/"))
        body, files = await self._read_body(request, method, path)
        self.world.requests.append(RequestRecord(method, path, body))
        matched = self.spec.match(path)
        if matched is None or (method, matched[0]) not in self.routes:
            why = "path not in the spec" if matched is None else "route not served by the fake"
            self.world.record_error(method, path, why)
            return json_response(Reply(404, error_body(0, "404: Not Found")))
        template, params = matched
        authorization = request.headers.get("Authorization", "")
        if not authorization.startswith("Bot ") and not template.startswith(_TOKEN_IN_PATH):
            self.world.record_error(method, path, "missing 'Authorization: Bot <token>' header")
            return json_response(Reply(401, error_body(0, "401: Unauthorized")))
        if self.validate:
            for problem in self.spec.validate_request(method, template, body):
                self.world.record_error(method, path, f"request {problem}")
        fault = self._take_fault(method, path)
        if fault is not None and fault.status == DROP_CONNECTION:
            # As a crashed proxy would: the request was read, no answer ever comes.
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=502)  # written to no one
        if fault is not None:
            reply = self._fault_reply(fault, template)
            headers = reply.headers
        else:
            req = Request(method, path, template, params, dict(request.query), body, files)
            try:
                reply = await self.routes[(method, template)](req)
            except Exception as exc:  # a malformed body the spec check already flagged, or a bug
                self.world.record_error(method, path, f"fake could not handle request: {exc!r}")
                reply = Reply(400, error_body(50035, "Invalid Form Body"))
            headers = {**_ratelimit_headers(_bucket(template), 49, 1.0), **reply.headers}
        if self.validate and reply.status < 500:
            for problem in self.spec.validate_response(method, template, reply.status, reply.body):
                self.world.record_error(method, path, f"response {reply.status} {problem}")
        return json_response(Reply(reply.status, reply.body, headers))

    async def _read_body(
        self, request: web.Request, method: str, path: str
    ) -> tuple[Any, list[tuple[str, str, bytes]]]:
        files: list[tuple[str, str, bytes]] = []
        if not request.can_read_body:
            return None, files
        if request.content_type == "multipart/form-data":
            body: Any = None
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    data = await part.read()
                    files.append((part.name or "", part.filename or "", bytes(data)))
            return body, files
        text = await request.text()
        if not text:
            return None, files
        if request.content_type != _JSON_TYPE:
            self.world.record_error(method, path, f"unexpected content type {request.content_type}")
        try:
            return json.loads(text), files
        except json.JSONDecodeError as exc:
            self.world.record_error(method, path, f"invalid JSON body: {exc}")
            return text, files

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and fault.path_regex.search(path):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    @staticmethod
    def _fault_reply(fault: Fault, template: str) -> Reply:
        if fault.status != 429:
            return Reply(fault.status, error_body(0, f"{fault.status}: Injected failure"))
        headers = {
            **_ratelimit_headers(_bucket(template), 0, fault.retry_after),
            "Retry-After": str(max(1, round(fault.retry_after))),
            "X-RateLimit-Scope": "global" if fault.is_global else "user",
            "Via": "1.1 google",
        }
        if fault.is_global:
            headers["X-RateLimit-Global"] = "true"
        body = {
            "code": 0,
            "message": "You are being rate limited.",
            "retry_after": fault.retry_after,
            "global": fault.is_global,
        }
        return Reply(429, body, headers)
