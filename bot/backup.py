"""``article-bot backup``: a consistent copy of the SQLite database, safe while the bot writes.

SQLite's online backup API copies the database inside one read transaction: in WAL mode the bot
keeps committing meanwhile, and the copy is the database as it was when the copy began. It is
written to a temporary file beside the destination and moved into place only once complete and
checked, so a crash or a full disk never leaves a half-written backup under the name asked for.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shlex
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.errors import BackupError, BackupExistsError
from bot.files import fsync_path

# A bot busy checkpointing its WAL may hold the source for a moment: wait rather than fail.
BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class BackupResult:
    """A backup written: where, and how many bytes."""

    path: Path
    size: int


def pg_dump_command(target: Path) -> str:
    """The command that backs up a PostgreSQL database to ``target``.

    It names ``$DATABASE_URL`` rather than the URL itself: the URL holds the password, and this
    line is printed on a terminal.
    """
    return f'pg_dump --format=custom --file={shlex.quote(str(target))} "$DATABASE_URL"'


def backup_sqlite(source: Path, target: Path, *, force: bool = False) -> BackupResult:
    """Copy the database ``source`` to ``target`` (replacing it only with ``force``).

    Raises BackupExistsError when ``target`` exists and ``force`` is not given, BackupError for
    anything else that stops the copy (no database, a folder, a copy that fails its check).
    """
    _check_target(source, target, force)
    if not source.is_file():
        raise BackupError(str(target), f"there is no database at {source}")
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(fd)
    partial = Path(name)
    try:
        _copy(source, partial, str(target))
        fsync_path(partial)
        _move(partial, target, force)
        fsync_path(target.parent)
    except OSError as exc:
        raise BackupError(str(target), exc.strerror or str(exc)) from exc
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size)


def _check_target(source: Path, target: Path, force: bool) -> None:
    """Refuse a destination that cannot or may not take the backup, before copying anything."""
    if target.is_dir():
        raise BackupError(str(target), "it is a folder; name the backup file")
    if not target.parent.is_dir():
        raise BackupError(str(target), f"there is no folder {target.parent}")
    if target.exists():
        if source.exists() and target.samefile(source):
            raise BackupError(str(target), "that is the database itself")
        if not force:
            raise BackupExistsError(str(target))


def _copy(source: Path, partial: Path, shown: str) -> None:
    """Copy ``source`` into the empty file ``partial`` and check the copy."""
    # mode=rw: never create a database where none is (a mistyped path would be "backed up"
    # as an empty one), and, unlike mode=ro, clean up the journal files it opened on close.
    uri = f"{source.resolve().as_uri()}?mode=rw"
    try:
        src = sqlite3.connect(uri, uri=True)
        try:
            src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            dst = sqlite3.connect(partial)
            try:
                # All pages in one step: one read transaction, so one consistent moment. In
                # steps, every commit of the bot's between two steps would restart the copy.
                src.backup(dst, pages=-1)
                # The copy stands alone: no WAL beside it to lose when it is moved or mailed.
                dst.execute("PRAGMA journal_mode = DELETE").fetchone()
                verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(shown, f"{source}: {str(exc).splitlines()[0]}") from exc
    if verdict != "ok":
        raise BackupError(shown, f"the copy failed its check ({verdict})")


def _move(partial: Path, target: Path, force: bool) -> None:
    """Put the finished copy in place at once: replacing only with ``force``."""
    if force:
        os.replace(partial, target)
        return
    try:
        # A link fails if the name was taken meanwhile, where a rename would overwrite it.
        os.link(partial, target)
    except FileExistsError:
        raise BackupExistsError(str(target)) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV):
            raise
        # A file system without hard links: check, then rename (a narrow race, said here).
        if target.exists():
            raise BackupExistsError(str(target)) from None
        os.replace(partial, target)
