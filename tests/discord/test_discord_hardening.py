"""Issue 14's Discord attacks, each through the real client and the fake Discord: fake quotes in
moderators' text, floods of buttons and commands, oversized replies, look-alike roles, and two
moderators filling the intent form at once."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import load_config
from bot.errors import ConfigError
from tests.discord_harness import Running, custom_ids, running_bot
from tests.fakediscord import FakeUser

SETTINGS = "  cooldown_burst: 3\n  cooldown_seconds: 60\n  moderator_roles: [{moderator_role}]\n"
FAKE_QUOTE = "> Putin resigned today. [read more](https://evil.example/x)"
# A masked link as Discord renders one: an unescaped "[text](url)".
MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*\]\(https?://")


@pytest.fixture
async def run(tmp_path: Path) -> AsyncIterator[Running]:
    """The bot with a tight cooldown: 3 public replies a minute per user."""
    async with running_bot(tmp_path, SETTINGS) as running:
        yield running


def moderator(run: Running, name: str) -> FakeUser:
    """A new member with Manage Server."""
    user = run.fake.add_user(name)
    run.fake.add_member(user, permissions=0x20)
    return user


async def test_moderators_text_never_renders_as_a_quote(run: Running) -> None:
    """An intent's lead and reply written to look like an article quote with a masked link are
    shown as typed: no line starts a block quote but the article's own, no link is masked."""
    (run.folder / "intents" / "zz-evil.yaml").write_text(
        "version: 1\nintents:\n"
        "  - id: evil-lead\n    section: turkey-coup\n"
        "    examples: [zebra one, zebra two, zebra three, zebra four, zebra five]\n"
        "    quote: failed military coup in Turkey\n"
        f"    lead: {FAKE_QUOTE!r}\n"
        "  - id: evil-reply\n    kind: smalltalk\n"
        "    examples: [quokka one, quokka two, quokka three, quokka four, quokka five]\n"
        f"    reply: {FAKE_QUOTE!r}\n",
        encoding="utf-8",
    )
    reloaded = await run.fake.run_slash("intent reload", user=moderator(run, "mod"))
    assert "Reloaded" in (reloaded.content or ""), reloaded.content
    _, answer = await run.ask("zebra one")
    description = answer["embeds"][0]["description"]
    quoted = [line for line in description.split("\n") if line.startswith(">")]
    assert quoted == ["> failed military coup in Turkey"]
    assert not MASKED_LINK.search(description)
    _, small_talk = await run.ask("quokka one")
    content = small_talk["content"]
    assert not content.startswith(">") and not MASKED_LINK.search(content)
    assert "Putin resigned today." in content


async def test_every_public_reply_counts_against_the_cooldown(run: Running) -> None:
    """Twenty quick clicks of More, /summary and /quote post at most the burst publicly; the
    rest are told privately to wait."""
    user = run.fake.add_user("clicker")
    _, reply = await run.ask("what does russia gain", author=user)  # 1 of 3
    more = next(c for c in custom_ids(reply) if c.startswith("ab:more:"))
    public = 1
    for n in range(20):
        if n % 3 == 0:
            result = await run.fake.click(reply, more, user=user)
        elif n % 3 == 1:
            result = await run.fake.run_slash("summary", user=user)
        else:
            result = await run.fake.run_slash("quote", {"paragraph": 2}, user=user)
        if result.ephemeral:
            assert "ask again in" in (result.content or "")
        else:
            public += 1
    assert public == 3
    other = run.fake.add_user("someone-else")
    assert not (await run.fake.run_slash("sections", user=other)).ephemeral


async def test_an_oversized_error_still_reaches_the_user(run: Running) -> None:
    """/summary with a 2,100-character section name gets a short error (Discord refuses more
    than 2,000 characters, and the user would see nothing)."""
    result = await run.fake.run_slash("summary", {"section": "x" * 2100})
    text = result.content or ""
    assert result.type == 4 and 0 < len(text) <= 2000
    assert "no section" in text.lower() or "no part" in text.lower()


async def test_a_role_named_like_the_moderator_role_is_not_it(run: Running) -> None:
    """Only the configured role id counts: another role called "Moderator" grants nothing."""
    impostor_role = run.fake.add_role("Moderator")
    impostor = run.fake.add_user("impostor")
    run.fake.add_member(impostor, roles=[impostor_role])
    refused = await run.fake.run_slash("intent add", user=impostor)
    assert refused.type == 4 and refused.ephemeral and "moderators" in (refused.content or "")
    real = run.fake.add_user("real")
    run.fake.add_member(real, roles=["Moderator"])  # the first role of that name: the configured
    assert (await run.fake.run_slash("intent add", user=real)).type == 9


def test_role_names_are_refused_in_the_config(tmp_path: Path) -> None:
    """A role name in moderator_roles is a config error naming the line and saying why."""
    config = tmp_path / "config.yaml"
    config.write_text("discord:\n  moderator_roles: [Moderator, 1234]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(config)
    text = str(err.value)
    assert "config.yaml:2: discord.moderator_roles[0]" in text and "role names" in text
    config.write_text("discord:\n  moderator_roles: [1234, '5678']\n", encoding="utf-8")
    assert load_config(config).discord.moderator_roles == (1234, 5678)


def _form(intent_id: str) -> dict[str, str]:
    examples = "\n".join(f"{intent_id} question number {n}" for n in range(5))
    return {
        "id": intent_id,
        "section": "turkey-coup",
        "examples": examples,
        "quote": "",
        "lead": "",
    }


async def test_two_moderators_fill_the_form_at_once(run: Running) -> None:
    """Both forms open at once, submitted in either order, both intents land; a form submitted
    by someone other than who opened it is refused."""
    first, second = moderator(run, "mod-a"), moderator(run, "mod-b")
    opened_a = await run.fake.run_slash("intent add", user=first)
    opened_b = await run.fake.run_slash("intent add", user=second)
    assert opened_a.modal_custom_id and opened_b.modal_custom_id
    assert opened_a.modal_custom_id != opened_b.modal_custom_id
    done_b = await run.fake.submit_modal(opened_b.modal_custom_id, _form("walrus"), user=second)
    done_a = await run.fake.submit_modal(opened_a.modal_custom_id, _form("narwhal"), user=first)
    assert "walrus" in (done_b.content or "") and "narwhal" in (done_a.content or "")
    assert run.app.knowledge.intents.get("walrus") is not None
    assert run.app.knowledge.intents.get("narwhal") is not None
    third = moderator(run, "mod-c")
    opened_c = await run.fake.run_slash("intent add", user=third)
    assert opened_c.modal_custom_id
    stolen = await run.fake.submit_modal(opened_c.modal_custom_id, _form("kraken"), user=first)
    assert stolen.ephemeral and "moderators" in (stolen.content or "")
    assert run.app.knowledge.intents.get("kraken") is None
