"""The one place that turns expected errors into a short sentence for users."""

from __future__ import annotations

import os
from pathlib import Path

from bot.core.text import truncate
from bot.errors import (
    ArticleBotError,
    BackupError,
    BackupExistsError,
    DataFileError,
    IntentExistsError,
    ReadOnlyIntentError,
    UnknownIntentError,
    UnknownParagraphError,
    UnknownSectionError,
)

GENERIC = "Sorry, something went wrong on my side. The moderators can find the details in the log."
# Said with an answer whose turn could not be stored (disk full, read-only): the answer stands.
UNSAVED = "(I can't save right now, so I may not remember this conversation.)"


# What a user typed, echoed back in an error, is cut to this many characters.
ECHO_LIMIT = 80


def user_message(error: BaseException, root: Path | None = None) -> str:
    """Return a short, user-facing sentence for an error (generic for unexpected ones).

    File paths in problems are shown relative to ``root`` (the intents folder) when they are
    inside it: users need the file's name, not where the server keeps it.
    """
    if isinstance(error, UnknownSectionError):
        shown = truncate(error.section_id, ECHO_LIMIT)
        return f"There is no section called `{shown}`. Try /sections for the list."
    if isinstance(error, UnknownParagraphError):
        return f"The article has paragraphs 1 to {error.count}; there is no ¶{error.number}."
    if isinstance(error, UnknownIntentError):
        return f"There is no intent `{truncate(error.intent_id, ECHO_LIMIT)}`."
    if isinstance(error, IntentExistsError):
        return f"An intent `{error.intent_id}` already exists; choose another id."
    if isinstance(error, ReadOnlyIntentError):
        where = _relative(str(error.path), root)
        return f"`{error.intent_id}` is defined in {where}, which only a person edits."
    if isinstance(error, DataFileError):
        lines = [
            f"{_relative(p.path, root)}:{p.line}: {p.key}: {p.message}" for p in error.problems[:10]
        ]
        more = len(error.problems) - len(lines)
        if more > 0:
            lines.append(f"… and {more} more")
        return "Rejected:\n" + "\n".join(lines)
    if isinstance(error, BackupExistsError):
        return f"{error.path} already exists: add --force to replace it, or choose another name."
    if isinstance(error, BackupError):
        return f"Cannot back up to {error.path}: {error.reason}."
    if isinstance(error, ArticleBotError):
        return str(error)
    return GENERIC


def _relative(path: str, root: Path | None) -> str:
    if root is None:
        return path
    try:
        inside = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:
        return path
    return path if inside.startswith("..") else inside
