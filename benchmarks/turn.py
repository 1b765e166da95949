"""turn: the whole turn through ``article-bot chat --json`` with 10k intents added to ``intents/``.

A question line goes to the process's stdin and its JSON line is read back: matching, dialogue,
the conversation state and the turn log committed to SQLite, and the JSON rendering. The bot runs
over a copy of the shipped intents plus 10,000 synthetic ones (100,000 examples, one file each,
as ``/intent add`` writes them); the baseline is the same with the shipped intents alone. Both
also answer real questions from the golden set, to show whether the added intents change them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, Row, percentile, print_table, shipped, synthetic, workspace
from benchmarks.synth import article_vocabulary, questions
from bot.core.evaluate import load_golden

# Real questions from the golden set that the shipped intents answer.
REAL = 25


class Chat:
    """A running ``article-bot chat --json`` process."""

    def __init__(self, config: Path, db: Path) -> None:
        command = [str(Path(sys.executable).parent / "article-bot"), "chat", "--json"]
        self.process = subprocess.Popen(
            [*command, "--config", str(config), "--db", str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def ask(self, question: str) -> tuple[float, dict[str, Any]]:
        """Seconds from writing the question to reading its reply, and the reply."""
        assert self.process.stdin is not None and self.process.stdout is not None
        start = time.perf_counter()
        self.process.stdin.write(question.replace("\n", " ") + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        elapsed = time.perf_counter() - start
        if not line:
            raise RuntimeError("article-bot chat ended early")
        reply: dict[str, Any] = json.loads(line)
        return elapsed, reply

    def close(self) -> None:
        """End the process (EOF on stdin)."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _run(
    config: Path, db: Path, asked: list[str], real: list[str]
) -> tuple[list[float], list[str]]:
    chat = Chat(config, db)
    try:
        chat.ask("hello")  # the process has loaded everything once it answers
        times = [chat.ask(q)[0] for q in asked]
        answers = [f"{r['kind']}:{r['intent']}" for r in (chat.ask(q)[1] for q in real)]
    finally:
        chat.close()
    return times, answers


def main(argv: list[str] | None = None) -> None:
    """Run the turn benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks turn")
    parser.add_argument("--intents", type=int, default=10_000, help="synthetic intents added")
    parser.add_argument("--questions", type=int, default=1000)
    args = parser.parse_args(argv)
    data = shipped()
    extra = synthetic(data, args.intents * 10)
    asked = [q.text for q in questions(extra, article_vocabulary(data.article), args.questions)]
    singles, _ = load_golden(ROOT / "tests" / "golden" / "golden.yaml")
    real = [t.question for t in singles if t.expect != ("reject",)][:REAL]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "big").mkdir()
        (folder / "small").mkdir()
        big = workspace(folder / "big", data, extra)
        small = workspace(folder / "small", data, [])
        bot, bot_answers = _run(big, folder / "big.db", asked, real)
        base, base_answers = _run(small, folder / "small.db", asked, real)
    same = sum(a == b for a, b in zip(bot_answers, base_answers, strict=True))
    p99 = percentile(bot, 0.99) * 1e3
    label = f"+{args.intents:,} intents"
    rows = [
        Row(
            f"{label}: p50 per turn", percentile(bot, 0.5) * 1e3, percentile(base, 0.5) * 1e3, "ms"
        ),
        Row(
            f"{label}: p99 per turn",
            p99,
            percentile(base, 0.99) * 1e3,
            "ms",
            "<= 2 ms",
            p99 <= 2.0,
        ),
        Row(f"{label}: real questions answered alike", same, len(real), "", better="higher"),
    ]
    print_table("turn: article-bot chat --json, question in -> JSON out (baseline: shipped)", rows)
    for question, a, b in zip(real, bot_answers, base_answers, strict=True):
        if a != b:
            print(f"  changed: {question!r}: {b} -> {a}")
