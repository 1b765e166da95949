"""Issue 16 end to end: two ``article-bot run`` processes, shards 0 and 1 of 2, against one fake
Discord and one PostgreSQL. Each has its own folder and its own copy of the intents, as two hosts
would: they share nothing but the database. A moderator's intent added in guild A (shard 0)
answers in guild B (shard 1); a conversation in guild B carries on after its process is
SIGKILLed and restarted; and every reply Discord received is a turn on record."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.discord_harness import ask, custom_ids, launch, quote_of, start_bot
from tests.fakediscord import FakeDiscord, FakeGuild, FakeUser
from tests.helpers import ROOT

pytestmark = pytest.mark.slow

Json = dict[str, Any]
TurnKey = tuple[str, str, str, str]  # guild, channel, user, question
ARTICLE = (ROOT / "seeds" / "article.txt").read_text(encoding="utf-8")
SETTINGS = "  shard_count: 2\n  shard_ids: [{shard}]\n"
# The poll for other processes' intent changes is put out of reach of the test: within the 2 s,
# only PostgreSQL's NOTIFY can tell a process of them.
POLL = "shared_intents_seconds: 600\n"
# The product's requirement: a moderator's change to the intents is in effect in every process
# within this many seconds of being acknowledged.
PROPAGATION_S = 2.0
# A new intent whose examples nothing shipped answers, quoting a phrase of the article.
ZEBRA = "zebra-crossing"
ZEBRA_QUOTE = "this entire Syrian mayhem"
ZEBRA_QUESTION = "what zebra crossing did kerry use"
ZEBRA_FORM = {
    "id": ZEBRA,
    "section": "kerry-and-leverage",
    "examples": "\n".join(
        [
            ZEBRA_QUESTION,
            "zebra crossing?",
            "tell me about the zebra crossing",
            "kerry and the zebra crossing",
            "where is the zebra crossing",
        ]
    ),
    "quote": ZEBRA_QUOTE,
    "lead": "",
}
# Answered by the start of the article's longest section: "more" has somewhere to go.
LONG_SECTION = "nato-and-concrete-steps"
LONG_QUESTION = "what happened at the nato meeting"
OTHER_QUESTIONS = ("aleppo", "turky coup", "what does russia gain", "who is kerry", "lavrov")


@dataclass
class Fleet:
    """The two bot processes (index = shard), their configs, the fake and the database."""

    fake: FakeDiscord
    guild_b: FakeGuild
    database: str
    configs: list[Path]
    procs: list[asyncio.subprocess.Process]

    async def kill(self, shard: int) -> None:
        """SIGKILL the shard's process (no clean stop at all) and wait until the fake has seen
        its gateway socket drop."""
        proc = self.procs[shard]
        os.kill(proc.pid, signal.SIGKILL)
        await asyncio.wait_for(proc.communicate(), 10)  # reads its pipes to the end
        assert proc.returncode == -signal.SIGKILL
        link = self.fake.gateway.link(shard)
        for _ in range(200):
            if not link.connected:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"the fake still holds shard {shard}'s socket")

    async def restart(self, shard: int) -> None:
        """Start the shard's process again on the same config; return once it identified."""
        self.procs[shard] = await launch(self.configs[shard], self.fake, shard=shard)


async def _start_all(fake: FakeDiscord, folders: list[Path], database: str) -> list[Any]:
    """Start one process per shard at once (they migrate the one database together)."""
    starts = (
        start_bot(folder, fake, SETTINGS.format(shard=n), shard=n, database=database, settings=POLL)
        for n, folder in enumerate(folders)
    )
    return list(await asyncio.gather(*starts, return_exceptions=True))


async def _stop(procs: list[asyncio.subprocess.Process]) -> list[tuple[int | None, str]]:
    """SIGTERM every live process; their exit codes and logs."""
    for proc in procs:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
    ended = []
    for proc in procs:
        _, err = await asyncio.wait_for(proc.communicate(), 20)
        ended.append((proc.returncode, err.decode(errors="replace")))
    return ended


@pytest.fixture
async def fleet(tmp_path: Path, pg_url: str) -> AsyncIterator[Fleet]:
    """Shards 0 (the default guild, A) and 1 (``Guild B``) of the bot, each its own process,
    folder and intents, on one PostgreSQL database; stopped with SIGTERM afterwards, cleanly."""
    async with FakeDiscord(shards=2) as fake:
        guild_b = fake.add_guild("Guild B", shard=1)
        folders = [tmp_path / "host-0", tmp_path / "host-1"]
        started = await _start_all(fake, folders, pg_url)
        procs = [p for p in started if isinstance(p, asyncio.subprocess.Process)]
        try:
            failed = [e for e in started if isinstance(e, BaseException)]
            if failed:
                raise failed[0]
            configs = [folder / "config.yaml" for folder in folders]
            yield Fleet(fake, guild_b, pg_url, configs, procs)  # restarts replace items
        finally:
            ended = await _stop(procs)
        assert [code for code, _ in ended] == [0] * len(procs), ended
        assert fake.spec_errors == []


def _replied_to(message: Json) -> str | None:
    """The id of the message ``message`` replies to, if any."""
    return (message.get("message_reference") or {}).get("message_id")


def _answers_with(reply: Json, quote: str) -> bool:
    """Whether ``reply`` is an answer quoting exactly ``quote``."""
    return bool(reply.get("embeds")) and quote_of(reply["embeds"][0]) == quote


async def _ask_until(
    fake: FakeDiscord,
    question: str,
    guild: FakeGuild,
    asker: FakeUser,
    done: Callable[[Json], bool],
    deadline: float,
) -> Json | None:
    """Ask ``question`` again and again until a reply is ``done``; None if no question asked
    before ``deadline`` (time.monotonic) got such a reply."""
    while time.monotonic() < deadline:
        reply = await ask(fake, question, guild, author=asker)
        if done(reply):
            return reply
        await asyncio.sleep(0.05)
    return None


async def _kill_mid_burst(fleet: Fleet, shard: int, guild: FakeGuild) -> None:
    """Several members of ``guild`` ask at once; the shard's process is SIGKILLed as soon as the
    first of them is answered, with the others still being worked on or sent."""
    fake = fleet.fake
    sent = set()
    for n, question in enumerate(OTHER_QUESTIONS):
        asker = fake.add_user(f"asker-{n}", guild=guild)
        message = await fake.send_message(asker, f"{fake.bot_user.mention} {question}", guild=guild)
        sent.add(message["id"])
    await fake.wait_for_bot_message(lambda m: _replied_to(m) in sent, timeout=10)
    await fleet.kill(shard)


async def _turns(database: str) -> list[asyncpg.Record]:
    """Every turn in the shared database, read as another client would."""
    connection = await asyncpg.connect(database)
    try:
        return list(
            await connection.fetch("SELECT id, guild, channel, user_id, question FROM turns")
        )
    finally:
        await connection.close()


def _asked(fake: FakeDiscord, reply: Json) -> TurnKey:
    """Who asked what where, for the question message ``reply`` answers (the bot logs the
    question without its mention of the bot)."""
    question = fake.world.messages[int(str(_replied_to(reply)))]
    guild = fake.world.guild_at(int(question["channel_id"]))
    text = str(question["content"]).replace(fake.bot_user.mention, "")
    return str(guild.id), question["channel_id"], question["author"]["id"], text.strip()


async def assert_every_reply_is_a_logged_turn(fleet: Fleet) -> int:
    """Every answer the fake received from either process is a turn in PostgreSQL: each reply
    to a question is a turn of that asker, channel and question (as many turns as replies),
    and the turn a reply's feedback buttons name is that one. Returns how many replies."""
    rows = await _turns(fleet.database)
    logged = Counter((r["guild"], r["channel"], r["user_id"], r["question"]) for r in rows)
    by_id = {r["id"]: (r["guild"], r["channel"], r["user_id"], r["question"]) for r in rows}
    replies = [
        m for m in fleet.fake.bot_messages if m["kind"] == "message" and _replied_to(m) is not None
    ]
    asked = Counter(_asked(fleet.fake, reply) for reply in replies)
    missing = asked - logged
    assert not missing, f"replies sent for turns not on record: {dict(missing)}"
    for reply in replies:
        voted = {int(c.split(":")[2]) for c in custom_ids(reply) if c.startswith("ab:vote:")}
        for turn_id in voted:
            assert by_id.get(turn_id) == _asked(fleet.fake, reply), (turn_id, reply["content"])
    return len(replies)


async def test_tell_me_more_carries_on_after_the_process_is_killed(fleet: Fleet) -> None:
    """A reader in guild B gets the start of a long section; shard 1's process is SIGKILLed in
    the middle of other members' questions and restarted; the reader's "tell me more" quotes the
    sentences right after the first answer. Every reply that reached Discord, before the kill
    and after, is a turn in the database."""
    fake, guild_b = fleet.fake, fleet.guild_b
    reader = fake.add_user("reader", guild=guild_b)
    first = await ask(fake, LONG_QUESTION, guild_b, author=reader)
    opening = quote_of(first["embeds"][0])
    assert opening and opening in ARTICLE
    assert any(c.startswith(f"ab:more:{LONG_SECTION}:") for c in custom_ids(first))
    await _kill_mid_burst(fleet, 1, guild_b)
    await fleet.restart(1)
    more = await ask(fake, "tell me more", guild_b, author=reader)
    assert more.get("embeds"), more["content"]
    following = quote_of(more["embeds"][0])
    rest_of_section = ARTICLE[ARTICLE.index(opening) + len(opening) :].lstrip()
    assert following and rest_of_section.startswith(following)
    assert any(c.startswith(f"ab:more:{LONG_SECTION}:") for c in custom_ids(more))
    assert await assert_every_reply_is_a_logged_turn(fleet) >= 3


async def test_an_intent_added_in_one_guild_answers_in_the_other(fleet: Fleet) -> None:
    """A moderator of guild A (shard 0's process) adds an intent through /intent add and its
    form; within 2 s of the form's acknowledgement guild B (shard 1's process, its own intents
    folder) answers with it. /intent remove in A stops B answering with it within 2 s."""
    fake, guild_b = fleet.fake, fleet.guild_b
    moderator = fake.add_user("mod")
    fake.add_member(moderator, permissions=0x20)  # Manage Server, in guild A
    asker = fake.add_user("asker-b", guild=guild_b)
    before = await ask(fake, ZEBRA_QUESTION, guild_b, author=asker)
    assert not _answers_with(before, ZEBRA_QUOTE)
    opened = await fake.run_slash("intent add", user=moderator)
    assert opened.modal_custom_id is not None
    done = await fake.submit_modal(opened.modal_custom_id, ZEBRA_FORM, user=moderator)
    acknowledged = time.monotonic()
    assert done.ephemeral and ZEBRA in (done.content or ""), done.content
    reply = await _ask_until(
        fake,
        ZEBRA_QUESTION,
        guild_b,
        asker,
        lambda r: _answers_with(r, ZEBRA_QUOTE),
        acknowledged + PROPAGATION_S,
    )
    assert reply is not None, f"guild B did not answer with {ZEBRA} within {PROPAGATION_S} s"
    assert _answers_with(await ask(fake, ZEBRA_QUESTION), ZEBRA_QUOTE)  # and guild A, of course
    removed = await fake.run_slash("intent remove", {"id": ZEBRA}, user=moderator)
    acknowledged = time.monotonic()
    assert f"Removed intent `{ZEBRA}`" in (removed.content or ""), removed.content
    reply = await _ask_until(
        fake,
        ZEBRA_QUESTION,
        guild_b,
        asker,
        lambda r: not _answers_with(r, ZEBRA_QUOTE),
        acknowledged + PROPAGATION_S,
    )
    assert reply is not None, f"guild B still answered with {ZEBRA} {PROPAGATION_S} s after"
    assert await assert_every_reply_is_a_logged_turn(fleet) >= 3
