"""One reply path: buttons and forms report their errors like commands do, and closing waits
for slash commands and buttons in flight as it does for mentions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.messages import GENERIC
from bot.service import TurnResult
from tests.discord_harness import Running, custom_ids, quote_of, running_bot

SETTINGS = "  cooldown_burst: 50\n  moderator_roles: [{moderator_role}]\n"
MANAGE_GUILD = 1 << 5


@pytest.fixture
async def run(tmp_path: Path) -> AsyncIterator[Running]:
    """The bot running against a fresh fake Discord."""
    async with running_bot(tmp_path, SETTINGS) as running:
        yield running


async def test_a_failing_button_tells_the_user(
    run: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error behind a button gets the user the generic sentence, privately
    (discord.py alone would only log it, and the click would spin and fail)."""
    _, reply = await run.ask("what does russia gain")
    more = next(c for c in custom_ids(reply) if c.startswith("ab:more:"))

    async def broken(*_: Any) -> TurnResult:
        raise RuntimeError("the disk fell off")

    monkeypatch.setattr(run.app.service, "more", broken)
    clicked = await run.fake.click(reply, more)
    assert clicked.ephemeral and clicked.content == GENERIC


async def test_closing_waits_for_a_slash_answer_in_flight(
    run: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stop that comes while /ask is being answered lets that answer out before the client
    closes its connection."""
    release = await _hold(run, monkeypatch, "ask")
    asked = asyncio.create_task(
        run.fake.run_slash("ask", {"question": "what does russia gain"}, timeout=10)
    )
    await _until(lambda: release.waiting)
    closing = asyncio.create_task(run.close())
    await asyncio.sleep(0.2)
    assert not closing.done(), "the client closed with an answer in flight"
    release.go.set()
    result = await asked
    await asyncio.wait_for(closing, 10)
    assert quote_of(result.embeds[0])


async def test_closing_waits_for_a_button_in_flight(
    run: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for a More button clicked just before the stop."""
    _, reply = await run.ask("what does russia gain")
    more = next(c for c in custom_ids(reply) if c.startswith("ab:more:"))
    release = await _hold(run, monkeypatch, "more")
    clicked = asyncio.create_task(run.fake.click(reply, more, timeout=10))
    await _until(lambda: release.waiting)
    closing = asyncio.create_task(run.close())
    await asyncio.sleep(0.2)
    assert not closing.done(), "the client closed with a button's answer in flight"
    release.go.set()
    result = await clicked
    await asyncio.wait_for(closing, 10)
    assert quote_of(result.embeds[0])


async def test_moderator_commands_are_hidden_from_members_and_dms(run: Running) -> None:
    """/intent (a group cog), /unanswered and /stats are synced as Manage Server and guild only,
    so Discord shows them to moderators alone (each still checks at every use)."""
    synced = run.fake.commands
    for name in ("intent", "unanswered", "stats"):
        command = synced[name]
        assert int(command["default_member_permissions"]) == MANAGE_GUILD, name
        assert command.get("dm_permission") is False or command.get("contexts") == [0], name
    subcommands = {o["name"] for o in synced["intent"]["options"]}
    assert subcommands == {"add", "remove", "list", "test", "reload"}


class _Held:
    """A service call held until ``go`` is set."""

    def __init__(self) -> None:
        self.go = asyncio.Event()
        self.waiting = False


async def _hold(run: Running, monkeypatch: pytest.MonkeyPatch, name: str) -> _Held:
    """Make ``run.app.service.<name>`` wait for the test before answering."""
    held, real = _Held(), getattr(run.app.service, name)

    async def slow(*args: Any) -> TurnResult:
        held.waiting = True
        await held.go.wait()
        return await real(*args)  # type: ignore[no-any-return]

    monkeypatch.setattr(run.app.service, name, slow)
    return held


async def _until(condition: Any, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the bot never started answering")
