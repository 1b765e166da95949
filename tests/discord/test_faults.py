"""Discord faults through the real client and the fake: the bot recovers, nothing is lost silently.

One bot serves the whole module (starting one takes about a second); every test uses its own
users, and after each test no injected fault may be left over and no request may have broken
Discord's OpenAPI spec.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import discord.http
import discord.webhook.async_
import pytest
import pytest_asyncio

from tests.discord_harness import Running, quote_of, running_bot
from tests.fakediscord import FakeDiscord, FakeUser
from tests.fakediscord.rest import DROP_CONNECTION
from tests.helpers import ROOT

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

Json = dict[str, Any]
ARTICLE = (ROOT / "seeds" / "article.txt").read_text(encoding="utf-8")
SETTINGS = "  cooldown_seconds: 0\n"
# Clear questions, each answered by a different passage whatever the conversation so far.
QUESTIONS = (
    "what does russia gain from all this",
    "turky coup",
    "aleppo",
    "what did kerry and putin discuss",
    "will the ioc let russia compete",
    "what did nato decide about russia",
    "who wrote the article",
    "what leverage does kerry have",
)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    """One bot against one fake Discord for the module (checked for life and spec at the end)."""
    async with running_bot(tmp_path_factory.mktemp("faults"), SETTINGS) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def run(shared: Running) -> AsyncIterator[Running]:
    """The shared bot; afterwards no fault is left queued, the spec held, the bot is up."""
    errors_before = len(shared.fake.spec_errors)
    yield shared
    leftover = list(shared.fake.rest.faults)
    shared.fake.rest.faults.clear()
    assert leftover == [], "an injected fault was never hit"
    assert shared.fake.spec_errors[errors_before:] == []
    assert not shared.bot.is_closed()


# -- helpers ---------------------------------------------------------------------------------


async def send(run: Running, author: FakeUser, text: str) -> Json:
    """Mention the bot with ``text`` as ``author`` without waiting for the reply."""
    return await run.fake.send_message(author, f"{run.fake.bot_user.mention} {text}")


def is_reply_to(sent: Json) -> Callable[[Json], bool]:
    """A predicate: the bot message replies to ``sent``."""
    return lambda m: (m.get("message_reference") or {}).get("message_id") == sent["id"]


async def reply_to(run: Running, sent: Json, timeout: float = 5.0) -> Json:
    """The bot's reply to ``sent``."""
    return await run.fake.wait_for_bot_message(is_reply_to(sent), timeout=timeout)


async def no_reply(run: Running, *sent: Json, timeout: float = 0.3) -> bool:
    """True if no (further) reply to any of ``sent`` arrives within ``timeout``."""
    ids = {message["id"] for message in sent}
    try:
        await run.fake.wait_for_bot_message(
            lambda m: (m.get("message_reference") or {}).get("message_id") in ids, timeout=timeout
        )
    except TimeoutError:
        return True
    return False


def expected_quote(run: Running, question: str) -> str:
    """The passage the engine quotes for ``question`` in a fresh conversation."""
    reply, _ = run.app.knowledge.engine.reply_to(question, None)
    assert reply.quote is not None, f"{question!r} is not answered by a quote"
    return reply.quote.text


def expected_more(run: Running, question: str) -> str:
    """The passage "more" quotes after ``question`` was answered."""
    engine = run.app.knowledge.engine
    _, state = engine.reply_to(question, None)
    reply, _ = engine.more(state)
    assert reply.quote is not None
    return reply.quote.text


def reply_attempts(run: Running, sent: Json) -> int:
    """How many times the bot POSTed its reply to ``sent`` (retries included)."""
    return sum(
        1
        for r in run.fake.requests
        if r.method == "POST"
        and isinstance(r.json, dict)
        and str((r.json.get("message_reference") or {}).get("message_id")) == sent["id"]
    )


async def failures_after(
    run: Running, known: int, wanted: int = 1, timeout: float = 5.0
) -> list[tuple[int, str]]:
    """Delivery failures recorded after the first ``known`` ones, once ``wanted`` are there
    (or the timeout passed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        failures = (await run.app.store.delivery_failures())[known:]
        if len(failures) >= wanted or loop.time() > deadline:
            return failures
        await asyncio.sleep(0.02)


def reply_path(run: Running) -> str:
    """The REST path (regex) of replies in ``#general``."""
    return rf"^/channels/{run.fake.channel_id}/messages$"


async def drop_and_wait(fake: FakeDiscord) -> None:
    """Cut the gateway's TCP connection with no close frame; wait until the bot is back."""
    before = fake.gateway.counts()
    drop_connection(fake)
    await fake.gateway.wait_reconnect(before, 5.0)


async def drop_without_waiting(fake: FakeDiscord) -> None:
    """Cut the gateway's TCP connection and return at once."""
    drop_connection(fake)


def drop_connection(fake: FakeDiscord) -> None:
    """Abort the bot's gateway socket at the TCP level, as a network failure would."""
    socket = fake.gateway.socket
    assert socket is not None, "the bot is not connected"
    socket._req.transport.abort()  # type: ignore[union-attr]


class FastAsyncio:
    """``asyncio`` as discord.py's HTTP clients see it, with every sleep 50 times shorter.

    discord.py waits 1 + 3 + 5 + 7 + 9 s between its five attempts on a 5xx; this keeps that
    schedule (and the number of attempts) but runs it in half a second.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def sleep(delay: float, result: Any = None) -> Any:
        """Sleep a fiftieth of ``delay``."""
        return await asyncio.sleep(delay / 50, result)


# -- gateway ---------------------------------------------------------------------------------

Fault = Callable[[FakeDiscord], Awaitable[None]]
RESUMABLE_FAULTS: dict[str, Fault] = {
    "reconnect-op7": lambda fake: fake.send_reconnect(),
    "close-4000": lambda fake: fake.close_socket(4000),
    "invalid-session-resumable": lambda fake: fake.invalidate_session(True),
    "close-1006": lambda fake: fake.close_socket(1006),
    "close-1011": lambda fake: fake.close_socket(1011),
    "dropped-tcp": drop_and_wait,
}


@pytest.mark.parametrize("fault", RESUMABLE_FAULTS.values(), ids=RESUMABLE_FAULTS.keys())
async def test_resumable_gateway_fault_keeps_the_conversation(run: Running, fault: Fault) -> None:
    """After a resumable gateway fault the bot resumes (no new IDENTIFY) and "more" continues."""
    user = run.fake.add_user("resumer")
    question = "what does russia gain from all this"
    _, first = await run.ask(question, author=user)
    assert quote_of(first["embeds"][0]) == expected_quote(run, question)
    identified, resumed = run.fake.gateway.counts()
    await fault(run.fake)
    assert run.fake.gateway.counts() == (identified, resumed + 1)
    _, more = await run.ask("more", author=user)
    assert quote_of(more["embeds"][0]) == expected_more(run, question)
    _, fresh = await run.ask("turky coup", author=user)
    assert quote_of(fresh["embeds"][0]) == expected_quote(run, "turky coup")


DISCONNECTS: dict[str, Callable[[FakeDiscord], Awaitable[None]]] = {
    "close-4000": lambda fake: fake.close_socket(4000, wait=False),
    "close-1006": lambda fake: fake.close_socket(1006, wait=False),
    "dropped-tcp": drop_without_waiting,
}


@pytest.mark.parametrize("disconnect", DISCONNECTS.values(), ids=DISCONNECTS.keys())
async def test_questions_sent_while_disconnected_are_answered_once_after_resume(
    run: Running, disconnect: Callable[[FakeDiscord], Awaitable[None]]
) -> None:
    """Questions posted while the bot is disconnected are replayed on RESUME and answered once."""
    users = [run.fake.add_user(f"offline-{n}") for n in range(3)]
    before = run.fake.gateway.counts()
    await disconnect(run.fake)
    sent = await asyncio.gather(*(send(run, u, q) for u, q in zip(users, QUESTIONS, strict=False)))
    assert not run.fake.gateway.connected, "the bot was back before the questions were posted"
    await run.fake.gateway.wait_reconnect(before, 5.0)
    assert run.fake.gateway.counts() == (before[0], before[1] + 1)
    for message, question in zip(sent, QUESTIONS, strict=False):
        reply = await reply_to(run, message)
        assert quote_of(reply["embeds"][0]) == expected_quote(run, question)
    assert await no_reply(run, *sent)


async def test_non_resumable_invalid_session_reidentifies_and_keeps_state(run: Running) -> None:
    """After INVALID_SESSION (not resumable) the bot identifies anew; stored state survives.

    discord.py waits 5 s before re-identifying; this is the one test that pays for it.
    """
    user = run.fake.add_user("reidentifier")
    question = "what did kerry and putin discuss"
    await run.ask(question, author=user)
    identified, resumed = run.fake.gateway.counts()
    await run.fake.invalidate_session(False, timeout=10.0)
    assert run.fake.gateway.counts() == (identified + 1, resumed)
    _, more = await run.ask("more", author=user)
    assert quote_of(more["embeds"][0]) == expected_more(run, question)
    _, fresh = await run.ask("aleppo", author=user)
    assert quote_of(fresh["embeds"][0]) == expected_quote(run, "aleppo")


# -- REST ------------------------------------------------------------------------------------

TRANSIENT: dict[str, tuple[int, bool]] = {
    "429-user": (429, False),
    "429-global": (429, True),
    "500-once": (500, False),
}


@pytest.mark.parametrize(("status", "is_global"), TRANSIENT.values(), ids=TRANSIENT.keys())
async def test_transient_rest_failure_on_a_reply_is_retried(
    run: Running, status: int, is_global: bool
) -> None:
    """A 429 (rate-limit headers, Retry-After) or one 500 on a reply: it still arrives, once."""
    user = run.fake.add_user("retried")
    run.fake.fail_next("POST", reply_path(run), status, retry_after=0.05, is_global=is_global)
    sent = await send(run, user, "aleppo")
    reply = await reply_to(run, sent)
    assert quote_of(reply["embeds"][0]) == expected_quote(run, "aleppo")
    assert reply_attempts(run, sent) == 2
    assert await no_reply(run, sent)


async def test_rate_limited_interaction_callback_is_retried(run: Running) -> None:
    """A 429 on an interaction callback: /ask is still answered."""
    user = run.fake.add_user("slasher")
    run.fake.fail_next("POST", r"^/interactions/\d+/[^/]+/callback$", 429, retry_after=0.05)
    result = await run.fake.run_slash("ask", {"question": "turky coup"}, user=user)
    assert quote_of(result.embeds[0]) == expected_quote(run, "turky coup")
    callbacks = [
        r for r in run.fake.requests if f"/interactions/{result.interaction_id}/" in r.path
    ]
    assert len(callbacks) == 2


PERSISTENT: dict[str, tuple[int, int]] = {
    "503-not-retried": (503, 1),
    "500-past-all-retries": (500, 5),
}


@pytest.mark.parametrize(("status", "count"), PERSISTENT.values(), ids=PERSISTENT.keys())
async def test_undeliverable_reply_is_recorded_and_the_bot_goes_on(
    run: Running, monkeypatch: pytest.MonkeyPatch, status: int, count: int
) -> None:
    """A reply that fails past discord.py's retries is recorded against its turn; later
    questions are still answered."""
    monkeypatch.setattr(discord.http, "asyncio", FastAsyncio())
    user = run.fake.add_user("unlucky")
    known = len(await run.app.store.delivery_failures())
    run.fake.fail_next("POST", reply_path(run), status, count=count)
    question = "what did kerry and putin discuss"
    sent = await send(run, user, question)
    failures = await failures_after(run, known)
    assert len(failures) == 1 and str(status) in failures[0][1]
    turn = await run.app.store.logged_turn(failures[0][0])
    assert turn is not None
    assert (turn.question, turn.key.user, turn.answered) == (question, str(user.id), True)
    recent = await run.app.store.recent_turns(5)
    assert any(t.question == question and t.key.user == str(user.id) for t in recent)
    assert reply_attempts(run, sent) == count
    assert await no_reply(run, sent)
    _, later = await run.ask("aleppo", author=user)
    assert quote_of(later["embeds"][0]) == expected_quote(run, "aleppo")


async def test_reply_lost_with_its_connection_is_recorded(run: Running) -> None:
    """A reply whose connection drops (no HTTP answer at all) is recorded like a refused one."""
    user = run.fake.add_user("disconnected")
    known = len(await run.app.store.delivery_failures())
    run.fake.fail_next("POST", reply_path(run), DROP_CONNECTION)
    sent = await send(run, user, "what did nato decide about russia")
    failures = await failures_after(run, known)
    assert len(failures) == 1 and "disconnected" in failures[0][1].lower()
    turn = await run.app.store.logged_turn(failures[0][0])
    assert turn is not None and turn.key.user == str(user.id)
    assert reply_attempts(run, sent) == 1  # a POST is not retried: it may have been posted
    _, later = await run.ask("aleppo", author=user)
    assert quote_of(later["embeds"][0]) == expected_quote(run, "aleppo")


async def test_every_turn_is_replied_or_recorded_under_mixed_faults(run: Running) -> None:
    """Eight questions at once under 429s and 503s: each is answered or recorded, never both."""
    user = run.fake.add_user("ledger")
    known = len(await run.app.store.delivery_failures())
    run.fake.fail_next("POST", reply_path(run), 429, retry_after=0.05, count=2)
    run.fake.fail_next("POST", reply_path(run), 503, count=2)
    sent = await asyncio.gather(*(send(run, user, q) for q in QUESTIONS))
    failures = await failures_after(run, known, wanted=2)
    failed = set()
    for turn_id, _ in failures:
        turn = await run.app.store.logged_turn(turn_id)
        assert turn is not None and turn.key.user == str(user.id)
        failed.add(turn.question)
    assert len(failed) == 2
    asked = dict(zip(QUESTIONS, sent, strict=True))
    for question in set(QUESTIONS) - failed:
        reply = await reply_to(run, asked[question])
        assert quote_of(reply["embeds"][0]) == expected_quote(run, question)
    assert await no_reply(run, *sent)  # none answered twice, no failed one answered late
    mine = [t for t in await run.app.store.recent_turns(50) if t.key.user == str(user.id)]
    assert sorted(t.question for t in mine) == sorted(QUESTIONS)


async def test_undeliverable_slash_answer_is_recorded(
    run: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An /ask answer whose interaction callback fails past discord.py's retries is recorded
    against its turn, like a failed reply to a mention; the asker is told something went wrong."""
    monkeypatch.setattr(discord.webhook.async_, "asyncio", FastAsyncio())
    user = run.fake.add_user("unlucky-slasher")
    known = len(await run.app.store.delivery_failures())
    run.fake.fail_next("POST", r"^/interactions/\d+/[^/]+/callback$", 503, count=5)
    question = "what did nato decide about russia"
    result = await run.fake.run_slash("ask", {"question": question}, user=user, timeout=5.0)
    assert result.ephemeral and not result.embeds  # the polite line, once retries ran out
    failures = await failures_after(run, known, timeout=1.0)
    assert len(failures) == 1, "the undelivered /ask answer was not recorded"
    turn = await run.app.store.logged_turn(failures[0][0])
    assert turn is not None and (turn.question, turn.key.user) == (question, str(user.id))
