"""The terminal front ends: commands, "did you mean" numbers, quit words, bad lines, old state."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path
from typing import Any, cast

import pytest

from bot.commands import Session
from bot.core.knowledge import Knowledge
from bot.core.replies import ReplyKind, State
from bot.messages import UNSAVED
from bot.service import ChatService
from bot.store.records import ConversationKey, TurnRecord
from bot.store.sqlite import Store
from tests.helpers import ROOT, cli, own_config_file

# Seconds each: processes, signals and timeouts (`make test-fast` leaves them out).
pytestmark = pytest.mark.slow

ALICE = ConversationKey("g", "c", "alice")
BOT = (sys.executable, "-m", "bot")
CONFIG = own_config_file()
ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}


async def test_state_from_another_article_is_dropped(tmp_path: Path, knowledge: Knowledge) -> None:
    """A stored state naming a section this article lacks starts a fresh conversation."""
    path = tmp_path / "x.db"
    async with await Store.open(path) as store:
        record = TurnRecord(ALICE, "old", "answer", None, "no-such-section", 90.0, True)
        await store.record_turn(record, State(None, "no-such-section", 12))
    async with await Store.open(path) as store:
        service = ChatService(knowledge, store, expiry_minutes=30)
        more = await service.ask(ALICE, "tell me more")
        assert more.reply.kind is ReplyKind.SMALLTALK and not more.reply.answered
        why = await service.ask(ALICE, "why?")
        assert why.reply.kind is ReplyKind.SMALLTALK
        button = await service.more(ALICE, State(None, "no-such-section", 0))
        assert button.reply.kind is ReplyKind.SMALLTALK
        answer = await service.ask(ALICE, "turky coup")
        assert answer.reply.answered and answer.reply.section_id == "turkey-coup"


# --- one place reads every line: Session, in process over a real SQLite file ----------------


@pytest.fixture
async def service(tmp_path: Path, knowledge: Knowledge) -> AsyncIterator[ChatService]:
    """A chat service over the shipped intents and a fresh SQLite file."""
    async with await Store.open(tmp_path / "x.db") as store:
        yield ChatService(knowledge, store, expiry_minutes=30)


async def logged_questions(service: ChatService) -> list[str]:
    """The questions of the logged turns, oldest first."""
    return [t.question for t in reversed(await service.store.recent_turns())]


async def test_a_number_picks_the_pending_choice(service: ChatService) -> None:
    """After an ambiguous reply, "2" answers with its second choice; then "2" is a question."""
    session = Session(service, ALICE, interactive=False)
    asked = await session.handle("the games")
    assert asked.kind == "ambiguous" and "\n2. " in asked.text
    second = session.pending[1].intent_id
    picked = await session.handle(" 2 ")
    assert picked.turn is not None and picked.turn.reply.intent_id == second
    assert picked.turn.reply.answered and not session.pending
    await session.handle("2")
    assert await logged_questions(service) == ["the games", f"[chose {second}]", "2"]


async def test_a_number_out_of_range_keeps_the_choices(service: ChatService) -> None:
    """A number past the choices says which to type, and the choices stay pending."""
    session = Session(service, ALICE, interactive=False)
    await session.handle("the games")
    count = len(session.pending)
    hint = await session.handle("9")
    assert hint.kind == "command" and f"from 1 to {count}" in hint.text and hint.turn is None
    picked = await session.handle("1")
    assert picked.turn is not None and picked.turn.reply.answered


async def test_a_number_with_no_choices_pending_is_a_question(service: ChatService) -> None:
    """With no "did you mean" pending, a bare number is asked like any question."""
    outcome = await Session(service, ALICE, interactive=False).handle("1")
    assert outcome.turn is not None
    assert await logged_questions(service) == ["1"]


COMMAND_LINES = [
    ("/sections", "command", "`turkey-coup` The failed coup in Turkey"),
    ("/summary turky coup", "command", "**The failed coup in Turkey**"),
    ("/summary ¶4", "command", "**Lavrov on the Olympics**"),
    ("/SUMMARY", "command", "**Summary of “Tango and a Bloodbath"),
    ("/help", "command", "Commands: /summary [section]  /sections  /more  /help  /quit"),
    ("/foo bar", "unknown_command", "Unknown command /foo. Commands: /summary [section]"),
    ("/summary kerry", "error", "There is no section called `kerry`"),
    ("/summary 12", "error", "The article has paragraphs 1 to 7; there is no ¶12."),
    ("/more", "smalltalk", "Ask me something about the article first"),
    ("quit", "command", "/quit leaves the chat"),
    ("Exit", "command", "/quit leaves the chat"),
    ("q", "command", "/quit leaves the chat"),
]


@pytest.mark.parametrize(("line", "kind", "text"), COMMAND_LINES)
async def test_commands_have_their_command_meaning(
    service: ChatService, line: str, kind: str, text: str
) -> None:
    """Slash commands run, an unknown one lists the commands, quit words are not questions."""
    outcome = await Session(service, ALICE, interactive=False).handle(line)
    assert (outcome.kind, outcome.quit) == (kind, False)
    assert text in outcome.text
    expected_log = ["more"] if line == "/more" else []
    assert await logged_questions(service) == expected_log


@pytest.mark.parametrize("line", ["quit", "EXIT", " q ", "/quit", "/exit"])
async def test_quit_words_end_the_interactive_chat(service: ChatService, line: str) -> None:
    """In the interactive chat a bare quit word ends the chat like /quit, asking nothing."""
    outcome = await Session(service, ALICE, interactive=True).handle(line)
    assert outcome.quit and outcome.turn is None
    assert await logged_questions(service) == []


# --- the command line, run as a user would: a real subprocess, real files --------------------


def chat(db: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """Run ``article-bot chat ARGS --db DB --config config.yaml`` on ``stdin`` (bytes: the
    tests feed it bad UTF-8, which ``tests.helpers.cli``, in text mode, cannot send)."""
    return subprocess.run(
        [*BOT, "chat", *args, "--db", str(db), "--config", str(CONFIG)],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
        env=ENV,
    )


def rows(run: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    """The JSON objects a ``chat --json`` run printed, one a line."""
    assert run.returncode == 0, run.stderr.decode()
    return [json.loads(line) for line in run.stdout.decode().splitlines()]


def test_interactive_chat_picks_by_number_and_a_bare_quit_ends_it(tmp_path: Path) -> None:
    """The terminal chat numbers the choices, "1" answers the first, and "quit" ends the chat."""
    run = chat(tmp_path / "x.db", stdin=b"the games\n1\nquit\nturky coup\n")
    assert run.returncode == 0, run.stderr.decode()
    out = run.stdout.decode()
    assert "Did you mean:\n1. " in out and "\n2. " in out and "Type a number" in out
    with closing(sqlite3.connect(tmp_path / "x.db")) as db:
        questions = [q for (q,) in db.execute("SELECT question FROM turns ORDER BY id")]
    assert len(questions) == 2 and questions[0] == "the games"  # "turky coup" came after quit
    assert questions[1].startswith("[chose ")


def test_chat_json_picks_by_number(tmp_path: Path) -> None:
    """In chat --json a bare number after an ambiguous reply picks that choice, once."""
    first, picked, again = rows(chat(tmp_path / "x.db", "--json", stdin=b"the games\n2\n2\n"))
    assert first["kind"] == "ambiguous" and len(first["suggestions"]) >= 2
    assert picked["answered"] and picked["intent"] == first["suggestions"][1]["intent"]
    assert again["intent"] != picked["intent"] or not again["answered"]


def test_json_commands_keep_every_reply_key(tmp_path: Path) -> None:
    """chat --json and ask --json run commands, with every key an answer has, and go on."""
    lines = b"turky coup\n/sections\n/summary olympics\n/help\n/foo\nquit\n/summary kerry\naleppo\n"
    answer, *commands, last = rows(chat(tmp_path / "x.db", "--json", stdin=lines))
    assert [c["kind"] for c in commands] == [
        "command",
        "command",
        "command",
        "unknown_command",
        "command",
        "error",
    ]
    assert all(c.keys() == answer.keys() for c in commands)
    assert commands[1]["section"] == "lavrov-and-olympics" and commands[1]["turn_id"] is None
    assert commands[3]["reply"].startswith("Unknown command /foo. Commands: /summary")
    assert "/quit leaves the chat" in commands[4]["reply"] and last["answered"]
    asked = cli("ask", "/foo", "--json", "--db", str(tmp_path / "x.db"))
    unknown = json.loads(asked.stdout)
    assert unknown["kind"] == "unknown_command" and unknown.keys() == answer.keys()


def test_ask_runs_a_command_and_fails_on_a_bad_one(tmp_path: Path) -> None:
    """ask "/summary p5" prints the section's summary; ask "/summary kerry" exits 1."""
    db = str(tmp_path / "x.db")
    good, bad = (cli("ask", question, "--db", db) for question in ("/summary p5", "/summary kerry"))
    assert good.returncode == 0 and good.stdout.startswith("**The failed coup in Turkey**")
    assert bad.returncode == 1 and "no section called `kerry`" in bad.stdout


def test_chat_json_answers_each_unreadable_line_with_one_error(tmp_path: Path) -> None:
    """Bad UTF-8, a 100k-character line and a NUL byte each get one error object; chat goes on."""
    lines = [b"hello", b"caf\xe9 \xff", b"x" * 100_000, b"he\x00llo", b"turky coup"]
    got = rows(chat(tmp_path / "x.db", "--json", stdin=b"\n".join(lines) + b"\n"))
    assert [r["kind"] for r in got] == ["smalltalk", "error", "error", "error", "answer"]
    assert all(r.keys() == got[-1].keys() for r in got)
    assert "UTF-8" in got[1]["reply"] and "longer than" in got[2]["reply"]
    assert "NUL" in got[3]["reply"]


def test_chat_json_answers_a_turn_it_cannot_save_and_goes_on(tmp_path: Path) -> None:
    """A turn whose write fails (the database held locked by another process past the busy
    timeout) is still answered, saying it was not saved; once the lock is gone, turns are saved
    again."""
    db = tmp_path / "x.db"
    proc = subprocess.Popen(
        [*BOT, "chat", "--json", "--db", str(db), "--config", str(CONFIG)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=ENV,
    )
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None

    def turn(line: bytes) -> dict[str, Any]:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(line + b"\n")
        proc.stdin.flush()
        return cast(dict[str, Any], json.loads(proc.stdout.readline()))

    try:
        assert turn(b"hello")["kind"] == "smalltalk"  # the database exists and is migrated
        lock = sqlite3.connect(db, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        failed = turn(b"turky coup")
        lock.execute("ROLLBACK")
        lock.close()
        after = turn(b"turky coup")
        proc.stdin.close()
        assert proc.wait(30) == 0
    finally:
        watchdog.cancel()
        proc.kill()
    assert failed["kind"] == "answer" and failed["answered"] and failed["saved"] is False
    assert failed["turn_id"] is None and failed["reply"].endswith(UNSAVED)
    assert failed.keys() == after.keys() and after["answered"] and after["saved"]
    assert isinstance(after["turn_id"], int) and UNSAVED not in after["reply"]
    stderr = proc.stderr.read().decode()
    assert "turn not saved" in stderr and "database is locked" in stderr
    assert "Traceback" not in stderr
