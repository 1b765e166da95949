"""Several guilds and sharding in the fake Discord, driven by real discord.py clients: two bots
as shards 0 and 1 of 2 against one fake, each getting only the events of its own guilds."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest

from tests.discord_harness import Running, ask, bot_on, custom_ids, start_bot
from tests.fakediscord import FakeDiscord, FakeGuild

Json = dict[str, Any]
SHARD_SETTINGS = "  cooldown_burst: 50\n  shard_count: 2\n  shard_ids: [{shard}]\n"


class ShardClient(discord.AutoShardedClient):
    """A bare sharded discord.py client that notes the messages it receives."""

    def __init__(self, **options: Any) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.01, **options)
        self.seen: list[discord.Message] = []

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5 s pause before identifying every shard after the first."""

    async def on_message(self, message: discord.Message) -> None:
        self.seen.append(message)


@dataclass
class Seen:
    """What one bot received: the ids of messages and interactions, each with its guild."""

    messages: dict[str, int | None] = field(default_factory=dict)
    interactions: dict[str, int | None] = field(default_factory=dict)


def watch(run: Running) -> Seen:
    """Record the messages and interactions ``run``'s client receives."""
    seen = Seen()

    async def on_message(message: discord.Message) -> None:
        seen.messages[str(message.id)] = message.guild.id if message.guild else None

    async def on_interaction(interaction: discord.Interaction) -> None:
        seen.interactions[str(interaction.id)] = interaction.guild_id

    run.bot.add_listener(on_message)
    run.bot.add_listener(on_interaction)
    return seen


@dataclass
class Pair:
    """Two ArticleBots in this process, shard 0 (``a``, the default guild) and shard 1 (``b``,
    ``guild_b``) of 2, against one fake."""

    fake: FakeDiscord
    a: Running
    b: Running
    guild_b: FakeGuild
    seen_a: Seen
    seen_b: Seen


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[Pair]:
    """Shards 0 and 1 of the bot, each its own client, app and database."""
    async with FakeDiscord(shards=2) as fake:
        with fake.patch_client():
            guild_b = fake.add_guild("Guild B", shard=1)
            async with (
                bot_on(fake, tmp_path / "a", SHARD_SETTINGS.format(shard=0)) as a,
                bot_on(fake, tmp_path / "b", SHARD_SETTINGS.format(shard=1)) as b,
            ):
                yield Pair(fake, a, b, guild_b, watch(a), watch(b))
        assert fake.spec_errors == []


def general(guild: FakeGuild) -> int:
    """The id of a guild's ``#general``."""
    channel = guild.channel_named("general")
    assert channel is not None
    return channel.id


async def reply_to(fake: FakeDiscord, message: Json) -> Json:
    """The bot's reply to ``message``."""
    return await fake.wait_for_bot_message(
        lambda m: (m.get("message_reference") or {}).get("message_id") == message["id"]
    )


async def turns(run: Running) -> int:
    """How many turns ``run``'s own database logged."""
    return len(await run.app.store.recent_turns(10))


async def test_each_guilds_messages_reach_only_the_bot_running_its_shard(pair: Pair) -> None:
    """A mention in guild A is seen and answered by shard 0 only; one in guild B by shard 1."""
    fake = pair.fake
    assert (fake.shard_of(fake.guild), fake.shard_of(pair.guild_b)) == (0, 1)
    assert [g.id for g in pair.a.bot.guilds] == [fake.guild_id]
    assert [g.id for g in pair.b.bot.guilds] == [pair.guild_b.id]
    sent, reply = await pair.a.ask("what does russia gain")
    assert reply["channel_id"] == str(fake.channel_id) and reply["embeds"]
    assert pair.seen_a.messages[sent["id"]] == fake.guild_id
    assert sent["id"] not in pair.seen_b.messages
    assert (await turns(pair.a), await turns(pair.b)) == (1, 0)
    sent, reply = await pair.b.ask("what does russia gain", guild=pair.guild_b)
    assert reply["channel_id"] == str(general(pair.guild_b)) and reply["embeds"]
    assert pair.seen_b.messages[sent["id"]] == pair.guild_b.id
    assert sent["id"] not in pair.seen_a.messages
    assert (await turns(pair.a), await turns(pair.b)) == (1, 1)


async def test_slash_commands_and_buttons_go_to_the_shard_owning_the_guild(pair: Pair) -> None:
    """/ask and a button click in guild B reach shard 1's client only; shard 0 sees neither."""
    fake = pair.fake
    result = await fake.run_slash("ask", {"question": "aleppo"}, guild=pair.guild_b)
    assert result.embeds and result.message is not None
    assert result.message["channel_id"] == str(general(pair.guild_b))
    assert pair.seen_b.interactions == {result.interaction_id: pair.guild_b.id}
    up = next(c for c in custom_ids(result.message) if c.endswith(":up"))
    clicked = await fake.click(result.message, up)
    assert clicked.ephemeral and "Thanks" in (clicked.content or "")
    assert clicked.interaction_id in pair.seen_b.interactions
    assert pair.seen_a.interactions == {}
    in_a = await fake.run_slash("ask", {"question": "aleppo"})
    assert pair.seen_a.interactions == {in_a.interaction_id: fake.guild_id}
    assert len(pair.seen_b.interactions) == 2


async def test_a_dropped_shard_resumes_alone_and_gets_what_it_missed(pair: Pair) -> None:
    """Closing shard 1's socket (4000) makes only shard 1 RESUME; a question posted in guild B
    meanwhile is answered once it is back, and shard 0 keeps answering guild A throughout."""
    fake = pair.fake
    before_a, before_b = fake.gateway.counts(0), fake.gateway.counts(1)
    await fake.close_socket(4000, shard=1, wait=False)
    mention = f"{fake.bot_user.mention} aleppo"
    sent_b = await fake.send_message(fake.default_user, mention, guild=pair.guild_b)
    _, reply_a = await pair.a.ask("turky coup")
    assert reply_a["channel_id"] == str(fake.channel_id)
    await fake.gateway.wait_reconnect(before_b, 5.0, shard=1)
    reply_b = await reply_to(fake, sent_b)
    assert reply_b["channel_id"] == str(general(pair.guild_b))
    assert fake.gateway.counts(1) == (before_b[0], before_b[1] + 1)
    assert fake.gateway.counts(0) == before_a
    assert sent_b["id"] in pair.seen_b.messages and sent_b["id"] not in pair.seen_a.messages


async def test_a_second_client_for_a_connected_shard_is_refused(pair: Pair) -> None:
    """IDENTIFY for shard 1 while shard 1 is connected closes the newcomer with 4010 (invalid
    shard); the shard's first client keeps its session and keeps answering."""
    before = pair.fake.gateway.counts(1)
    intruder = ShardClient(shard_count=2, shard_ids=[1])
    with pytest.raises(discord.ConnectionClosed) as closed:
        await asyncio.wait_for(intruder.start("test-token"), 10)
    assert closed.value.code == 4010
    assert pair.fake.gateway.counts(1) == before
    _, reply = await pair.b.ask("aleppo", guild=pair.guild_b)
    assert reply["channel_id"] == str(general(pair.guild_b))


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"shard_count": 2, "shard_ids": [2]}, 4010),  # no shard 2 of 2
        ({"shard_count": 3, "shard_ids": [0]}, 4010),  # the fake routes for 2 shards
        (None, 4011),  # an unsharded client where 2 shards are required
    ],
    ids=["id-out-of-range", "other-shard-count", "unsharded"],
)
async def test_identify_with_a_wrong_shard_is_refused(options: Json | None, code: int) -> None:
    """A shard id outside the count or the wrong count gets 4010; no shard at all where the
    fake requires two gets 4011 (sharding required); discord.py gives up on both."""
    async with FakeDiscord(shards=2) as fake:
        with fake.patch_client():
            if options is None:
                client: discord.Client = discord.Client(intents=discord.Intents.default())
            else:
                client = ShardClient(**options)
            try:
                with pytest.raises(discord.ConnectionClosed) as closed:
                    await asyncio.wait_for(client.start("test-token"), 10)
            finally:
                await client.close()
        assert closed.value.code == code
        assert fake.identify_count == 0
        assert fake.spec_errors == []


async def test_one_client_follows_gateway_bot_and_runs_every_shard() -> None:
    """Without a shard count, discord.py asks GET /gateway/bot: the fake says 2, the client
    opens both shards, and each guild's messages arrive through the shard owning it."""
    async with FakeDiscord(shards=2) as fake:
        guild_b = fake.add_guild("Guild B", shard=1)
        with fake.patch_client():
            client = ShardClient()
            task = asyncio.create_task(client.start("test-token"))
            try:
                await asyncio.wait_for(client.wait_until_ready(), 10)
                assert client.shard_count == 2
                shards = {g.id: g.shard_id for g in client.guilds}
                assert shards == {fake.guild_id: 0, guild_b.id: 1}
                sent = await fake.send_message(fake.default_user, "hello B", guild=guild_b)
                for _ in range(200):
                    if client.seen:
                        break
                    await asyncio.sleep(0.01)
                assert [str(m.id) for m in client.seen] == [sent["id"]]
                assert client.seen[0].guild is not None and client.seen[0].guild.shard_id == 1
            finally:
                await client.close()
                await asyncio.wait_for(task, 5)
        assert fake.gateway.counts(0) == fake.gateway.counts(1) == (1, 0)
        assert fake.spec_errors == []


async def identify(ws: aiohttp.ClientWebSocketResponse, shard: list[int]) -> None:
    """Read HELLO and IDENTIFY as ``shard`` with the GUILDS intent."""
    assert (await ws.receive_json())["op"] == 10
    data = {"token": "t", "intents": 1, "properties": {}, "shard": shard}
    await ws.send_json({"op": 2, "d": data})


async def test_ready_lists_only_the_shards_guilds_and_a_second_identify_is_refused() -> None:
    """At the protocol level: each shard's READY and GUILD_CREATEs name only its own guilds,
    an event of no guild (a DM's) goes to shard 0, and IDENTIFY twice on one socket is 4005."""
    async with FakeDiscord(shards=2) as fake, aiohttp.ClientSession() as http:
        b1 = fake.add_guild("B1", shard=1)
        a2 = fake.add_guild("A2", shard=0)
        url = fake.gateway_url + "?v=10&encoding=json"
        async with http.ws_connect(url) as zero, http.ws_connect(url) as one:
            owned: dict[int, set[str]] = {}
            for n, ws, count in ((0, zero, 2), (1, one, 1)):
                await identify(ws, [n, 2])
                ready = await ws.receive_json()
                assert ready["t"] == "READY" and ready["d"]["shard"] == [n, 2]
                owned[n] = {g["id"] for g in ready["d"]["guilds"]}
                created = [await ws.receive_json() for _ in range(count)]
                assert {c["t"] for c in created} == {"GUILD_CREATE"}
                assert {c["d"]["id"] for c in created} == owned[n]
            assert owned == {0: {str(fake.guild_id), str(a2.id)}, 1: {str(b1.id)}}
            await fake.gateway.dispatch("TYPING_START", {"channel_id": "1", "user_id": "2"})
            assert (await zero.receive_json())["t"] == "TYPING_START"
            await one.send_json({"op": 2, "d": {"token": "t", "intents": 1, "shard": [1, 2]}})
            closing = await one.receive()
            assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, 4005)
        assert fake.gateway.counts() == (2, 0)


@pytest.mark.slow
async def test_two_bot_processes_each_serve_their_own_shard(tmp_path: Path) -> None:
    """``article-bot run`` twice, as shards 0 and 1 of 2: each answers its own guild, and
    each logs only its own guild's turn in its own database."""
    async with FakeDiscord(shards=2) as fake:
        guild_b = fake.add_guild("Guild B", shard=1)
        folders = [tmp_path / "shard-0", tmp_path / "shard-1"]
        procs = []
        try:
            for n, folder in enumerate(folders):
                settings = f"  shard_count: 2\n  shard_ids: [{n}]\n"
                procs.append(await start_bot(folder, fake, settings, shard=n))
            reply_a = await ask(fake, "aleppo")
            reply_b = await ask(fake, "aleppo", guild=guild_b)
            assert reply_a["channel_id"] == str(fake.channel_id)
            assert reply_b["channel_id"] == str(general(guild_b))
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            logs = [(await asyncio.wait_for(proc.communicate(), 20))[1] for proc in procs]
        assert [proc.returncode for proc in procs] == [0, 0], logs
        for folder, guild_id in zip(folders, (fake.guild_id, guild_b.id), strict=True):
            with sqlite3.connect(folder / "bot.db") as db:
                guilds = db.execute("SELECT guild FROM turns").fetchall()
            assert [str(g) for (g,) in guilds] == [str(guild_id)]
        assert fake.gateway.counts(0) == fake.gateway.counts(1) == (1, 0)
        assert fake.spec_errors == []
