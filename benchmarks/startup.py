"""startup: time and peak memory to load and index 10k intents (100k examples).

Each measurement is a fresh process (``python -m benchmarks.startup --child CONFIG``) that loads the
config, the article and every intent file and builds the matcher, exactly as the bot does before it
answers. It reports the load-and-index time it measured itself, and its peak RSS (VmHWM, as
``RUSAGE_CHILDREN``'s ru_maxrss would carry the parent's peak over the fork); the parent also
times the whole process, interpreter start and imports included. The intents are one file each, as
``/intent add`` writes them. Baseline: the shipped intents.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Row, print_table, shipped, synthetic, workspace


def peak_rss_kb() -> int:
    """This process's peak RSS in kB.

    ``ru_maxrss`` survives exec, so a child forked from a big parent would report the parent's
    peak; the kernel's VmHWM starts afresh with the new program.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(config_path: Path) -> None:
    """In the measured process: load and index, print seconds and peak RSS as JSON."""
    start = time.perf_counter()
    from bot.app import build_knowledge
    from bot.config import load_config

    imported = time.perf_counter()
    knowledge = build_knowledge(load_config(config_path))
    done = time.perf_counter()
    peak_kb = peak_rss_kb()
    print(
        json.dumps(
            {
                "imports": imported - start,
                "load": done - imported,
                "intents": len(knowledge.intents.intents),
                "rss_mb": peak_kb / 1024,
            }
        )
    )


def _measure(config: Path) -> dict[str, float]:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.startup", "--child", str(config)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(out.stdout)
    figures["process"] = time.perf_counter() - start
    return figures


def main(argv: list[str] | None = None) -> None:
    """Run the startup benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks startup")
    parser.add_argument("--intents", type=int, default=10_000, help="synthetic intents added")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        child(args.child)
        return
    data = shipped()
    extra = synthetic(data, args.intents * 10)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "big").mkdir()
        (folder / "small").mkdir()
        base = _measure(workspace(folder / "small", data, []))
        bot = _measure(workspace(folder / "big", data, extra))
    label = f"{bot['intents']:,.0f} intents"
    rows = [
        Row(f"{label}: load + index", bot["load"] * 1e3, base["load"] * 1e3, "ms", "<= 1 s"),
        Row(f"{label}: whole process", bot["process"] * 1e3, base["process"] * 1e3, "ms"),
        Row(f"{label}: peak RSS", bot["rss_mb"], base["rss_mb"], "MB", "<= 150 MB"),
    ]
    rows[0] = _judged(rows[0], bot["load"] <= 1.0)
    rows[2] = _judged(rows[2], bot["rss_mb"] <= 150)
    print_table(
        "startup: load config, article, intents and build the matcher (fresh process)", rows
    )


def _judged(row: Row, met: bool) -> Row:
    return Row(row.what, row.bot, row.baseline, row.unit, row.target, met)


if __name__ == "__main__":
    main(sys.argv[1:])
