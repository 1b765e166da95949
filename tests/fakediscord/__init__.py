"""A loopback fake Discord (REST under ``/api/v10`` + the gateway) for end-to-end bot tests.

Usage::

    async with FakeDiscord() as fake:
        with fake.patch_client():  # points discord.py's Route.BASE / DEFAULT_GATEWAY here
            bot = MyBot(guild_ready_timeout=0.01)
            task = asyncio.create_task(bot.start("any-token"))
            await bot.wait_until_ready()
            await fake.send_message(fake.default_user, f"{fake.bot_user.mention} hi")
            reply = await fake.wait_for_bot_message()
            result = await fake.run_slash("ask", {"question": "why?"})
            await bot.close()
        assert fake.spec_errors == []  # every body checked against Discord's OpenAPI spec

discord.py behaviours worth knowing in tests: set ``guild_ready_timeout`` small (READY waits
that long after the last GUILD_CREATE); a re-IDENTIFY (after a non-resumable op 9) is delayed
5 s by ``Client.before_identify_hook`` unless the test bot overrides it; a 500 is retried after
sleeping 1 s, a 429 after its ``retry_after``.

Several guilds and shards::

    async with FakeDiscord(shards=2) as fake:      # GET /gateway/bot says "shards": 2
        b = fake.add_guild("B", shard=1)           # its id satisfies (id >> 22) % 2 == 1
        fake.add_user("ann", guild=b)              # also add_channel/add_role/add_member(guild=)
        # ... start shard 0 (shard_count=2, shard_ids=[0]) and shard 1 as separate clients
        await fake.send_message(fake.default_user, "hi", guild=b)   # b's #general, to shard 1
        await fake.run_slash("ask", {"question": "why?"}, guild=b)  # or channel_id=...
        await fake.close_socket(4000, shard=1)     # only shard 1 resumes
        fake.gateway.counts(1)                     # (identifies, resumes) of shard 1

The default guild (``fake.guild``) is on shard 0; ``add_guild`` gives a guild ``@everyone``,
the bot with its role, the owner, a ``general`` channel (``guild.channel_named("general")``)
and ``fake.default_user`` as a member, and sends GUILD_CREATE if its shard is connected. Each
IDENTIFY carries ``shard: [id, count]`` (none means ``[0, 1]``); READY lists, and GUILD_CREATE
is sent for, the shard's own guilds only; every dispatch goes to the shard owning its
``guild_id`` (events of no guild to shard 0), and sequence numbers, replay and RESUME are per
shard. Refused like Discord: an id outside ``0 <= id < count``, or a shard a live session holds,
closes with 4010; fewer shards than the fake's count with 4011; stricter than Discord, another
count with 4010 too; a second IDENTIFY on one socket with 4005. ``send_reconnect``,
``invalidate_session`` and ``close_socket`` take ``shard=`` (default 0); ``identify_count`` and
``resume_count`` sum over shards; ``intents`` and ``gateway.session``/``socket`` are shard 0's
(``gateway.link(n)`` holds shard n's). ``tests/discord_harness.bot_on(fake, folder, settings)``
runs an ArticleBot against a fake of the test's own; ``start_bot(..., shard=n)`` a process.
"""

from .fake import FakeDiscord
from .results import InteractionResult
from .state import FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser, RequestRecord

__all__ = [
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "InteractionResult",
    "RequestRecord",
]
