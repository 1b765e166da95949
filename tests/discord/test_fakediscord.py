"""End-to-end tests of the loopback fake Discord, driving a minimal discord.py bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import FakeDiscord

FRUITS = ["apple", "apricot", "banana", "cherry"]


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    """A one-field modal that thanks the user ephemerally."""

    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="Your feedback", custom_id="feedback_text", max_length=200
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Thanks: {self.text.value}", ephemeral=True)


class PingView(discord.ui.View):
    """A view with one button answering "pong"."""

    @discord.ui.button(label="Ping", custom_id="ping_button")
    async def ping(self, interaction: discord.Interaction, _: discord.ui.Button[PingView]) -> None:
        await interaction.response.send_message("pong", ephemeral=True)


class MiniBot(commands.Bot):
    """Replies to mentions; has /fruit (autocomplete), /buttons (view) and /feedback (modal)."""

    def __init__(self) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            help_command=None,
            guild_ready_timeout=0.01,
        )
        self.seen: list[discord.Message] = []
        self._add_commands()

    def _add_commands(self) -> None:
        @self.tree.command(name="fruit", description="Pick a fruit")
        @app_commands.describe(name="The fruit")
        async def fruit(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(f"You picked {name}")

        @fruit.autocomplete("name")
        async def fruit_names(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=f, value=f) for f in FRUITS if f.startswith(current)]

        @self.tree.command(name="buttons", description="Show a button")
        async def buttons(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Press it", view=PingView())

        @self.tree.command(name="feedback", description="Open a feedback form")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal())

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5 s pause before re-identifying (keeps op 9 tests fast)."""

    async def on_message(self, message: discord.Message) -> None:
        if message.author == self.user:
            return
        self.seen.append(message)
        if self.user is not None and self.user in message.mentions:
            await message.reply("Hello!", allowed_mentions=discord.AllowedMentions.none())


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A running fake with discord.py pointed at it."""
    async with FakeDiscord() as server:
        with server.patch_client():
            yield server


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[MiniBot]:
    """A MiniBot connected to the fake; checks it survived and the traffic matched the spec."""
    client = MiniBot()
    task = asyncio.create_task(client.start("fake-token"))
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        await asyncio.wait({task, ready}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()  # re-raise why the bot died
        assert ready.done(), "bot did not become ready"
        yield client
        assert not task.done(), f"bot task ended early: {task.exception()!r}"
    finally:
        ready.cancel()
        await client.close()
        await asyncio.wait_for(task, 5)
    assert fake.spec_errors == []


async def mention_and_get_reply(fake: FakeDiscord) -> tuple[dict[str, Any], dict[str, Any]]:
    """Mention the bot as the default user; return (sent message, bot reply)."""
    sent = await fake.send_message(fake.default_user, f"{fake.bot_user.mention} hi there")
    reply = await fake.wait_for_bot_message(lambda m: m["kind"] == "message")
    return sent, reply


async def test_login_ready_and_guild_available(fake: FakeDiscord, bot: MiniBot) -> None:
    """The bot logs in, gets READY and sees the guild, its channel and synced commands."""
    assert bot.user is not None and bot.user.id == fake.bot_user.id
    guild = bot.get_guild(fake.guild_id)
    assert guild is not None and not guild.unavailable
    channel = guild.get_channel(fake.channel_id)
    assert channel is not None and channel.name == "general"
    assert fake.identify_count == 1
    assert fake.intents == discord.Intents.default().value
    paths = [(method, path) for method, path, _ in fake.requests]
    assert paths[:2] == [("GET", "/users/@me"), ("GET", "/oauth2/applications/@me")]
    assert ("PUT", f"/applications/{fake.application_id}/commands") in paths
    assert set(fake.commands) == {"fruit", "buttons", "feedback"}


async def test_mention_gets_reply_without_pings(fake: FakeDiscord, bot: MiniBot) -> None:
    """A mention is answered with a reply referencing it and allowed_mentions parse=[]."""
    sent, reply = await mention_and_get_reply(fake)
    assert reply["content"] == "Hello!"
    assert reply["type"] == 19
    assert reply["message_reference"]["message_id"] == sent["id"]
    assert reply["allowed_mentions"] == {"parse": []}
    assert reply["mentions"] == []
    assert bot.seen[-1].content.endswith("hi there")  # mentioned: content visible


async def test_unmentioned_content_is_blank_without_intent(fake: FakeDiscord, bot: MiniBot) -> None:
    """Without the Message Content intent, messages not mentioning the bot arrive blank."""
    await fake.send_message(fake.default_user, "secret words")
    for _ in range(50):
        if bot.seen:
            break
        await asyncio.sleep(0.01)
    assert [m.content for m in bot.seen] == [""]
    assert fake.bot_messages == []


async def test_slash_command_response(fake: FakeDiscord, bot: MiniBot) -> None:
    """/fruit answers with a public channel message (callback type 4)."""
    result = await fake.run_slash("fruit", {"name": "banana"})
    assert result.type == 4
    assert result.content == "You picked banana"
    assert not result.ephemeral
    record = await fake.wait_for_bot_message()
    assert record["kind"] == "response" and record["interaction_id"] == result.interaction_id


async def test_autocomplete_choices(fake: FakeDiscord, bot: MiniBot) -> None:
    """Autocomplete on /fruit returns the matching choices (callback type 8)."""
    choices = await fake.autocomplete("fruit", {"name": "ap"}, focused="name")
    assert [c["value"] for c in choices] == ["apple", "apricot"]


async def test_button_click_runs_callback(fake: FakeDiscord, bot: MiniBot) -> None:
    """Clicking the button of the /buttons message runs the view's callback."""
    shown = await fake.run_slash("buttons")
    assert shown.message is not None
    clicked = await fake.click(shown.message, "ping_button")
    assert clicked.type == 4
    assert clicked.content == "pong"
    assert clicked.ephemeral


async def test_modal_open_and_submit(fake: FakeDiscord, bot: MiniBot) -> None:
    """/feedback opens a modal (type 9); submitting it yields an ephemeral thank-you."""
    opened = await fake.run_slash("feedback")
    assert opened.type == 9 and opened.modal_custom_id is not None
    submitted = await fake.submit_modal(opened.modal_custom_id, {"feedback_text": "great"})
    assert submitted.content == "Thanks: great"
    assert submitted.ephemeral


async def test_reconnect_resumes_and_still_replies(fake: FakeDiscord, bot: MiniBot) -> None:
    """After op 7 the bot resumes the session and still answers mentions."""
    await fake.send_reconnect()
    assert (fake.identify_count, fake.resume_count) == (1, 1)
    _, reply = await mention_and_get_reply(fake)
    assert reply["content"] == "Hello!"


async def test_invalid_session_reidentifies(fake: FakeDiscord, bot: MiniBot) -> None:
    """A non-resumable op 9 makes the bot identify again, after which it still replies."""
    await fake.invalidate_session(resumable=False)
    assert fake.identify_count == 2
    _, reply = await mention_and_get_reply(fake)
    assert reply["content"] == "Hello!"


async def test_closed_socket_resumes_with_missed_events(fake: FakeDiscord, bot: MiniBot) -> None:
    """A 4000 close makes the bot resume, and events sent meanwhile are replayed."""
    await fake.close_socket(4000, wait=False)
    sent = await fake.send_message(fake.default_user, f"{fake.bot_user.mention} missed?")
    reply = await fake.wait_for_bot_message()
    assert fake.resume_count == 1
    assert reply["message_reference"]["message_id"] == sent["id"]


async def test_rate_limit_is_retried(fake: FakeDiscord, bot: MiniBot) -> None:
    """An injected 429 on message create is retried by discord.py after retry_after."""
    fake.fail_next("POST", r"^/channels/\d+/messages$", status=429, retry_after=0.05)
    _, reply = await mention_and_get_reply(fake)
    assert reply["content"] == "Hello!"
    posts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert len(posts) == 2
