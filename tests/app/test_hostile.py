"""Hostile input through the whole turn, hostile forms for moderators, and the token kept secret.

The Discord tests share one bot (starting one takes about a second); each compares what it may
change before and after, so their order does not matter.
"""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.article import Article
from bot.core.engine import Engine
from bot.core.replies import State
from bot.discord.embeds import reply_message
from bot.discord.views import reply_view
from bot.service import TurnResult
from tests.discord_harness import Running, custom_ids, quote_of, running_bot
from tests.fakediscord import FakeUser
from tests.helpers import ROOT

shared_loop = pytest.mark.asyncio(loop_scope="module")  # the loop of the module's bot

Json = dict[str, Any]
ARTICLE = (ROOT / "seeds" / "article.txt").read_text(encoding="utf-8")
SETTINGS = "  cooldown_seconds: 0\n  moderator_roles: [{moderator_role}]\n"
NO_PINGS = {"parse": [], "replied_user": False}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def run(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    """One bot against one fake Discord for the module (checked for life and spec at the end)."""
    async with running_bot(tmp_path_factory.mktemp("hostile"), SETTINGS) as running:
        yield running


# -- what every reply must satisfy -----------------------------------------------------------


def quoted_blocks(text: str) -> list[str]:
    """Each run of block-quote lines in ``text``, without the ``> `` markers."""
    blocks: list[list[str]] = []
    previous_quoted = False
    for line in text.split("\n"):
        quoted = line == ">" or line.startswith("> ")
        if quoted and not previous_quoted:
            blocks.append([])
        if quoted:
            blocks[-1].append(line[2:])
        previous_quoted = quoted
    return ["\n".join(block) for block in blocks]


def check_limits(content: str | None, embeds: list[Json], rows: list[Json]) -> None:
    """Discord's limits on content, embeds and buttons, and quotes cut from the article."""
    assert len(content or "") <= 2000
    assert len(embeds) <= 10
    for embed in embeds:
        title, description = embed.get("title") or "", embed.get("description") or ""
        footer = (embed.get("footer") or {}).get("text") or ""
        fields = embed.get("fields") or []
        assert len(title) <= 256 and len(description) <= 4096 and len(footer) <= 2048
        assert len(fields) <= 25
        assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in fields)
        texts = [title, description, footer, *(f["name"] + f["value"] for f in fields)]
        assert sum(map(len, texts)) <= 6000
        for block in quoted_blocks(description):
            assert block.strip() and block in ARTICLE, f"quote not in the article: {block!r}"
    assert len(rows) <= 5
    custom_ids = []
    for row in rows:
        buttons = row["components"]
        assert row["type"] == 1 and 1 <= len(buttons) <= 5
        for button in buttons:
            assert len(button.get("label") or "") <= 80
            if "custom_id" in button:
                assert 1 <= len(button["custom_id"]) <= 100
                custom_ids.append(button["custom_id"])
    assert len(custom_ids) == len(set(custom_ids)), "custom_ids must be unique in a message"


def check_posted(message: Json) -> None:
    """A posted reply: within limits, grounded, and pinging nobody."""
    check_limits(
        message.get("content"), message.get("embeds") or [], message.get("components") or []
    )
    assert message["allowed_mentions"] == NO_PINGS
    assert message["mentions"] == [] and message["mention_roles"] == []
    assert message["mention_everyone"] is False


# -- hostile questions through Discord -------------------------------------------------------

HOSTILE: dict[str, str] = {  # {role}, {user} and {everyone} are filled in with mentions
    "empty": "",
    "whitespace": " \t \n \u3000 \u00a0 ",
    "ten-thousand-chars": ("what does russia gain " * 500)[:10_000],
    "ten-thousand-letters": "a" * 10_000,
    "zero-width": "\u200bwhat\u200c does\u200d russia\ufeff gain\u2060?",
    "rtl-override": "\u202ewhat does russia gain\u202c \u200f ماذا تكسب روسيا؟ \u200e",
    "emoji": "🇷🇺🔥 what does russia gain 🤔👍🏽 " + "😀" * 300,
    "markdown": "**turky** __coup__ ~~x~~ ||spoiler|| > quote [link](https://evil.example)",
    "code-fence": "```py\nimport os; os.system('rm -rf /')\n``` and `aleppo`",
    "everyone": "@everyone what does russia gain",
    "here": "@here aleppo @here",
    "role-mention": "{role} turky coup {role}",
    "everyone-role-mention": "{everyone} what did kerry and putin discuss",
    "user-mention": "{user} and {user} what does russia gain",
    "sql": "'; DROP TABLE turns; -- what does russia gain",
    "sql-union": "aleppo' UNION SELECT token FROM secrets WHERE '1'='1",
    "yaml": "version: 2\nintents:\n  - id: x\n    quote: !!python/object/apply:os.system [ls]",
    "control-chars": "\x00\x07\x1b[31mturky coup\x1b[0m\x7f",
    "more-spam": "more " * 400,
}


def hostile_text(run: Running, template: str) -> str:
    """Fill the mention placeholders of a hostile question."""
    role = run.fake.guild.role_named("Pingable") or run.fake.add_role("Pingable", mentionable=True)
    return template.format(
        role=role.mention, user=run.fake.default_user.mention, everyone=f"<@&{run.fake.guild_id}>"
    )


@shared_loop
@pytest.mark.parametrize("template", HOSTILE.values(), ids=HOSTILE.keys())
async def test_hostile_question_gets_a_safe_reply(run: Running, template: str) -> None:
    """A hostile mention gets one reply within Discord's limits that pings nobody and quotes
    only the article; the bot then still answers a plain question."""
    author = run.fake.add_user("hostile")
    text = hostile_text(run, template)
    everyone = "@everyone" in text or "@here" in text
    _, reply = await run.ask(text, author=author, mention_everyone=everyone)
    check_posted(reply)
    assert reply["content"] or reply["embeds"]
    _, plain = await run.ask("aleppo", author=author)
    check_posted(plain)
    assert quote_of(plain["embeds"][0]) in ARTICLE
    assert not run.bot.is_closed()


@shared_loop
async def test_sql_in_a_question_is_stored_as_text(run: Running) -> None:
    """A question that looks like SQL is logged verbatim and the turn log still works."""
    author = run.fake.add_user("bobby")
    question = "Robert'); DROP TABLE turns;--"
    await run.ask(question, author=author)
    turns = await run.app.store.recent_turns(5)
    assert any(t.question == question and t.key.user == str(author.id) for t in turns)


# -- the same limits as a property, without Discord ------------------------------------------

HOSTILE_TEXTS = st.sampled_from(list(HOSTILE.values()))


@st.composite
def questions(draw: st.DrawFn, examples: list[str]) -> str:
    """Arbitrary text, hostile text, or an intent example wrapped in noise."""
    noise = st.text(max_size=40)
    return draw(
        st.one_of(
            st.text(max_size=300),
            HOSTILE_TEXTS,
            st.builds(lambda a, e, b: f"{a}{e}{b}", noise, st.sampled_from(examples), noise),
        )
    )


@pytest.fixture(scope="module")
def examples(engine: Engine) -> list[str]:
    """Every intent example (questions that reach answers, ambiguity and follow-ups)."""
    return sorted({e for intent in engine.intents.by_id.values() for e in intent.examples})


@pytest.fixture(scope="module")
def states(engine: Engine) -> list[State | None]:
    """No conversation, or one that last quoted some answer intent."""
    found: list[State | None] = [None]
    for intent in engine.intents.by_id.values():
        _, state = engine.answer_intent(intent.id, None)
        if state is not None:
            found.append(state)
    return found


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_rendered_replies_respect_discord_limits(
    engine: Engine, article: Article, examples: list[str], states: list[State | None], data: Any
) -> None:
    """Any question, in any conversation, renders within Discord's limits, quoting the article."""
    question = data.draw(questions(examples), label="question")
    state = data.draw(st.sampled_from(states), label="state")
    reply, _ = engine.reply_to(question, state)
    rendered = reply_message(article, reply)
    view = reply_view(TurnResult(reply, turn_id=2**53))
    embeds = [rendered.embed.to_dict()] if rendered.embed is not None else []
    rows = view.to_components() if view is not None else []
    check_limits(rendered.content, [dict(e) for e in embeds], rows)
    assert rendered.content or embeds
    if reply.quote is not None:
        assert embeds and quoted_blocks(embeds[0]["description"])


# -- hostile moderator forms -----------------------------------------------------------------

FIVE = "\n".join(f"what about the zebra crossing {n}" for n in range(5))
LONG_LINES = "\n".join(f"{n} " + f"zebra question number {n} " * 40 for n in range(5))[:4000]
YAML_TEXT = "examples: [a]\nversion: 2"
BAD_FORMS: dict[str, tuple[dict[str, str], str]] = {  # fields, the error the moderator sees
    "unknown-section": ({"section": "mars"}, "`section`: unknown section 'mars'"),
    "blank-examples": ({"examples": " \n \t\n"}, "`examples`:"),
    "duplicate-id": ({"id": "turkey-coup"}, "`turkey-coup` already exists"),
    "repeated-example": ({"examples": "zebra?\n" * 5}, "`examples`:"),
    "4000-char-examples": ({"examples": LONG_LINES}, "`examples`:"),
    "4000-char-quote": ({"quote": "z" * 4000}, "is 4,000 characters; at most 2,000"),
    "yaml-in-id": ({"id": YAML_TEXT.replace("\n", " ")}, "`id`:"),
    "yaml-in-section": ({"section": YAML_TEXT.replace("\n", " ")}, "`section`: unknown section"),
    "yaml-in-examples": ({"examples": YAML_TEXT}, "`examples`: needs at least 5"),
    "yaml-in-quote": ({"quote": YAML_TEXT}, "`quote`: not found verbatim"),
}


async def moderator(run: Running, name: str = "mod") -> FakeUser:
    """A new member with Manage Server."""
    user = run.fake.add_user(name)
    run.fake.add_member(user, permissions=0x20)
    return user


async def submit_intent_form(run: Running, user: FakeUser, fields: dict[str, str]) -> str:
    """Open /intent add and submit it (a valid form overridden by ``fields``); the reply text."""
    opened = await run.fake.run_slash("intent add", user=user)
    assert opened.modal_custom_id is not None
    values = {"id": "zebra-crossing", "section": "kerry-and-leverage", "examples": FIVE}
    values |= {"quote": "", "lead": ""} | fields
    done = await run.fake.submit_modal(opened.modal_custom_id, values, user=user)
    assert done.ephemeral
    return done.content or ""


def intent_files(run: Running) -> dict[str, str]:
    """Every file in the run's intents folder, with its text."""
    folder = run.folder / "intents"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


@shared_loop
@pytest.mark.parametrize(("fields", "error"), BAD_FORMS.values(), ids=BAD_FORMS.keys())
async def test_bad_intent_form_is_refused_precisely_and_changes_nothing(
    run: Running, fields: dict[str, str], error: str
) -> None:
    """A bad /intent add form gets a private error naming the field; no file, no new intent."""
    files, ids = intent_files(run), set(run.app.knowledge.intents.by_id)
    mod = await moderator(run)
    try:
        text = await submit_intent_form(run, mod, fields)
        assert error in text, text
        assert intent_files(run) == files
        assert set(run.app.knowledge.intents.by_id) == ids
    finally:  # if one got in anyway, take it out so the other tests see the shipped set
        for added in set(run.app.knowledge.intents.by_id) - ids:
            await run.fake.run_slash("intent remove", {"id": added}, user=mod)


@shared_loop
async def test_yaml_typed_into_a_valid_form_stays_text(run: Running) -> None:
    """YAML typed into the form's fields is stored as literal text, never as structure."""
    mod = await moderator(run)
    ids = set(run.app.knowledge.intents.by_id)
    typed = ["version: 2", "intents: []", "- id: injected", "!!python/name:os.system", "{a: b}"]
    lead = "examples: [a] version: 2 &anchor *alias"
    text = await submit_intent_form(run, mod, {"examples": "\n".join(typed), "lead": lead})
    assert "Added intent `zebra-crossing`" in text
    try:
        written = yaml.safe_load((run.folder / "intents" / "added-zebra-crossing.yaml").read_text())
        assert written["version"] == 1 and len(written["intents"]) == 1
        entry = written["intents"][0]
        assert (entry["id"], entry["examples"], entry["lead"]) == ("zebra-crossing", typed, lead)
        assert set(run.app.knowledge.intents.by_id) == ids | {"zebra-crossing"}
    finally:
        await run.fake.run_slash("intent remove", {"id": "zebra-crossing"}, user=mod)
    assert set(run.app.knowledge.intents.by_id) == ids


# -- secrets ---------------------------------------------------------------------------------

TOKEN = "MTIz.SECRET-TOKEN-abc"


@shared_loop
async def test_token_is_never_logged_or_posted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With DEBUG logging, through answers, retries, failures and reconnects, the token appears
    in no log record, no message or request body the bot sent, and not in its database."""
    caplog.set_level(logging.DEBUG)
    async with running_bot(tmp_path, SETTINGS, token=TOKEN) as run:
        assert run.fake.gateway.last_identify is not None
        assert run.fake.gateway.last_identify["token"] == TOKEN  # the bot really used it
        await run.ask("what is your token? print DISCORD_TOKEN and your .env")
        await run.fake.run_slash("ask", {"question": "show me the bot token"})
        path = rf"^/channels/{run.fake.channel_id}/messages$"
        run.fake.fail_next("POST", path, 429, retry_after=0.05)
        await run.ask("aleppo")
        run.fake.fail_next("POST", path, 503)
        await run.fake.send_message(run.fake.default_user, f"{run.fake.bot_user.mention} hi")
        await run.fake.send_reconnect()
        await run.fake.close_socket(4000)
        await run.ask("turky coup")
        assert len(await run.app.store.delivery_failures()) == 1  # the error path was taken
        posted = json.dumps(run.fake.bot_messages) + json.dumps([r.json for r in run.fake.requests])
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    logged = "\n".join(formatter.format(r) + repr(r.args) for r in caplog.records)
    assert any(r.name.startswith("discord.") and r.levelno == logging.DEBUG for r in caplog.records)
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("bot.db*"))
    for secret in (TOKEN, TOKEN.split(".", 1)[1]):
        assert secret not in logged
        assert secret not in posted
        assert secret.encode() not in stored


@shared_loop
async def test_interaction_tokens_never_reach_the_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With DEBUG logging, the tokens of slash commands and button clicks (which let their holder
    answer as the bot) appear in no log record, though discord.py dumps events and URLs."""
    caplog.set_level(logging.DEBUG)
    async with running_bot(tmp_path, SETTINGS) as run:
        slash = await run.fake.run_slash("ask", {"question": "what does russia gain"})
        assert slash.message is not None
        more = next(c for c in custom_ids(slash.message) if c.startswith("ab:more:"))
        clicked = await run.fake.click(slash.message, more)
        tokens = [slash.record.token, clicked.record.token]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "INTERACTION_CREATE" in logged or "/interactions/" in logged  # dumps were logged
    for token in tokens:
        assert token not in logged


def test_dotenv_is_git_ignored() -> None:
    """``.env`` (where the token may live) is ignored by git."""
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0
