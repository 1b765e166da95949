"""The test-facing :class:`FakeDiscord`."""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import discord
import yarl
from aiohttp import web

from . import messages as m
from .base import FakeDiscordBase
from .gateway import FATAL_CLOSE_CODES
from .rest import API_PREFIX, Fault
from .results import InteractionResult
from .state import FakeGuild, FakeRole, FakeUser
from .webhooks import InteractionRoutes

__all__ = ["FakeDiscord"]

Json = dict[str, Any]


class FakeDiscord(FakeDiscordBase):
    """A loopback Discord (REST under ``/api/v10`` plus the gateway) for end-to-end tests.

    One guild with a ``#general`` text channel, the bot and a default ``tester`` member exist
    from the start; :meth:`add_guild` makes more. ``FakeDiscord(shards=N)`` serves N gateway
    shards, each getting the events of the guilds it owns. Every request body and response
    body is checked against Discord's OpenAPI description (unless built with
    ``validate=False``, as benchmarks do); problems land in :attr:`spec_errors` instead of
    raising.
    """

    _runner: web.AppRunner | None = None
    _port = 0

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind 127.0.0.1 on an ephemeral port and start serving."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        self.gateway.url = self.gateway_url
        self._routes.register(self.rest, self.gateway_url)
        InteractionRoutes(self._routes).register(self.rest)
        app = web.Application()
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self.rest.handle)
        app.router.add_get("/gateway", self.gateway.handle)
        self._runner = web.AppRunner(
            app, handle_signals=False, shutdown_timeout=1.0, access_log=None
        )
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Close gateway sockets and stop the server."""
        await self.gateway.shutdown()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @contextlib.contextmanager
    def patch_client(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway at this fake; restore on exit."""
        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    # -- addresses and observations --------------------------------------------------------

    @property
    def api_base(self) -> str:
        """``http://127.0.0.1:PORT/api/v10``."""
        return f"http://127.0.0.1:{self._port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """``ws://127.0.0.1:PORT/gateway`` (also READY's ``resume_gateway_url``)."""
        return f"ws://127.0.0.1:{self._port}/gateway"

    # -- driving the bot -----------------------------------------------------------------------

    async def send_message(
        self,
        author: FakeUser,
        content: str,
        channel_id: int | None = None,
        mentions: Sequence[FakeUser] = (),
        mention_everyone: bool = False,
        role_mentions: Sequence[FakeRole | int] = (),
        *,
        reply_to: Json | None = None,
        guild: FakeGuild | None = None,
    ) -> Json:
        """Post a message as ``author`` in ``channel_id`` (default: ``guild``'s ``#general``, or
        the default guild's) and dispatch MESSAGE_CREATE to the shard owning its guild; returns
        the full message.

        ``<@id>``/``<@&id>`` mentions in ``content`` are added to ``mentions``/``role_mentions``.
        """
        world = self.world
        channel_id = channel_id or self._general_id(guild)
        in_guild = world.guild_of(channel_id)
        if in_guild is None:
            raise ValueError(f"unknown channel {channel_id}")
        if in_guild.members.get(author.id) is None:
            raise ValueError(f"{author.name} is not a member of {in_guild.name}")
        shard = world.shard_of(in_guild.id)
        if self.gateway.link(shard).session is None:
            raise RuntimeError(f"the bot has not identified with the fake gateway as shard {shard}")
        parse = {"parse": ["users", "roles"]}
        users, roles, _ = m.resolve_mentions(world, in_guild, content, parse, None, 0)
        users += [u for u in mentions if u not in users]
        role_ids = [r if isinstance(r, int) else r.id for r in role_mentions]
        role_ids += [r for r in roles if r not in role_ids]
        target = world.messages.get(int(reply_to["id"])) if reply_to else None
        message = m.message_payload(
            world,
            author=author,
            channel_id=channel_id,
            content=content,
            mentions=users,
            mention_roles=role_ids,
            mention_everyone=mention_everyone,
            msg_type=19 if target else 0,
            reference=target,
        )
        world.messages[int(message["id"])] = message
        await self._routes.echo(message)
        return message

    def _general_id(self, guild: FakeGuild | None) -> int:
        general = guild.channel_named("general") if guild is not None else self.channel
        if general is None:
            raise ValueError(f"{guild.name if guild else 'the guild'} has no #general channel")
        return general.id

    async def wait_for_bot_message(
        self, predicate: Callable[[Json], bool] | None = None, timeout: float = 5.0
    ) -> Json:
        """The oldest not-yet-returned bot message (matching ``predicate``), waiting if needed."""
        try:
            return await self.world.wait_bot_message(predicate, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no matching bot message within {timeout}s; seen {len(self.bot_messages)}; "
                f"spec errors: {self.spec_errors}"
            ) from None

    async def run_slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        user: FakeUser | None = None,
        channel_id: int | None = None,
        *,
        guild: FakeGuild | None = None,
        timeout: float = 3.0,
    ) -> InteractionResult:
        """Invoke a synced slash command in ``channel_id`` (default: ``guild``'s ``#general``, or
        the default guild's); ``name`` may be "group sub" or nest dicts in options."""
        return await self._interactions.command(
            2,
            name,
            options,
            user or self.default_user,
            channel_id or self._general_id(guild),
            None,
            timeout,
        )

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        user: FakeUser | None = None,
        *,
        guild: FakeGuild | None = None,
        timeout: float = 3.0,
    ) -> list[Json]:
        """Ask for autocomplete choices while ``focused`` holds ``options[focused]`` as typed
        (in ``guild``'s ``#general``; default: the default guild's)."""
        channel_id = self._general_id(guild)
        result = await self._interactions.command(
            4, name, options, user or self.default_user, channel_id, focused, timeout
        )
        return result.choices

    async def click(
        self,
        message: Json,
        custom_id: str,
        user: FakeUser | None = None,
        *,
        values: Sequence[str] | None = None,
        timeout: float = 3.0,
    ) -> InteractionResult:
        """Press a button (or pick select ``values``) on a message the bot sent (in whichever
        guild; the interaction goes to the shard owning it)."""
        user = user or self.default_user
        return await self._interactions.click(message, custom_id, user, values, timeout)

    async def submit_modal(
        self,
        custom_id: str,
        values: Mapping[str, str | Sequence[str]],
        user: FakeUser | None = None,
        *,
        timeout: float = 3.0,
    ) -> InteractionResult:
        """Submit the modal the bot opened with ``custom_id``; ``values`` maps input custom_ids."""
        user = user or self.default_user
        return await self._interactions.submit_modal(custom_id, values, user, timeout)

    # -- gateway and REST faults ---------------------------------------------------------------

    async def send_reconnect(
        self, *, shard: int = 0, wait: bool = True, timeout: float = 5.0
    ) -> None:
        """Send op 7 RECONNECT to ``shard``; by default wait until it has resumed (or
        re-identified)."""
        before = self.gateway.counts(shard)
        await self.gateway.send_op(7, shard=shard)
        if wait:
            await self.gateway.wait_reconnect(before, timeout, shard)

    async def invalidate_session(
        self, resumable: bool, *, shard: int = 0, wait: bool = True, timeout: float = 5.0
    ) -> None:
        """Send op 9 to ``shard``; if not ``resumable`` its session is forgotten and the bot
        re-identifies that shard."""
        before = self.gateway.counts(shard)
        session = self.gateway.link(shard).session
        if not resumable and session is not None:
            session.valid = False
        await self.gateway.send_op(9, resumable, shard=shard)
        if wait:
            await self.gateway.wait_reconnect(before, timeout, shard)

    async def close_socket(
        self, code: int = 4000, *, shard: int = 0, wait: bool | None = None, timeout: float = 5.0
    ) -> None:
        """Close ``shard``'s websocket with ``code`` (4000 → resume); waits for that shard's
        reconnect unless the code is fatal for discord.py (e.g. 4004) or ``wait=False``."""
        before = self.gateway.counts(shard)
        await self.gateway.close_socket(code, shard=shard)
        if wait is None:
            wait = code not in FATAL_CLOSE_CODES
        if wait:
            await self.gateway.wait_reconnect(before, timeout, shard)

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int = 429,
        retry_after: float = 0.05,
        *,
        is_global: bool = False,
        count: int = 1,
    ) -> None:
        """Fail the next ``count`` requests whose path (no ``/api/v10``) matches ``path_regex``.

        429 replies carry Discord's rate-limit headers, ``Via`` and a JSON body with
        ``retry_after``; note discord.py sleeps 1 s before retrying a 500. Status 0
        (``DROP_CONNECTION``) closes the connection without answering.
        """
        fault = Fault(method.upper(), re.compile(path_regex), status, retry_after, is_global, count)
        self.rest.faults.append(fault)
