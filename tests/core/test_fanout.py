"""Work spread over worker processes: same results, in order, and in place when it cannot fork.

Workers are forked only from a single-threaded process, and a pytest process may hold threads
left by other tests, so what needs real workers runs in a fresh interpreter.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

from bot.core.loading import fanout
from tests.helpers import ROOT, fresh


def pids(items: Sequence[int], offset: int) -> list[tuple[int, int]]:
    """Each item plus ``offset``, with the process that computed it."""
    return [(item + offset, os.getpid()) for item in items]


def die_in_a_worker(items: Sequence[int], offset: int) -> list[tuple[int, int]]:
    """As ``pids``, but a worker process dies at once."""
    if multiprocessing.parent_process() is not None:
        os._exit(3)
    return pids(items, offset)


SPREAD = """
import json, os
from bot.core.loading import fanout
from tests.core.test_fanout import {work}
fanout.CHUNK = 7
found = fanout.map_chunked({work}, list(range(100)), 1000, min_items={least}, workers=2)
print(json.dumps({{"found": found, "me": os.getpid()}}))
"""


def test_chunks_run_in_workers_and_come_back_in_order() -> None:
    """Past ``min_items`` the chunks are computed by other processes, results in item order."""
    out, errors = fresh(SPREAD.format(work="pids", least=50))
    assert isinstance(out, dict)
    assert "worker processes failed" not in errors
    assert [value for value, _ in out["found"]] == list(range(1000, 1100))
    workers = {pid for _, pid in out["found"]}
    assert out["me"] not in workers
    assert len(workers) == 2


def test_a_dead_worker_means_the_work_is_done_in_place() -> None:
    """A worker that dies (out of memory, killed) costs time, not the result."""
    out, errors = fresh(SPREAD.format(work="die_in_a_worker", least=50))
    assert isinstance(out, dict)
    assert "worker processes failed" in errors
    assert [value for value, _ in out["found"]] == list(range(1000, 1100))
    assert {pid for _, pid in out["found"]} == {out["me"]}


def test_a_process_with_threads_does_the_work_in_place() -> None:
    """Forking beside another thread could copy a lock it holds: such a process never forks."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        found = fanout.map_chunked(pids, list(range(100)), 0, min_items=1, workers=2)
    finally:
        stop.set()
        other.join()
    assert [value for value, _ in found] == list(range(100))
    assert {pid for _, pid in found} == {os.getpid()}


def test_few_items_are_done_in_place() -> None:
    """Below ``min_items`` starting workers would cost more than it saves."""
    out, _ = fresh(SPREAD.format(work="pids", least=101))
    assert isinstance(out, dict)
    assert [value for value, _ in out["found"]] == list(range(1000, 1100))
    assert {pid for _, pid in out["found"]} == {out["me"]}


LOAD = """
import json, sys
from pathlib import Path
from bot.core.loading import fanout
from bot.core.loading.intent_files import IntentLoader
from bot.errors import IntentError
from tests.helpers import ROOT, fresh
from bot.core.sections import load_article

article = load_article(ROOT / "seeds" / "sections.yaml")
folder = Path(sys.argv[1])

pools = []

class Counted(fanout.ProcessPoolExecutor):
    def __init__(self, *args, **kwargs):
        pools.append(kwargs)
        super().__init__(*args, **kwargs)

fanout.ProcessPoolExecutor = Counted
fanout.usable_cpus = lambda: 2  # as on this machine, whatever the one running the tests has

def load(spread):
    fanout.MIN_ITEMS, fanout.CHUNK = (1, 2) if spread else (10**9, 500)
    try:
        found = IntentLoader().load(folder, article)
    except IntentError as exc:
        return None, [str(p) for p in exc.problems]
    return found, [[i.example_lines, i.normalised] for i in found.intents]

(spread, spread_detail), (alone, alone_detail) = load(True), load(False)
print(json.dumps({"same": spread == alone and spread_detail == alone_detail,
                  "loaded": spread is not None, "detail": spread_detail, "pools": len(pools)}))
"""


def test_intent_files_checked_in_workers_load_as_in_place(tmp_path: Path) -> None:
    """The shipped intents checked in workers are the same set, lines and all; a broken file's
    problems come back from a worker naming its file, line and key."""
    folder = tmp_path / "intents"
    shutil.copytree(ROOT / "intents", folder)
    script = LOAD.replace("sys.argv[1]", repr(str(folder)))
    good, errors = fresh(script)
    assert isinstance(good, dict) and good["same"] and good["loaded"]
    assert good["pools"] == 1 and "worker processes failed" not in errors
    (folder / "broken.yaml").write_text(
        "version: 1\nintents:\n  - id: broken\n    section: nowhere\n", encoding="utf-8"
    )
    bad, errors = fresh(script)
    assert isinstance(bad, dict) and bad["same"] and not bad["loaded"]
    assert bad["pools"] == 1 and "worker processes failed" not in errors
    assert any(str(folder / "broken.yaml") + ":4: broken.section" in p for p in bad["detail"])
