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
"""

from .fake import FakeDiscord
from .results import InteractionResult
from .state import FakeChannel, FakeMember, FakeRole, FakeUser, RequestRecord

__all__ = [
    "FakeChannel",
    "FakeDiscord",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "InteractionResult",
    "RequestRecord",
]
