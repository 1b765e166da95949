"""Where a start's memory peaks: VmRSS and VmHWM as each stage of the load begins and ends.

``python -m benchmarks startup --stages`` runs a first start and a restart this way. The
stages are the bot's own functions, wrapped where the loading code looks them up; the peak
(VmHWM) only grows, so the first stage after which it stands at its final value is where the
peak was reached. Stages may overlap: the snapshot is written by a thread of its own while the
word list is read. Reading ``/proc/self/status`` at every mark costs microseconds: the times
shown are close to the unwrapped run's, but only the memory figures are the point.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# (module, name looked up there, stage label): each call of that name is a stage.
STAGES = (
    ("bot.core.loading.intent_files", "map_chunked", "parse the files (workers)"),
    ("bot.core.loading.intent_files", "assemble", "assemble the set"),
    ("bot.core.knowledge", "read_snapshot", "read the snapshot"),
    ("bot.core.knowledge", "Matcher", "build the matcher"),
    ("bot.core.matching.matcher", "load_vectors", "  read the word vectors"),
    ("bot.core.matching.matcher", "SemanticIndex", "  meaning index"),
    ("bot.core.matching.matcher", "ExampleIndex", "  example index"),
    ("bot.core.matching.matcher", "CoverageIndex", "  coverage"),
    ("bot.core.matching.matcher", "Speller", "  speller"),
    ("bot.app", "load_english", "read the English word list"),
    ("bot.core.loading.snapshot", "write_snapshot", "write the snapshot (thread)"),
)


@dataclass(frozen=True)
class Mark:
    """One stage beginning or ending: when (s), and the process's RSS and peak RSS then (MB)."""

    seconds: float
    what: str
    rss_mb: float
    peak_mb: float


def memory_mb() -> tuple[float, float]:
    """This process's VmRSS and VmHWM in MB."""
    found: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            found[line[:5]] = int(line.split()[1]) / 1024
    return found["VmRSS"], found["VmHWM"]


class StageLog:
    """Marks the wrapped stages as they begin and end, from any thread."""

    def __init__(self) -> None:
        self.marks: list[Mark] = []
        self._start = time.perf_counter()
        self._lock = threading.Lock()

    def mark(self, what: str) -> None:
        """Record the memory now, under ``what``."""
        rss, peak = memory_mb()
        with self._lock:
            self.marks.append(Mark(time.perf_counter() - self._start, what, rss, peak))

    @contextlib.contextmanager
    def wrapping(self) -> Iterator[None]:
        """Every function of ``STAGES`` wrapped where it is looked up, until the block ends."""
        originals = []
        for module_name, name, label in STAGES:
            module = importlib.import_module(module_name)
            originals.append((module, name, getattr(module, name)))
            setattr(module, name, self._wrapped(getattr(module, name), label))
        try:
            yield
        finally:
            for module, name, original in originals:
                setattr(module, name, original)

    def _wrapped(self, function: Callable[..., Any], label: str) -> Callable[..., Any]:
        @functools.wraps(function)
        def stage(*args: Any, **kwargs: Any) -> Any:
            self.mark(f"{label} >")
            try:
                return function(*args, **kwargs)
            finally:
                self.mark(f"{label} <")

        return stage

    def report(self) -> list[str]:
        """One line per mark; the one where the final peak was first reached is flagged."""
        final = max((m.peak_mb for m in self.marks), default=0.0)
        reached = next((m for m in self.marks if m.peak_mb >= final), None)
        lines = [f"{'s':>6}  {'RSS MB':>7}  {'peak MB':>7}  stage (> begins, < ends)"]
        for m in self.marks:
            flag = "  <- peak reached by here" if m is reached else ""
            lines.append(f"{m.seconds:6.3f}  {m.rss_mb:7.1f}  {m.peak_mb:7.1f}  {m.what}{flag}")
        return lines
