"""Results worked out from a file, remembered while the file stays the same.

A file is the same while its modification time, size and inode are (``os.link`` of a new file,
as moderators' authoring writes, changes the inode; an editor's save changes the time). The
result also depends on a context (for intent files, the article their quotes are checked
against); another context is a miss.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")
Stamp = tuple[int, int, int]


def file_stamp(path: Path) -> Stamp:
    """The file's modification time (ns), size and inode."""
    info = path.stat()
    return (info.st_mtime_ns, info.st_size, info.st_ino)


class FileMemo(Generic[T]):
    """path -> the value computed from that file as it was, in a given context."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Stamp, object, T]] = {}

    def get(self, path: str, stamp: Stamp, context: object) -> T | None:
        """The value remembered for ``path`` if the file and context are unchanged."""
        entry = self._entries.get(path)
        if entry is None or entry[0] != stamp or entry[1] is not context:
            return None
        return entry[2]

    def put(self, path: str, stamp: Stamp, context: object, value: T) -> None:
        """Remember ``value`` for ``path`` as stamped, in ``context``."""
        self._entries[path] = (stamp, context, value)

    def keep_only(self, paths: Iterable[str]) -> None:
        """Forget every file not in ``paths`` (removed since)."""
        keep = set(paths)
        for path in [p for p in self._entries if p not in keep]:
            del self._entries[path]
