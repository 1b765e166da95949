"""match: the matcher on 100 to 100k synthetic example questions, against a WRatio scan.

Per question the bot prepares (normalise, correct typos, stem) and ranks the intents, as a turn
does. The baseline is the obvious implementation: ``process.extractOne`` over every example with
WRatio and RapidFuzz's default processor. Both answer the same questions (half with typos, a fifth
off-topic); "accuracy" is how often the top intent is the one whose example was paraphrased.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from rapidfuzz import fuzz, process, utils

from benchmarks.common import Row, percentile, print_table, shipped, synthetic
from benchmarks.synth import Question, article_vocabulary, questions
from bot.core.intents import IntentSet
from bot.core.matching.matcher import Matcher

SIZES = (100, 1_000, 10_000, 100_000)
# The WRatio scan costs ~1 µs per example: cap its questions so each size takes seconds.
BASELINE_WORK = 10_000_000


def _timed(ask: Callable[[str], str | None], asked: list[Question]) -> tuple[list[float], float]:
    """Per-question seconds and the share of on-topic questions answered with their source."""
    times: list[float] = []
    hits = on_topic = 0
    for question in asked:
        start = time.perf_counter()
        top = ask(question.text)
        times.append(time.perf_counter() - start)
        if question.source is not None:
            on_topic += 1
            hits += top == question.source
    return times, hits / max(1, on_topic)


def measure(size: int, count: int) -> list[Row]:
    """Rows for one intent set of ``size`` examples."""
    data = shipped()
    extra = synthetic(data, size)
    matcher = Matcher(IntentSet(tuple(extra)), data.article.text, data.config.matching)
    asked = questions(extra, article_vocabulary(data.article), count)

    def bot(text: str) -> str | None:
        ranked = matcher.rank(matcher.prepare(text), limit=8)
        return ranked[0].intent_id if ranked else None

    examples = [e for intent in extra for e in intent.examples]
    owners = [intent.id for intent in extra for _ in intent.examples]

    def baseline(text: str) -> str | None:
        found = process.extractOne(
            text, examples, scorer=fuzz.WRatio, processor=utils.default_process
        )
        return owners[found[2]] if found else None

    bot_times, bot_accuracy = _timed(bot, asked)
    few = asked[: max(20, min(count, BASELINE_WORK // size))]
    base_times, base_accuracy = _timed(baseline, few)
    return _rows(size, bot_times, base_times, bot_accuracy, base_accuracy, len(few))


def _rows(
    size: int, bot: list[float], base: list[float], accuracy: float, base_acc: float, n: int
) -> list[Row]:
    big = size == SIZES[-1]
    p99 = percentile(bot, 0.99) * 1e3
    base_p50 = percentile(base, 0.5) * 1e3
    p50 = percentile(bot, 0.5) * 1e3
    label = f"{size:,} examples"
    return [
        Row(f"{label}: p50 per question", p50, base_p50, "ms"),
        Row(
            f"{label}: p99 per question (baseline n={n})",
            p99,
            percentile(base, 0.99) * 1e3,
            "ms",
            "<= 2 ms, >= 50x" if big else "",
            (p99 <= 2.0 and base_p50 / p50 >= 50) if big else None,
        ),
        Row(f"{label}: top-1 accuracy", accuracy * 100, base_acc * 100, "%", better="higher"),
    ]


def main(argv: list[str] | None = None) -> None:
    """Run the match benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks match")
    parser.add_argument("--questions", type=int, default=1000, help="questions per size")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for size in args.sizes:
        rows += measure(size, args.questions)
    print_table("match: prepare + rank per question (bot) vs WRatio extractOne (baseline)", rows)
