"""The one place that turns expected errors into a short sentence for users."""

from __future__ import annotations

from bot.errors import (
    ArticleBotError,
    DataFileError,
    IntentExistsError,
    ReadOnlyIntentError,
    UnknownIntentError,
    UnknownParagraphError,
    UnknownSectionError,
)

GENERIC = "Sorry, something went wrong on my side. The moderators can find the details in the log."


def user_message(error: BaseException) -> str:
    """Return a short, user-facing sentence for an error (generic for unexpected ones)."""
    if isinstance(error, UnknownSectionError):
        return f"There is no section called `{error.section_id}`. Try /sections for the list."
    if isinstance(error, UnknownParagraphError):
        return f"The article has paragraphs 1 to {error.count}; there is no ¶{error.number}."
    if isinstance(error, UnknownIntentError):
        return f"There is no intent `{error.intent_id}`."
    if isinstance(error, IntentExistsError):
        return f"An intent `{error.intent_id}` already exists; choose another id."
    if isinstance(error, ReadOnlyIntentError):
        return f"`{error.intent_id}` is defined in {error.path}, which only a person edits."
    if isinstance(error, DataFileError):
        lines = [str(p) for p in error.problems[:10]]
        more = len(error.problems) - len(lines)
        if more > 0:
            lines.append(f"… and {more} more")
        return "Rejected:\n" + "\n".join(lines)
    if isinstance(error, ArticleBotError):
        return str(error)
    return GENERIC
