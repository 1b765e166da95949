"""Results worked out from a file, remembered while the file stays the same.

A file is the same while its modification time, size and inode are (``os.link`` of a new file,
as moderators' authoring writes, changes the inode; an editor's save changes the time). The
result also depends on a context (for intent files, a fingerprint of the article their quotes are
checked against and of the code checking them); another context is a miss.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
Stamp = tuple[int, int, int]
# A folder's files as (path, stamp), in load order.
Listing = tuple[tuple[str, Stamp], ...]


def list_files(directory: Path, suffixes: tuple[str, ...]) -> Listing:
    """Every regular file in ``directory`` ending in one of ``suffixes``, stamped.

    Sorted by name within each suffix, suffixes in the order given; hidden files (editors' swap
    files, authoring's temporary files, macOS's ``._x.yaml``) left out, as ``glob`` does. So are
    folders, FIFOs, devices and symlinks that lead out of the folder or to anything but a regular
    file (each logged once): reading one could hang or never end. A file removed between listing
    and stat is left out; an unreadable folder raises OSError.
    """
    found: dict[str, list[tuple[str, Stamp]]] = {suffix: [] for suffix in suffixes}
    # Paths as str(directory / name) spells them, without a Path object per file.
    prefix = str(directory / "x")[:-1]
    with os.scandir(directory) as entries:
        for entry in entries:
            name = entry.name
            if not name.endswith(suffixes) or name.startswith("."):  # as glob: hidden files too
                continue
            suffix = next(s for s in suffixes if name.endswith(s))
            try:
                if not _regular(entry, directory):
                    _skipped(entry.path)
                    continue
                found[suffix].append((prefix + name, _stamp(entry.stat())))
            except FileNotFoundError:
                continue
    return tuple(item for suffix in suffixes for item in sorted(found[suffix]))


def _regular(entry: os.DirEntry[str], directory: Path) -> bool:
    if not entry.is_symlink():
        return entry.is_file(follow_symlinks=False)
    target = os.path.realpath(entry.path)
    inside = os.path.dirname(target) == os.path.realpath(directory)
    return inside and os.path.isfile(target)


_warned: set[str] = set()


def _skipped(path: str) -> None:
    # The folder is listed every few seconds: say it once per name, not at every look.
    if path not in _warned and len(_warned) < 1000:
        _warned.add(path)
        log.warning("skipping %s: not a regular file in the folder", path)


def _stamp(info: os.stat_result) -> Stamp:
    return (info.st_mtime_ns, info.st_size, info.st_ino)


class FileMemo(Generic[T]):
    """path -> the value computed from that file as it was, in a given context."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Stamp, object, T]] = {}

    def get(self, path: str, stamp: Stamp, context: object) -> T | None:
        """The value remembered for ``path`` if the file and context are unchanged."""
        entry = self._entries.get(path)
        if entry is None or entry[0] != stamp or entry[1] != context:
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

    def entries(self, context: object) -> dict[str, tuple[Stamp, T]]:
        """Every remembered (stamp, value) by path, of those computed in ``context``."""
        return {p: (e[0], e[2]) for p, e in self._entries.items() if e[1] == context}

    def restore(self, entries: Mapping[str, tuple[Stamp, T]], context: object) -> None:
        """Remember ``entries`` (as ``entries`` returned them) as computed in ``context``."""
        for path, (stamp, value) in entries.items():
            self._entries[path] = (stamp, context, value)
