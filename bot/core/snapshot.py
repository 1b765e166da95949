"""The last loaded intent set and its matcher, kept on disk so a restart skips the work.

Parsing and checking ten thousand intent files and indexing their examples takes seconds; reading
back what was built from them takes a fraction of one. A snapshot is used only when everything it
was built from is unchanged: the code and libraries that made it, the article, the match settings
and every intent file (name, modification time, size, inode). When only some files changed, the
checked results of the others are reused and just the changed files are parsed; when only the
matching code or settings changed, every file's checked result is reused and the matcher rebuilt
(the fingerprints: ``bot.core.fingerprint``).

A snapshot is a cache: a missing, stale, truncated or unreadable one is a miss, never an error,
and it is written atomically (temporary file, fsync, rename). It is a pickle, so it must live
where only the bot writes (its data folder, beside the database): whoever can write it can run
code as the bot, as whoever can write the bot's own source can.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from bot.core.filememo import Listing, Stamp
from bot.core.fingerprint import FORMAT
from bot.core.intent_files import Checked
from bot.core.intents import IntentSet
from bot.core.matcher import Matcher

log = logging.getLogger(__name__)

# Intent files per pickled part (see write_snapshot).
CHUNK = 1000


@dataclass(frozen=True)
class Snapshot:
    """What one load built: each file's checked result, and the whole set with its matcher."""

    files_context: str
    set_context: str
    files: Mapping[str, tuple[Stamp, Checked]]
    listing: Listing
    intents: IntentSet
    matcher: Matcher | None


def read_snapshot(path: Path, files_context: str, *, whole: str = "") -> Snapshot | None:
    """The snapshot at ``path`` if one is there, readable and built in ``files_context``.

    Its matcher is read only when it was built in the ``whole`` context; otherwise ``matcher``
    is None. Whether the files are still those of its ``listing`` is the caller's to compare.
    Unpickling makes a million objects: call it with the collector paused, as ``Knowledge``
    does for a whole load.
    """
    try:
        with path.open("rb") as stream:
            header = pickle.load(stream)
            if not (isinstance(header, tuple) and header[:2] == (FORMAT, files_context)):
                return None
            _, _, set_context, listing, chunks = header
            files: dict[str, tuple[Stamp, Checked]] = {}
            for _ in range(chunks):
                files.update(pickle.load(stream))
            matcher = _read_matcher(stream) if set_context == whole else None
    except FileNotFoundError:
        return None
    except Exception as exc:  # a broken cache is only a miss
        log.warning("ignoring the intent snapshot %s: %s", path, exc)
        return None
    if any(name not in files for name, _ in listing):
        return None
    # The set the snapshot's load assembled (it is written only for a set that passed).
    intents = IntentSet(
        tuple(i for name, _ in listing for i in files[name][1].intents),
        tuple(name for name, _ in listing),
    )
    return Snapshot(files_context, set_context, files, listing, intents, matcher)


class SnapshotWriter:
    """Writes snapshots to one path from a thread of its own; the newest one submitted wins.

    The bot can answer as soon as its engine is built: writing the snapshot (30 MB, 0.1-0.2 s
    at 10k intents) need not hold that up. The thread is no daemon, so a process that exits
    right after loading still finishes writing first.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._pending: Snapshot | None = None
        self._thread: threading.Thread | None = None

    def submit(self, snapshot: Snapshot) -> None:
        """Write ``snapshot`` soon, unless a newer one is submitted before its turn."""
        with self._lock:
            self._pending = snapshot
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="snapshot-writer")
                self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every snapshot submitted so far is written; False on timeout."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _run(self) -> None:
        while True:
            with self._lock:
                snapshot, self._pending = self._pending, None
                if snapshot is None:
                    self._thread = None
                    return
            write_snapshot(self.path, snapshot)


def write_snapshot(path: Path, snapshot: Snapshot) -> None:
    """Write ``snapshot`` to ``path`` atomically; failures are logged, not raised."""
    # Unique per writer: two loaders in one process (tests) may share a path.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    files = list(snapshot.files.items())
    chunks = [dict(files[n : n + CHUNK]) for n in range(0, len(files), CHUNK)]
    header = (FORMAT, snapshot.files_context, snapshot.set_context, snapshot.listing, len(chunks))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as stream:
            # In parts, each pickled with a memo of its own: one pickle remembering every object
            # it wrote would hold ~50 MB more at 10k intents. The header alone tells a stale one.
            for part in (header, *chunks):
                pickle.dump(part, stream, protocol=pickle.HIGHEST_PROTOCOL)
            _write_matcher(stream, snapshot.matcher)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except Exception as exc:  # the bot runs fine without its cache
        log.warning("could not write the intent snapshot %s: %s", path, exc)
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _write_matcher(stream: BinaryIO, matcher: Matcher | None) -> None:
    # Attribute by attribute, for the same reason as the chunks: each part's memo keeps
    # everything it pickled alive until the part is done.
    state = {} if matcher is None else matcher.__getstate__()
    pickle.dump(len(state), stream, protocol=pickle.HIGHEST_PROTOCOL)
    for item in state.items():
        pickle.dump(item, stream, protocol=pickle.HIGHEST_PROTOCOL)


def _read_matcher(stream: BinaryIO) -> Matcher | None:
    count = pickle.load(stream)
    if not count:
        return None
    matcher = Matcher.__new__(Matcher)
    matcher.__setstate__(dict(pickle.load(stream) for _ in range(count)))
    return matcher
