"""startup: time and peak memory to load and index 10k intents (100k examples).

Each measurement is a fresh process (``python -m benchmarks.startup --child CONFIG``) that loads the
config, the article and every intent file and builds the matcher, exactly as the bot does before it
answers. It is measured twice: a first start (no snapshot on disk: every file is parsed, checked
and indexed, and the snapshot written in the background, reported as "snapshot on disk") and a
restart over the same files (the snapshot read back, ``bot.core.loading.snapshot``); both are
judged. It
reports the load-and-index time it measured itself, and its peak RSS (VmHWM, as
``RUSAGE_CHILDREN``'s ru_maxrss would carry the parent's peak over the fork), and the largest
peak of the worker processes a first start forks to parse; the parent also times the whole
process, interpreter start and imports included. The intents are one
file each, as ``/intent add`` writes them. Baseline: the shipped intents.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import Row, print_table, shipped, synthetic, workspace
from benchmarks.stages import StageLog


def peak_rss_kb() -> int:
    """This process's peak RSS in kB.

    ``ru_maxrss`` survives exec, so a child forked from a big parent would report the parent's
    peak; the kernel's VmHWM starts afresh with the new program.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(config_path: Path, *, stages: bool = False) -> None:
    """In the measured process: load and index, print seconds and peak RSS as JSON (with
    ``stages``, the memory at each stage too: ``benchmarks.stages``)."""
    start = time.perf_counter()
    from bot.app import build_knowledge
    from bot.config import load_config

    log = StageLog()
    with log.wrapping() if stages else contextlib.nullcontext():
        log.mark("imported")
        imported = time.perf_counter()
        knowledge = build_knowledge(load_config(config_path))
        done = time.perf_counter()
        log.mark("loaded and indexed")
        knowledge.snapshot_written()  # in the background: the bot answers meanwhile
        written = time.perf_counter()
        log.mark("snapshot on disk")
    peak_kb = peak_rss_kb()
    print(
        json.dumps(
            {
                "imports": imported - start,
                "load": done - imported,
                "snapshot": written - imported,
                "workers_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                "intents": len(knowledge.intents.intents),
                "from_snapshot": knowledge.from_snapshot,
                "rss_mb": peak_kb / 1024,
                "stages": log.report() if stages else [],
            }
        )
    )


def _measure(config: Path, *, stages: bool = False) -> dict[str, Any]:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.startup", "--child", str(config)]
        + (["--stages"] if stages else []),
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(out.stdout)
    figures["process"] = time.perf_counter() - start
    return figures


def main(argv: list[str] | None = None) -> None:
    """Run the startup benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks startup")
    parser.add_argument("--intents", type=int, default=10_000, help="synthetic intents added")
    parser.add_argument(
        "--stages", action="store_true", help="also print the memory at each stage of the load"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        child(args.child, stages=args.stages)
        return
    data = shipped()
    extra = synthetic(data, args.intents * 10)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "big").mkdir()
        (folder / "small").mkdir()
        small = workspace(folder / "small", data, [])
        big = workspace(folder / "big", data, extra)
        base = _measure(small)
        first = _measure(big, stages=args.stages)
        base_again, again = _measure(small), _measure(big, stages=args.stages)
    if first["from_snapshot"] or not again["from_snapshot"]:
        raise SystemExit("startup: the first start found a snapshot or the restart did not")
    label = f"{first['intents']:,.0f} intents"
    rows = [
        Row(
            f"{label}: first start, load + index",
            first["load"] * 1e3,
            base["load"] * 1e3,
            "ms",
            "<= 1 s",
        ),
        Row(
            f"{label}: first start, whole process",
            first["process"] * 1e3,
            base["process"] * 1e3,
            "ms",
        ),
        Row(
            f"{label}: first start, snapshot on disk",
            first["snapshot"] * 1e3,
            base["snapshot"] * 1e3,
            "ms",
        ),
        Row(f"{label}: first start, peak RSS", first["rss_mb"], base["rss_mb"], "MB", "<= 200 MB"),
        # A forked worker starts with its parent's pages (shared until written): counted here too.
        Row(f"{label}: first start, a worker's peak RSS", first["workers_rss_mb"], None, "MB"),
        Row(
            f"{label}: restart, load + index",
            again["load"] * 1e3,
            base_again["load"] * 1e3,
            "ms",
            "<= 0.5 s",
        ),
        Row(
            f"{label}: restart, whole process",
            again["process"] * 1e3,
            base_again["process"] * 1e3,
            "ms",
        ),
        Row(
            f"{label}: restart, peak RSS", again["rss_mb"], base_again["rss_mb"], "MB", "<= 200 MB"
        ),
    ]
    rows[0] = _judged(rows[0], first["load"] <= 1.0)
    rows[3] = _judged(rows[3], first["rss_mb"] <= 200)
    rows[5] = _judged(rows[5], again["load"] <= 0.5)
    rows[7] = _judged(rows[7], again["rss_mb"] <= 200)
    print_table(
        "startup: load config, article, intents and build the matcher (fresh process;"
        " restart: the snapshot the first start wrote)",
        rows,
    )
    for name, figures in (("first start", first), ("restart", again)):
        if figures["stages"]:
            print(f"\n### {label}, {name}: memory by stage\n")
            print("\n".join(figures["stages"]))


def _judged(row: Row, met: bool) -> Row:
    return Row(row.what, row.bot, row.baseline, row.unit, row.target, met)


if __name__ == "__main__":
    main(sys.argv[1:])
