"""The ``article-bot`` command line: run, chat, ask, check, eval, summary, sections, backup,
health, report, unanswered, intents export."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot import admin
from bot.app import App, build_app, build_knowledge
from bot.config import load_config, read_token
from bot.core import collector
from bot.core.evaluate import evaluate, load_floors, load_golden, missed_floors
from bot.core.plaintext import outline_text, summary_text
from bot.core.sections import load_article
from bot.core.summary import summarise
from bot.errors import ArticleBotError, DataFileError
from bot.messages import user_message
from bot.report import print_unanswered, write_report
from bot.store.records import ConversationKey
from bot.terminal import ask_once, interactive, json_lines

DEFAULT_CONFIG = Path("config.yaml")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="article-bot", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    # ARTICLE_BOT_CONFIG names the config when --config is not given (the Docker image sets it).
    default = Path(os.environ.get("ARTICLE_BOT_CONFIG") or DEFAULT_CONFIG)
    common.add_argument("--config", type=Path, default=default, help="config.yaml path")
    convo = argparse.ArgumentParser(add_help=False, parents=[common])
    convo.add_argument("--db", type=Path, help="SQLite file (default: database in config)")
    convo.add_argument("--user", default="local", help="who is asking (keeps their state)")
    convo.add_argument("--channel", default="terminal", help="conversation channel id")
    convo.add_argument("--guild", default="local", help="conversation guild id")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run", parents=[convo], help="Discord bot if DISCORD_TOKEN is set, else chat"
    )
    run.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    chat = sub.add_parser("chat", parents=[convo], help="chat in the terminal")
    chat.add_argument("--json", action="store_true", help="JSON lines: one question per stdin line")
    ask = sub.add_parser("ask", parents=[convo], help="ask one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the reply as JSON")
    sub.add_parser("check", parents=[common], help="validate config, sections and intents")
    ev = sub.add_parser("eval", parents=[common], help="measure accuracy on a golden file")
    ev.add_argument("file", type=Path)
    ev.add_argument("--json", action="store_true", help="print the full report as JSON")
    summ = sub.add_parser("summary", parents=[common], help="summary of the article or a section")
    summ.add_argument("section", nargs="?")
    sub.add_parser("sections", parents=[common], help="the article's outline")
    db = argparse.ArgumentParser(add_help=False, parents=[common])
    db.add_argument("--db", type=Path, help="SQLite file (default: database in config)")
    back = sub.add_parser("backup", parents=[db], help="copy the database, safe while running")
    back.add_argument("path", type=Path, help="the backup file to write")
    back.add_argument("--force", action="store_true", help="replace PATH if it exists")
    sub.add_parser("health", parents=[db], help="exit 0 if the running bot's heartbeat is fresh")
    report = sub.add_parser(
        "report", parents=[db], help="moderators' usage report as one HTML file"
    )
    report.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    report.add_argument("--days", type=_positive, default=30, help="window in days (UTC)")
    unanswered = sub.add_parser(
        "unanswered", parents=[db], help="questions that got no answer, most asked first"
    )
    unanswered.add_argument("--limit", type=_positive, default=20, help="how many to print")
    intents = sub.add_parser("intents", help="moderator-added intents kept in the database")
    intents_sub = intents.add_subparsers(dest="intents_command", required=True)
    export = intents_sub.add_parser(
        "export", parents=[db], help="write them as intents/added-<id>.yaml files (for git)"
    )
    export.add_argument("--to", type=Path, help="folder to write (default: intents in config)")
    return parser


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``article-bot`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:  # Ctrl-C: a normal way to leave, not a crash to report
        print(file=sys.stderr)
        return 130
    except DataFileError as exc:
        print(str(exc), file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found.", file=sys.stderr)
        return 1
    except ArticleBotError as exc:
        print(user_message(exc), file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "check":
        return _check(args.config)
    if args.command == "eval":
        return _eval(args.config, args.file, args.json)
    if args.command == "backup":
        return admin.backup(args.config, args.db, args.path, force=args.force)
    if args.command == "health":
        return admin.health(args.config, args.db)
    if args.command == "report":
        return write_report(args.config, args.db, args.out, args.days)
    if args.command == "unanswered":
        return print_unanswered(args.config, args.db, args.limit)
    if args.command == "intents":
        return admin.export_intents(args.config, args.db, args.to)
    if args.command in ("summary", "sections"):
        article = load_article(load_config(args.config).sections)
        text = (
            outline_text(article)
            if args.command == "sections"
            else (summary_text(summarise(article, args.section)))
        )
        print(text)
        return 0
    if args.command == "run":
        token = read_token(os.environ, Path(".env"))
        if token:
            from bot.discord.runner import run_discord  # only the Discord mode needs discord.py

            return run_discord(args.config, args.db, token, args.log_level)
        print(
            "No DISCORD_TOKEN set: starting the terminal chat instead (set it to run on Discord)."
        )
        args.json = False
    return asyncio.run(_converse(args))


async def _converse(args: argparse.Namespace) -> int:
    # Ctrl-C interrupts whatever runs, at once: asyncio's own handler only cancels the main task,
    # which a blocking read of the next line does not notice (it took three ^C to leave).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # One conversation with the loop to itself: turns are committed in place (no thread hop).
    app: App = await build_app(args.config, args.db, inline_writes=True)
    # A first start writes the intent snapshot in the background.
    # The terminal can be asked at once (a script piping questions): let the first answers not
    # share the interpreter with it. (The Discord bot logs in meanwhile instead.)
    await asyncio.to_thread(app.knowledge.snapshot_written)
    collector.freeze_loaded()
    key = ConversationKey(args.guild, args.channel, args.user)
    try:
        if args.command == "ask":
            return 0 if await ask_once(app.service, key, args.question, args.json) else 1
        if getattr(args, "json", False):
            await json_lines(app.service, key)
        else:
            await interactive(app.service, key)
    finally:
        await app.store.close()
    return 0


def _check(config_path: Path) -> int:
    config = load_config(config_path)
    knowledge = build_knowledge(config)
    intents = knowledge.intents
    examples = sum(len(i.examples) for i in intents.intents)
    print(
        f"ok: {len(knowledge.article.sections)} sections, {len(knowledge.article.paragraphs)}"
        f" paragraphs, {len(intents.intents)} intents, {examples} examples"
        f" in {len(intents.files)} files"
    )
    return 0


def _eval(config_path: Path, golden: Path, as_json: bool) -> int:
    """Measure a golden file; exit 1 when a figure falls below the floor the file declares."""
    knowledge = build_knowledge(load_config(config_path))
    singles, dialogues = load_golden(golden)
    summary = evaluate(knowledge.engine, singles, dialogues).summary()
    missed = missed_floors(summary, load_floors(golden))
    if as_json:
        print(json.dumps({**summary, "missed_floors": missed}, indent=2, ensure_ascii=False))
    else:
        _print_report(summary)
    for line in missed:
        print(f"{golden}: {line}", file=sys.stderr)
    return 1 if missed else 0


def _print_report(summary: dict[str, Any]) -> None:
    for name in (
        "questions",
        "top1_accuracy",
        "answered_correctly",
        "off_topic_rejection",
        "ambiguity_rate",
        "follow_ups_correct",
    ):
        print(f"{name:22} {summary[name]}")
    print("\nthreshold  accuracy  rejection")
    for row in summary["per_threshold"]:
        print(f"{row['threshold']:>9}  {row['accuracy']:>8.3f}  {row['rejection']:>9.3f}")
    confusions = summary["confusions"]
    print(f"\n{len(confusions)} confusions:")
    for c in confusions:
        print(
            f"  {c['question']!r}: expected {'/'.join(c['expected'])}, got {c['got']}"
            f" (top {c['top']} {c['score']})"
        )


if __name__ == "__main__":
    raise SystemExit(main())
