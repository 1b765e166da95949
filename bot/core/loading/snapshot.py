"""The last loaded intent set and its matcher, kept on disk so a restart skips the work.

Parsing and checking ten thousand intent files and indexing their examples takes seconds; reading
back what was built from them takes a fraction of one. A snapshot is used only when everything it
was built from is unchanged: the code and libraries that made it, the article, the match settings
and every intent file (name, modification time, size, inode). When only some files changed, the
checked results of the others are reused and just the changed files are parsed; when only the
matching code or settings changed, every file's checked result is reused and the matcher rebuilt
(the fingerprints: ``bot.core.loading.fingerprint``).

A snapshot is a cache: a missing, stale, truncated or unreadable one is a miss, never an error,
and it is written atomically (temporary file, fsync, rename, mode 0600). It is plain data
(``bot.core.loading.plaindata``: msgpack, never a pickle), so reading a planted file cannot run
code;
still, a file that is a symlink, not the bot's own, or writable by others is refused unread.
The header (format, the contexts it was built in) comes first: a stale snapshot is told from
it without reading the rest.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bot.core.intents import IntentSet
from bot.core.loading.filememo import Listing, Stamp
from bot.core.loading.fingerprint import FORMAT
from bot.core.loading.intent_files import Checked
from bot.core.loading.plaindata import PartWriter, PlainDataError, read_parts
from bot.core.matching.matcher import Matcher

log = logging.getLogger(__name__)

# Intent files per part (see write_snapshot).
CHUNK = 1000
# The first bytes of a snapshot: anything else (an old pickle, a stray file) is a miss.
MAGIC = b"article-bot snapshot 3\n"


class RefusedSnapshot(Exception):
    """A snapshot file that must not be read: a symlink, another user's, or writable by others."""


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
    """The snapshot at ``path`` if one is there, safe to read, and built in ``files_context``.

    Its matcher is read only when it was built in the ``whole`` context; otherwise ``matcher``
    is None. Whether the files are still those of its ``listing`` is the caller's to compare.
    Reading makes a million objects: call it with the collector paused, as ``Knowledge`` does
    for a whole load.
    """
    try:
        with _open_own(path) as stream:
            if stream.read(len(MAGIC)) != MAGIC:
                log.warning("ignoring the intent snapshot %s: not a snapshot of this version", path)
                return None
            parts = read_parts(stream)
            header = next(parts)
            if not (isinstance(header, tuple) and header[:2] == (FORMAT, files_context)):
                return None
            _, _, set_context, listing, chunks = header
            files: dict[str, tuple[Stamp, Checked]] = {}
            for _ in range(chunks):
                files.update(next(parts))
            state = _read_matcher(parts) if set_context == whole else None
    except FileNotFoundError:
        return None
    except RefusedSnapshot as exc:
        log.warning("refusing the intent snapshot %s: %s; rebuilding it", path, exc)
        return None
    except (OSError, PlainDataError, StopIteration, TypeError, ValueError) as exc:
        log.warning("ignoring the intent snapshot %s (%s); rebuilding it", path, exc)
        return None
    if any(name not in files for name, _ in listing):
        return None
    # The set the snapshot's load assembled (it is written only for a set that passed).
    intents = IntentSet(
        tuple(i for name, _ in listing for i in files[name][1].intents),
        tuple(name for name, _ in listing),
    )
    matcher = None if state is None else Matcher.restored(state, intents)
    return Snapshot(files_context, set_context, files, listing, intents, matcher)


@contextlib.contextmanager
def _open_own(path: Path) -> Iterator[IO[bytes]]:
    """Open ``path`` for reading only if it is a regular file of ours that no one else can write."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a symlink
            raise RefusedSnapshot("it is a symbolic link") from exc
        raise
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RefusedSnapshot("it is not a regular file")
        if info.st_uid != os.geteuid():
            raise RefusedSnapshot(f"it belongs to user {info.st_uid}, not to the bot's user")
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise RefusedSnapshot("others can write it")
        yield stream


class SnapshotWriter:
    """Writes snapshots to one path from a thread of its own; the newest one submitted wins.

    The bot can answer as soon as its engine is built: writing the snapshot (tens of megabytes
    with thousands of intents) need not hold that up. The thread is no daemon, so a process
    that exits right after loading still finishes writing first.
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
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        with os.fdopen(os.open(temporary, flags, 0o600), "wb") as stream:
            stream.write(MAGIC)
            # In parts: each is encoded on its own, so only one part's bytes are held at once.
            parts = PartWriter(stream)
            for part in (header, *chunks):
                parts.write(part)
            _write_matcher(parts, snapshot.matcher)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except Exception as exc:  # the bot runs fine without its cache
        log.warning("could not write the intent snapshot %s: %s", path, exc)
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _write_matcher(parts: PartWriter, matcher: Matcher | None) -> None:
    # Attribute by attribute, for the same reason as the chunks.
    state = {} if matcher is None else matcher.state()
    parts.write(len(state))
    for name, value in state.items():
        parts.write((name, value))


def _read_matcher(parts: Iterator[Any]) -> dict[str, Any] | None:
    count = next(parts)
    if not count:
        return None
    state = {}
    for _ in range(count):
        name, value = next(parts)
        state[name] = value
    return state
