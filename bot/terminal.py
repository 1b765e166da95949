"""The terminal front end: interactive chat, the JSON-lines protocol, one-shot questions."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import shutil
import sys
import textwrap
from collections.abc import Iterator
from typing import Any, BinaryIO, TextIO

from bot.commands import COMMANDS, LineKind, Outcome, Session
from bot.core.article import Article, location
from bot.core.plaintext import reply_text
from bot.messages import GENERIC
from bot.service import ChatService, TurnResult
from bot.store.records import ConversationKey

log = logging.getLogger(__name__)
PROMPT = "you> "
BOLD = re.compile(r"\*\*(.+?)\*\*")
# ``chat --json`` skips longer lines; a 10,000-character paste fits, even of 3-byte characters.
MAX_LINE_BYTES = 32 * 1024


def reply_json(
    article: Article, result: TurnResult, *, rendered: str | None = None
) -> dict[str, Any]:
    """Return one turn as the JSON object ``chat --json`` and ``ask --json`` print
    (``rendered``: its reply text, when the caller has it already)."""
    reply = result.reply
    section = article.section(reply.section_id) if reply.section_id else None
    quote = reply.quote
    return {
        "kind": reply.kind.value,
        "answered": reply.answered,
        "intent": reply.intent_id,
        "section": reply.section_id,
        "section_title": section.title if section else None,
        "paragraphs": list(quote.paragraphs) if quote else [],
        "location": location(quote, section) if quote and section else "",
        "score": reply.score,
        "quote": quote.text if quote else "",
        "lead": reply.lead or "",
        "reply": reply_text(article, reply) if rendered is None else rendered,
        "suggestions": [{"intent": s.intent_id, "label": s.label} for s in reply.suggestions],
        "continued": reply.continued,
        "turn_id": result.turn_id if result.saved else None,
        "saved": result.saved,
    }


def line_json(article: Article, outcome: Outcome) -> dict[str, Any]:
    """Return one line's outcome as JSON: a turn as ``reply_json``; a command, or an error, with
    every key a reply has (empty but for ``kind``, ``reply`` and a summary's section)."""
    if outcome.turn is not None:
        return reply_json(article, outcome.turn, rendered=outcome.text)
    section = article.section(outcome.section_id) if outcome.section_id else None
    return {
        "kind": outcome.kind,
        "answered": False,
        "intent": None,
        "section": outcome.section_id,
        "section_title": section.title if section else None,
        "paragraphs": [],
        "location": "",
        "score": 0.0,
        "quote": "",
        "lead": "",
        "reply": outcome.text,
        "suggestions": [],
        "continued": False,
        "turn_id": None,
        "saved": True,
    }


async def ask_once(
    service: ChatService,
    key: ConversationKey,
    question: str,
    as_json: bool,
    out: TextIO = sys.stdout,
) -> bool:
    """Answer one question (or run one command) and print it; False if it ended in an error."""
    outcome = await Session(service, key, interactive=False).handle(question)
    article = service.knowledge.article
    text = json.dumps(line_json(article, outcome), ensure_ascii=False) if as_json else outcome.text
    out.write(text + "\n")
    return outcome.kind != LineKind.ERROR


async def json_lines(
    service: ChatService,
    key: ConversationKey,
    source: BinaryIO | None = None,
    out: TextIO = sys.stdout,
) -> None:
    """Read one question per stdin line and write one JSON object per line, flushing each.

    A line that cannot be read (not UTF-8, holding a NUL byte, longer than MAX_LINE_BYTES) or
    whose turn fails gets one ``error`` object, and the next line is read: one bad line never
    ends the run. ``/quit`` does, after its object.
    """
    session = Session(service, key, interactive=False)
    article = service.knowledge.article
    for raw in read_lines(source or sys.stdin.buffer, MAX_LINE_BYTES):
        text, problem = decode_line(raw)
        outcome = (
            Outcome(LineKind.ERROR.value, problem) if problem else await guarded(session, text)
        )
        out.write(json.dumps(line_json(article, outcome), ensure_ascii=False) + "\n")
        out.flush()
        if outcome.quit:
            return


def read_lines(source: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """Yield each line without its newline, or None for a line longer than ``limit`` bytes
    (read on to its end in pieces and dropped, never held whole)."""
    while line := source.readline(limit + 1):
        body = line.removesuffix(b"\n")
        if len(body) <= limit:
            yield body
            continue
        while not line.endswith(b"\n") and (line := source.readline(limit)):
            pass
        yield None


def decode_line(raw: bytes | None) -> tuple[str, str]:
    """Return the line's text and ``""``, or ``""`` and why the line cannot be read."""
    if raw is None:
        return "", f"Line skipped: it is longer than {MAX_LINE_BYTES} bytes."
    if b"\0" in raw:
        return "", "Line skipped: it holds a NUL byte."
    try:
        return raw.decode("utf-8"), ""
    except UnicodeDecodeError as exc:
        return "", f"Line skipped: it is not valid UTF-8 (byte {exc.start + 1})."


async def guarded(session: Session, line: str) -> Outcome:
    """``session.handle(line)``; a failure nobody expected is logged with its traceback and
    becomes a polite ``error`` outcome, so the chat goes on."""
    try:
        return await session.handle(line)
    except Exception:
        log.exception("a terminal turn failed")
        return Outcome(LineKind.ERROR.value, GENERIC)


async def interactive(service: ChatService, key: ConversationKey) -> None:
    """A readable terminal chat with line editing and history (when readline is available)."""
    with contextlib.suppress(ImportError):  # readline is missing on some platforms
        import readline  # noqa: F401  - imported for its effect on input(): editing, history
    article = service.knowledge.article
    by = f" by {article.header.author}" if article.header.author else ""
    print(f"Chatting about “{article.title}”{by}.")
    print(f"Ask a question, or: {COMMANDS}")
    session = Session(service, key, interactive=True)
    while True:
        try:
            line = input(PROMPT)
        except (EOFError, KeyboardInterrupt):
            print()
            return
        except UnicodeDecodeError:
            print("That line is not valid UTF-8; please type it again.\n")
            continue
        outcome = await guarded(session, line)
        if outcome.quit:
            return
        print(for_terminal(outcome.text + _pick_hint(session, outcome)) + "\n")


def _pick_hint(session: Session, outcome: Outcome) -> str:
    """After numbered "did you mean" choices, say that typing a number picks one."""
    if outcome.turn is None or not session.pending:
        return ""
    return f"\n(Type a number from 1 to {len(session.pending)} to choose.)"


def for_terminal(text: str, width: int | None = None) -> str:
    """Markdown-ish reply text made readable in a terminal: bold via ANSI (when a tty), and lines
    wrapped to the window, block quotes keeping their ``> `` marker."""
    tty = sys.stdout.isatty()
    text = BOLD.sub(lambda m: f"\033[1m{m.group(1)}\033[0m" if tty else m.group(1), text)
    width = width or shutil.get_terminal_size((100, 20)).columns
    lines = []
    for line in text.split("\n"):
        quoted = line.startswith("> ")
        body = line[2:] if quoted else line
        prefix = "> " if quoted else ""
        lines.extend(
            textwrap.wrap(body, width - 1, initial_indent=prefix, subsequent_indent=prefix or "  ")
            or [line]
        )
    return "\n".join(lines)
