"""Bursts through the real client and the fake: every question answered once, to the right
message, with each person's conversation kept apart; cooldowns applied as configured.

Most of the time here is the fake checking every request and response against Discord's OpenAPI
description (about 20 ms per reply), which stays on.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.core.engine import Engine
from tests.discord_harness import Running, quote_of, running_bot
from tests.fakediscord import FakeUser

Json = dict[str, Any]
USERS = 100
PER_USER = 10
# Replies go to several channels: Discord rate-limits sends per channel, and discord.py queues
# a channel's replies behind its bucket (a single channel would measure that, not the bot).
CHANNELS = 25
# Ten clear questions, each quoting its own passage, with "more" continuing somewhere else.
QUESTIONS = (
    "what does russia gain from all this",
    "turky coup",
    "aleppo",
    "what did kerry and putin discuss",
    "what did nato decide about russia",
    "who wrote the article",
    "what leverage does kerry have",
    "what did lavrov say about the olympics",
    "what did kerry tell lavrov on the phone",
    "what is the aim in syria",
)

# Seconds each: processes, signals and timeouts (`make test-fast` leaves them out).
pytestmark = pytest.mark.slow


def answers_and_continuations(engine: Engine) -> tuple[dict[str, str], dict[str, str]]:
    """For each question: the passage it quotes, and the passage "more" quotes after it.

    Also checks the premise of the burst test: a question's answer does not depend on what the
    same person asked before (their questions are answered concurrently, in any order).
    """
    answers: dict[str, str] = {}
    continuations: dict[str, str] = {}
    states = []
    for question in QUESTIONS:
        reply, state = engine.reply_to(question, None)
        assert reply.quote is not None and state is not None, question
        more, _ = engine.more(state)
        assert more.quote is not None, question
        answers[question], continuations[question] = reply.quote.text, more.quote.text
        states.append(state)
    for question in QUESTIONS:
        for state in states:
            reply, _ = engine.reply_to(question, state)
            assert reply.quote is not None and reply.quote.text == answers[question], question
    assert len(set(answers.values())) == len(set(continuations.values())) == len(QUESTIONS)
    return answers, continuations


def replied_to(message: Json) -> str | None:
    """The id of the message a bot message replies to."""
    return (message.get("message_reference") or {}).get("message_id")


async def collect(run: Running, count: int) -> list[Json]:
    """The next ``count`` bot messages, then check that no more arrive."""
    replies = [await run.fake.wait_for_bot_message(timeout=30) for _ in range(count)]
    try:
        extra = await run.fake.wait_for_bot_message(timeout=0.3)
    except TimeoutError:
        return replies
    raise AssertionError(f"an extra bot message arrived: {extra.get('content')!r}")


async def test_thousand_questions_from_hundred_users_then_more(tmp_path: Path) -> None:
    """1,000 questions at once: 1,000 replies, each to its message and question; then each user's
    "more" continues that user's own last passage."""
    async with running_bot(tmp_path, "  cooldown_seconds: 0\n") as run:
        fake, mention = run.fake, run.fake.bot_user.mention
        answers, continuations = answers_and_continuations(run.app.knowledge.engine)
        channels = [fake.add_channel(f"burst-{n}") for n in range(CHANNELS)]
        users = [fake.add_user(f"reader-{n}") for n in range(USERS)]
        home = {user.id: channels[n % CHANNELS].id for n, user in enumerate(users)}
        plan = [
            (user, QUESTIONS[(n + k) % len(QUESTIONS)])
            for n, user in enumerate(users)
            for k in range(PER_USER)
        ]
        sent = await asyncio.gather(
            *(fake.send_message(u, f"{mention} {q}", channel_id=home[u.id]) for u, q in plan)
        )
        asked = {m["id"]: (user, q) for m, (user, q) in zip(sent, plan, strict=True)}

        replies = await collect(run, len(plan))
        assert Counter(replied_to(r) for r in replies) == Counter(list(asked))
        for reply in replies:
            user, question = asked[str(replied_to(reply))]
            assert reply["channel_id"] == str(home[user.id])
            assert quote_of(reply["embeds"][0]) == answers[question], question

        last = await last_questions(run, users)
        assert len(set(last.values())) > 1  # the users' conversations really differ
        mores = await asyncio.gather(
            *(fake.send_message(u, f"{mention} more", channel_id=home[u.id]) for u in users)
        )
        asker = {m["id"]: user for m, user in zip(mores, users, strict=True)}
        for reply in await collect(run, len(users)):
            user = asker[str(replied_to(reply))]
            assert quote_of(reply["embeds"][0]) == continuations[last[user.id]], user.name


async def last_questions(run: Running, users: list[FakeUser]) -> dict[int, str]:
    """Each user's most recently logged question (the one their conversation state follows)."""
    last: dict[int, str] = {}
    for turn in await run.app.store.recent_turns(USERS * PER_USER):  # newest first
        last.setdefault(int(turn.key.user), turn.question)
    assert set(last) == {u.id for u in users}
    return last


async def test_cooldown_applies_per_user_in_a_burst(tmp_path: Path) -> None:
    """With a burst of 5 per 60 s, eight questions at once get 5 answers and one cooldown note
    (not one per message); another user asking at the same time is not held back."""
    async with running_bot(tmp_path, "  cooldown_burst: 5\n  cooldown_seconds: 60\n") as run:
        fake, mention = run.fake, run.fake.bot_user.mention
        eager, calm = fake.add_user("eager"), fake.add_user("calm")
        plan = [(eager, q) for q in QUESTIONS[:8]] + [(calm, q) for q in QUESTIONS[8:]]
        sent = await asyncio.gather(*(fake.send_message(u, f"{mention} {q}") for u, q in plan))
        author = {m["id"]: user for m, (user, _) in zip(sent, plan, strict=True)}
        replies = await collect(run, len(plan) - 2)
        with pytest.raises(TimeoutError):
            await fake.wait_for_bot_message(timeout=0.3)
        assert len({replied_to(r) for r in replies}) == len(replies)
        outcome: Counter[tuple[str, str]] = Counter()
        for reply in replies:
            kind = "answer" if reply["embeds"] else "cooldown"
            if kind == "cooldown":
                assert "ask again in" in reply["content"]
            outcome[(author[str(replied_to(reply))].name, kind)] += 1
        assert outcome == {("eager", "answer"): 5, ("eager", "cooldown"): 1, ("calm", "answer"): 2}
