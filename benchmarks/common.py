"""What every benchmark shares: the shipped data, percentiles, workspaces and the result table."""

from __future__ import annotations

import math
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.synth import IntentFactory, intent_yaml
from bot.config import Config, load_config
from bot.core.article import Article
from bot.core.intents import Intent, IntentSet
from bot.core.loading.intent_files import load_intents
from bot.core.sections import load_article

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Shipped:
    """The repository's config, article and intents."""

    config: Config
    article: Article
    intents: IntentSet


def shipped() -> Shipped:
    """Load the shipped config.yaml, article and intents."""
    config = load_config(ROOT / "config.yaml", environ={})
    article = load_article(config.sections)
    return Shipped(config, article, load_intents(config.intents, article))


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Row:
    """One measured figure: the bot's, the baseline's, and the target it is held to."""

    what: str
    bot: float
    baseline: float | None
    unit: str
    target: str = ""
    met: bool | None = None
    # "lower" when a smaller figure is better (latency), "higher" for throughput.
    better: str = "lower"

    @property
    def ratio(self) -> str:
        """How many times better the bot is than the baseline (``x``), if there is one."""
        if self.baseline is None or not self.bot or not self.baseline:
            return ""
        times = self.baseline / self.bot if self.better == "lower" else self.bot / self.baseline
        return f"{times:,.1f}x" if times >= 1 else f"{times:.2g}x"


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ms":
        return f"{value:.3f} ms" if value < 10 else f"{value:,.1f} ms"
    return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def print_table(title: str, rows: Sequence[Row]) -> None:
    """Print ``rows`` as an aligned table under ``title``."""
    head = ("figure", "bot", "baseline", "ratio", "target", "met")
    body = [
        (
            r.what,
            _figure(r.bot, r.unit),
            _figure(r.baseline, r.unit),
            r.ratio,
            r.target,
            "" if r.met is None else ("yes" if r.met else "NO"),
        )
        for r in rows
    ]
    widths = [max(len(str(line[k])) for line in (head, *body)) for k in range(len(head))]
    print(f"\n## {title}\n")
    for line in (head, tuple("-" * w for w in widths), *body):
        print("  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


def synthetic(data: Shipped, examples: int, seed: int = 4) -> list[Intent]:
    """Synthetic intents with ``examples`` examples in all, none clashing with the shipped."""
    factory = IntentFactory(data.article, seed)
    factory.reserve(data.intents)
    return factory.intents(examples)


def workspace(
    folder: Path, data: Shipped, extra: Sequence[Intent], extra_settings: str = ""
) -> Path:
    """A config.yaml in ``folder`` over the shipped article, a copy of the intents and ``extra``.

    Each extra intent is a file of its own, as moderators' ``/intent add`` writes them.
    """
    intents = folder / "intents"
    shutil.copytree(ROOT / "intents", intents)
    for intent in extra:
        (intents / f"added-{intent.id}.yaml").write_text(
            intent_yaml([intent], data.article), encoding="utf-8"
        )
    config = folder / "config.yaml"
    config.write_text(
        f"sections: {ROOT / 'seeds' / 'sections.yaml'}\nintents: intents\ndatabase: bot.db\n"
        + extra_settings,
        encoding="utf-8",
    )
    return config
