"""The error taxonomy: every failure the bot expects, as a typed exception.

One place (``bot.messages.user_message``) turns these into a short sentence for users; anything
else is a bug, logged with its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class ArticleBotError(Exception):
    """Base class of every error the bot expects and can explain."""


@dataclass(frozen=True)
class Problem:
    """One validation problem in a data file, located to the line and key."""

    path: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.key}: {self.message}"


class DataFileError(ArticleBotError):
    """One or more data files (config, sections, intents) failed validation."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(DataFileError):
    """config.yaml or the environment holds an invalid setting."""


class ArticleError(DataFileError):
    """The article or its sections file is malformed."""


class IntentError(DataFileError):
    """Intent files failed validation; the previous good set stays in force."""


class UnknownSectionError(ArticleBotError):
    """A section id that the article does not declare."""

    def __init__(self, section_id: str) -> None:
        self.section_id = section_id
        super().__init__(f"unknown section {section_id!r}")


class UnknownParagraphError(ArticleBotError):
    """A paragraph number outside the article."""

    def __init__(self, number: int, count: int) -> None:
        self.number = number
        self.count = count
        super().__init__(f"paragraph {number} is not in the article (it has 1-{count})")


class UnknownIntentError(ArticleBotError):
    """An intent id that the loaded intent set does not contain."""

    def __init__(self, intent_id: str) -> None:
        self.intent_id = intent_id
        super().__init__(f"unknown intent {intent_id!r}")


class IntentExistsError(ArticleBotError):
    """An intent with this id already exists (for example added by another moderator)."""

    def __init__(self, intent_id: str) -> None:
        self.intent_id = intent_id
        super().__init__(f"an intent with id {intent_id!r} already exists")


class ReadOnlyIntentError(ArticleBotError):
    """The intent lives in a hand-written file, which the bot never rewrites."""

    def __init__(self, intent_id: str, path: str) -> None:
        self.intent_id = intent_id
        self.path = path
        super().__init__(f"intent {intent_id!r} is defined in {path}; edit that file by hand")


class StoreOpenError(ArticleBotError):
    """The database cannot be opened, created or written at start."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot open the database {path}: {reason}")


class StoreWriteError(ArticleBotError):
    """A write to the database failed (disk full, read-only, locked too long)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"could not save: {reason}")


class DiscordUnreachableError(ArticleBotError):
    """Discord's API took the connection but did not answer the login in time."""

    def __init__(self, api: str, seconds: float) -> None:
        self.api = api
        self.seconds = seconds
        super().__init__(
            f"Discord's API ({api}) did not answer the login within {seconds:.0f} s; "
            "check the network, or discord.api_base"
        )


class BackupError(ArticleBotError):
    """The database could not be backed up to ``path``."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot back up to {path}: {reason}")


class BackupExistsError(BackupError):
    """The backup's destination exists and ``--force`` was not given."""

    def __init__(self, path: str) -> None:
        super().__init__(path, "it already exists")
