"""End to end: the real discord.py client of the bot against the loopback fake Discord."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_app
from bot.discord.runner import build_bot
from bot.errors import IntentError
from tests.discord_harness import Running, custom_ids, quote_of, running_bot, write_config
from tests.fakediscord import FakeDiscord, FakeUser
from tests.helpers import ROOT

ARTICLE = (ROOT / "seeds" / "article.txt").read_text(encoding="utf-8")
SETTINGS = "  cooldown_burst: 50\n  moderator_roles: [{moderator_role}]\n  channels: [questions]\n"


@pytest.fixture
async def run(tmp_path: Path) -> AsyncIterator[Running]:
    """The bot running against a fresh fake Discord."""
    async with running_bot(tmp_path, SETTINGS) as running:
        yield running


async def no_more_replies(run: Running, message_id: str) -> bool:
    """True if no second reply to ``message_id`` arrives shortly."""
    try:
        await run.fake.wait_for_bot_message(
            lambda m: (m.get("message_reference") or {}).get("message_id") == message_id,
            timeout=0.3,
        )
    except TimeoutError:
        return True
    return False


async def test_mentioned_question_gets_one_reply_quoting_the_article(run: Running) -> None:
    """A mention is answered once, as a reply, with the quote on its own lines, pinging nobody."""
    sent, reply = await run.ask("what does russia gain from all this?")
    embed = reply["embeds"][0]
    assert quote_of(embed) and quote_of(embed) in ARTICLE
    assert "¶7" in embed["title"]
    assert reply["allowed_mentions"] == {"parse": [], "replied_user": False}
    first_row, follow_ups = (
        [c["custom_id"] for c in row["components"]] for row in reply["components"]
    )
    assert first_row[0].startswith("ab:more:") and len(first_row) == 3
    assert follow_ups and all(cid.startswith("ab:pick:") for cid in follow_ups)
    assert await no_more_replies(run, sent["id"])


async def test_more_button_continues_the_passage(run: Running) -> None:
    """Clicking More quotes the sentences after the previous quote."""
    _, reply = await run.ask("what does russia gain")
    first = quote_of(reply["embeds"][0])
    more_id = next(c for c in custom_ids(reply) if c.startswith("ab:more:"))
    clicked = await run.fake.click(reply, more_id)
    following = quote_of(clicked.embeds[0])
    assert following in ARTICLE and ARTICLE.index(following) > ARTICLE.index(first)


async def test_did_you_mean_button_answers_the_choice(run: Running) -> None:
    """An ambiguous question offers choices; clicking one answers that intent."""
    _, reply = await run.ask("the games")
    picks = [c for c in custom_ids(reply) if c.startswith("ab:pick:")]
    assert 2 <= len(picks) <= 3 and "Did you mean" in reply["content"]
    clicked = await run.fake.click(reply, picks[0])
    assert quote_of(clicked.embeds[0]) in ARTICLE
    turns = await run.app.store.recent_turns(1)
    assert turns[0].intent == picks[0].removeprefix("ab:pick:")


async def test_feedback_is_stored_once_per_user(run: Running) -> None:
    """👍 then 👎 by one user leaves one vote (the latest), acknowledged privately."""
    _, reply = await run.ask("aleppo")
    up = next(c for c in custom_ids(reply) if c.endswith(":up"))
    down = next(c for c in custom_ids(reply) if c.endswith(":down"))
    first = await run.fake.click(reply, up)
    assert first.ephemeral and "Thanks" in (first.content or "")
    await run.fake.click(reply, down)
    turn_id = int(up.split(":")[2])
    assert await run.app.store.feedback_for(turn_id) == {str(run.fake.default_user.id): -1}


async def test_summary_with_section_autocomplete(run: Running) -> None:
    """/summary's section autocomplete offers section ids; the summary cites paragraphs."""
    choices = await run.fake.autocomplete("summary", {"section": "tur"}, focused="section")
    assert [c["value"] for c in choices] == ["turkey-coup"]
    everything = await run.fake.autocomplete("summary", {"section": ""}, focused="section")
    assert 1 < len(everything) <= 25
    result = await run.fake.run_slash("summary", {"section": "turkey-coup"})
    assert "¶5" in result.embeds[0]["description"]
    whole = await run.fake.run_slash("summary")
    assert "(¶" in whole.embeds[0]["description"]


async def test_moderator_adds_an_intent_through_the_modal(run: Running) -> None:
    """A moderator's /intent add writes its own file, reloads, and the intent answers at once."""
    moderator = run.fake.add_user("mod")
    run.fake.add_member(moderator, permissions=0x20)
    opened = await run.fake.run_slash("intent add", user=moderator)
    assert opened.type == 9 and opened.modal_custom_id is not None
    assert opened.modal_custom_id.startswith(f"ab:intent-add:{moderator.id}:")
    examples = "\n".join(
        [
            "what zebra crossing did kerry use",
            "zebra crossing?",
            "tell me about the zebra crossing",
            "kerry and the zebra crossing",
            "where is the zebra crossing",
        ]
    )
    done = await run.fake.submit_modal(
        opened.modal_custom_id,
        {
            "id": "zebra-crossing",
            "section": "kerry-and-leverage",
            "examples": examples,
            "quote": "this entire Syrian mayhem",
            "lead": "",
        },
        user=moderator,
    )
    assert done.ephemeral and "zebra-crossing" in (done.content or "")
    assert (run.folder / "intents" / "added-zebra-crossing.yaml").exists()
    _, reply = await run.ask("what about the zebra crossing")
    assert quote_of(reply["embeds"][0]) == "this entire Syrian mayhem"
    audit = await run.app.store.audit_log()
    assert audit[0][1:3] == (str(moderator.id), "intent.add")


async def test_intent_add_refused_for_a_member(run: Running) -> None:
    """A member without Manage Server or the moderator role is refused, privately, with no modal."""
    result = await run.fake.run_slash("intent add")
    assert result.type == 4 and result.ephemeral and "moderators" in (result.content or "")
    role_holder = run.fake.add_user("helper")
    run.fake.add_member(role_holder, roles=["Moderator"])
    assert (await run.fake.run_slash("intent add", user=role_holder)).type == 9


async def test_broken_modal_input_is_rejected_precisely(run: Running) -> None:
    """Unknown section and too few examples come back by field name; nothing is written."""
    moderator = run.fake.add_user("mod")
    run.fake.add_member(moderator, permissions=0x20)
    opened = await run.fake.run_slash("intent add", user=moderator)
    assert opened.modal_custom_id is not None
    done = await run.fake.submit_modal(
        opened.modal_custom_id,
        {"id": "broken", "section": "mars", "examples": "one\ntwo", "quote": "", "lead": ""},
        user=moderator,
    )
    text = done.content or ""
    assert done.ephemeral and "`section`: unknown section 'mars'" in text
    assert "`examples`: needs at least 5 examples, has 2" in text
    assert not list((run.folder / "intents").glob("added-*"))


async def test_everyone_mention_pings_nobody(run: Running) -> None:
    """A question containing @everyone and a role mention is answered without pinging anyone."""
    role = run.fake.add_role("Everyone-ish", mentionable=True)
    _, reply = await run.ask(
        f"@everyone {role.mention} what does russia gain?", mention_everyone=True
    )
    assert reply["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert reply["mentions"] == [] and reply["mention_roles"] == []
    assert reply["mention_everyone"] is False


async def test_bots_are_ignored(run: Running) -> None:
    """Another bot mentioning us gets no reply (and our own echoed replies start no loop)."""
    other = run.fake.add_user("otherbot", bot=True)
    sent = await run.fake.send_message(other, f"{run.fake.bot_user.mention} what does russia gain")
    assert await no_more_replies(run, sent["id"])
    _, reply = await run.ask("aleppo")
    assert await no_more_replies(run, reply["id"])


async def test_watched_channel_is_answered_without_mention(run: Running) -> None:
    """Messages in a channel listed in config are answered without a mention; others are not."""
    watched = run.fake.add_channel("questions")
    sent = await run.fake.send_message(run.fake.default_user, "turky coup", channel_id=watched.id)
    reply = await run.fake.wait_for_bot_message(
        lambda m: (m.get("message_reference") or {}).get("message_id") == sent["id"]
    )
    assert "Turkey" in quote_of(reply["embeds"][0])
    other = await run.fake.send_message(run.fake.default_user, "turky coup")
    assert await no_more_replies(run, other["id"])


async def test_reconnect_then_still_answers(run: Running) -> None:
    """After a gateway RECONNECT (op 7) the bot resumes and keeps answering."""
    await run.fake.send_reconnect()
    assert run.fake.resume_count == 1
    _, reply = await run.ask("aleppo")
    assert quote_of(reply["embeds"][0]) in ARTICLE


async def test_closing_delivers_the_replies_in_flight(run: Running) -> None:
    """A stop (signal, deploy) while a reply waits out a 429 still delivers that reply."""
    run.fake.fail_next("POST", r"^/channels/\d+/messages$", 429, retry_after=0.5)
    question = f"{run.fake.bot_user.mention} aleppo"
    sent = await run.fake.send_message(run.fake.default_user, question)
    async with asyncio.timeout(5):
        while run.fake.rest.faults:  # the reply met the 429: discord.py sleeps, then retries
            await asyncio.sleep(0.01)
    await run.close()
    replies = [
        m
        for m in run.fake.bot_messages
        if (m.get("message_reference") or {}).get("message_id") == sent["id"]
    ]
    assert len(replies) == 1
    assert quote_of(replies[0]["embeds"][0]) in ARTICLE
    assert await run.app.store.delivery_failures() == []


async def test_cooldown(tmp_path: Path) -> None:
    """Past the burst, a user gets a short cooldown note instead of an answer."""
    async with running_bot(tmp_path, "  cooldown_burst: 2\n  cooldown_seconds: 60\n") as run:
        for _ in range(2):
            _, reply = await run.ask("aleppo")
            assert reply["embeds"]
        _, reply = await run.ask("aleppo")
        assert "ask again in" in reply["content"] and not reply["embeds"]
        slash = await run.fake.run_slash("ask", {"question": "aleppo"})
        assert slash.ephemeral and "ask again in" in (slash.content or "")


async def moderator(run: Running, name: str = "mod") -> FakeUser:
    """A new member with Manage Server."""
    user = run.fake.add_user(name)
    run.fake.add_member(user, permissions=0x20)
    return user


async def test_intent_list_test_reload_and_remove(run: Running) -> None:
    """Moderators list, test, reload and remove intents; hand-written intents cannot be removed."""
    mod = await moderator(run)
    listed = await run.fake.run_slash("intent list", {"section": "turkey-coup"}, user=mod)
    assert listed.ephemeral and "`turkey-coup`" in listed.embeds[0]["description"]
    tested = await run.fake.run_slash("intent test", {"question": "turky coup"}, user=mod)
    assert "Outcome: **answer** → `turkey-coup`" in (tested.content or "")
    reloaded = await run.fake.run_slash("intent reload", user=mod)
    assert "Reloaded" in (reloaded.content or "")
    refused = await run.fake.run_slash("intent remove", {"id": "turkey-coup"}, user=mod)
    assert refused.ephemeral and "only a person edits" in (refused.content or "")
    assert run.app.knowledge.intents.get("turkey-coup") is not None


async def test_broken_file_on_reload_keeps_the_last_good_set(run: Running) -> None:
    """/intent reload with a broken file reports file:line: key and keeps answering."""
    mod = await moderator(run)
    bad = run.folder / "intents" / "zz-broken.yaml"
    bad.write_text("version: 1\nintents:\n  - id: x\n    section: mars\n", encoding="utf-8")
    result = await run.fake.run_slash("intent reload", user=mod)
    assert "zz-broken.yaml:4: x.section: unknown section 'mars'" in (result.content or "")
    assert str(run.folder) not in (result.content or "")
    _, reply = await run.ask("turky coup")
    assert "Turkey" in quote_of(reply["embeds"][0])


async def test_unanswered_make_intent_prefills_the_modal(run: Running) -> None:
    """/unanswered lists missed questions; Make intent opens the modal prefilled with one."""
    await run.ask("who won the chess olympiad in 2016?")
    mod = await moderator(run)
    listed = await run.fake.run_slash("unanswered", user=mod)
    assert "who won the chess olympiad in 2016?" in (listed.content or "")
    assert listed.message is not None
    button = next(c for c in custom_ids(listed.message) if c.startswith("ab:mk:"))
    opened = await run.fake.click(listed.message, button, user=mod)
    assert opened.type == 9
    fields = {
        c["custom_id"]: c.get("value")
        for row in opened.data["components"]
        for c in row["components"]
    }
    assert fields["examples"] == "who won the chess olympiad in 2016?"


async def test_moderator_button_rechecks_permission(run: Running) -> None:
    """A Make intent button posted to a moderator refuses them once they lost the role."""
    await run.ask("what is the capital of peru?")
    user = run.fake.add_user("temp-mod")
    run.fake.add_member(user, roles=["Moderator"])
    listed = await run.fake.run_slash("unanswered", user=user)
    assert listed.message is not None
    button = next(c for c in custom_ids(listed.message) if c.startswith("ab:mk:"))
    run.fake.guild.members[user.id].roles = []
    clicked = await run.fake.click(listed.message, button, user=user)
    assert clicked.type == 4 and clicked.ephemeral and "moderators" in (clicked.content or "")


async def test_stats_quote_sections_and_ask(run: Running) -> None:
    """/stats counts answers and votes; /quote, /sections and ephemeral /ask work."""
    _, reply = await run.ask("aleppo")
    await run.fake.click(reply, next(c for c in custom_ids(reply) if c.endswith(":up")))
    stats = await run.fake.run_slash("stats", user=await moderator(run))
    shown = await stats.wait_followup(timeout=30)  # deferred: the chart is drawn meanwhile
    fields = {f["name"]: f["value"] for f in shown["embeds"][0]["fields"]}
    assert fields["Turns"] == "1" and fields["Feedback"].startswith("👍 1")
    quote = await run.fake.run_slash("quote", {"paragraph": 5})
    assert quote_of(quote.embeds[0]) in ARTICLE and "¶5" in quote.embeds[0]["title"]
    outline = await run.fake.run_slash("sections")
    assert "`what-russia-gains`" in outline.embeds[0]["description"]
    asked = await run.fake.run_slash("ask", {"question": "turky coup", "ephemeral": True})
    assert asked.ephemeral and "Turkey" in quote_of(asked.embeds[0])
    missing = await run.fake.run_slash("quote", {"paragraph": 99})
    assert missing.ephemeral and "no ¶99" in (missing.content or "")


async def test_rejected_reload_is_posted_to_the_log_channel(tmp_path: Path) -> None:
    """A broken intent file found by the watcher is reported in the moderators' log channel."""
    settings = "  log_channel: '{channel_id}'\n"
    async with running_bot(tmp_path, settings) as run:
        bad = run.folder / "intents" / "zz-broken.yaml"
        bad.write_text("version: 1\nintents:\n  - id: x\n    section: mars\n", encoding="utf-8")
        with pytest.raises(IntentError):
            await run.bot.services.app.watcher.reload("test")
        posted = await run.fake.wait_for_bot_message(lambda m: "rejected" in m.get("content", ""))
        assert "zz-broken.yaml:4: x.section: unknown section 'mars'" in posted["content"]
        assert str(bad.parent) not in posted["content"]
        assert posted["allowed_mentions"] == {"parse": []}
        assert run.app.knowledge.intents.get("turkey-coup") is not None


async def test_failed_command_sync_does_not_stop_the_bot(tmp_path: Path) -> None:
    """If Discord refuses the command sync, the bot still starts and answers mentions."""
    async with FakeDiscord() as fake:
        fake.fail_next("PUT", r"^/applications/\d+/commands$", status=503)
        with fake.patch_client():
            app = await build_app(write_config(tmp_path, fake, ""))
            bot = build_bot(app, guild_ready_timeout=0.01)
            task = asyncio.create_task(bot.start("test-token"))
            try:
                await asyncio.wait_for(bot.wait_until_ready(), 10)
                sent = await fake.send_message(
                    fake.default_user, f"{fake.bot_user.mention} turky coup"
                )
                reply = await fake.wait_for_bot_message(
                    lambda m: (m.get("message_reference") or {}).get("message_id") == sent["id"]
                )
                assert "Turkey" in quote_of(reply["embeds"][0])
                assert not task.done()
            finally:
                await bot.close()
                await asyncio.wait_for(task, 5)
                await app.store.close()
