"""Files the bot writes durably: moderator-added intents' files (``added-<id>.yaml``), written
atomically, and fsync of a file or a folder's entries (backups use it too).

Kept apart from ``bot.authoring`` so the admin's commands (``article-bot intents export``) write
the same files without loading the matcher.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

ADDED_PREFIX = "added-"
# A write in progress: hidden (the loader skips it) and swept at start if a crash left it.
TMP_PREFIX, TMP_SUFFIX = ".tmp-", ".part"


def added_file_name(intent_id: str) -> str:
    """The file name a moderator-added intent is kept under, in any folder."""
    return f"{ADDED_PREFIX}{intent_id}.yaml"


def write_file(path: Path, text: str) -> None:
    """Write ``path`` atomically (replacing it if it exists): a reader sees the old text or the
    new, never a part."""
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        fsync_path(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def fsync_path(path: Path) -> None:
    """Flush a file's data, or a folder's entries, to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
