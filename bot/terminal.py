"""The terminal front end: interactive chat, the JSON-lines protocol, one-shot questions."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sys
import textwrap
from typing import Any, TextIO

from bot.core.article import Article, location
from bot.core.render import render_outline, render_reply, render_summary
from bot.core.summary import summarise
from bot.errors import ArticleBotError
from bot.messages import user_message
from bot.records import ConversationKey
from bot.service import ChatService, TurnResult

PROMPT = "you> "
BOLD = re.compile(r"\*\*(.+?)\*\*")
COMMANDS = "/summary [section]  /sections  /more  /help  /quit"


def reply_json(article: Article, result: TurnResult) -> dict[str, Any]:
    """Return one turn as the JSON object ``chat --json`` and ``ask --json`` print."""
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
        "reply": render_reply(article, reply),
        "suggestions": [{"intent": s.intent_id, "label": s.label} for s in reply.suggestions],
        "continued": reply.continued,
        "turn_id": result.turn_id,
    }


async def ask_once(
    service: ChatService,
    key: ConversationKey,
    question: str,
    as_json: bool,
    out: TextIO = sys.stdout,
) -> None:
    """Answer one question and print it."""
    result = await service.ask(key, question)
    article = service.knowledge.article
    if as_json:
        out.write(json.dumps(reply_json(article, result), ensure_ascii=False) + "\n")
    else:
        out.write(render_reply(article, result.reply) + "\n")


async def json_lines(
    service: ChatService, key: ConversationKey, source: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> None:
    """Read one question per line and write one JSON object per line, flushing each."""
    article = service.knowledge.article
    for line in source:
        result = await service.ask(key, line.rstrip("\n"))
        out.write(json.dumps(reply_json(article, result), ensure_ascii=False) + "\n")
        out.flush()


async def interactive(service: ChatService, key: ConversationKey) -> None:
    """A readable terminal chat with line editing and history (when readline is available)."""
    with contextlib.suppress(ImportError):  # readline is missing on some platforms
        import readline  # noqa: F401  - imported for its effect on input(): editing, history
    article = service.knowledge.article
    print(f"Chatting about “{article.title}” by {article.header.author}.")
    print(f"Ask a question, or: {COMMANDS}")
    while True:
        try:
            line = input(PROMPT)
        except (EOFError, KeyboardInterrupt):
            print()
            return
        text = line.strip()
        if text in ("/quit", "/exit"):
            return
        print(for_terminal(await _chat_line(service, key, text)) + "\n")


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


async def _chat_line(service: ChatService, key: ConversationKey, text: str) -> str:
    article = service.knowledge.article
    command, _, arg = text.partition(" ")
    try:
        if command == "/summary":
            return render_summary(summarise(article, arg.strip() or None))
        if command == "/sections":
            return render_outline(article)
        if command == "/help":
            return f"Ask anything about the article. Commands: {COMMANDS}"
        if command == "/more":
            return render_reply(article, (await service.more(key)).reply)
        return render_reply(article, (await service.ask(key, text)).reply)
    except ArticleBotError as exc:
        return user_message(exc)
