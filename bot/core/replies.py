"""What a turn produces and remembers: reply kinds, replies, suggestions, conversation state."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.article import Article, Quote, location


class ReplyKind(StrEnum):
    """The outcome of a turn."""

    ANSWER = "answer"
    AMBIGUOUS = "ambiguous"
    NOT_IN_ARTICLE = "not_in_article"
    OFF_TOPIC = "off_topic"
    SMALLTALK = "smalltalk"
    END = "end_of_article"
    EMPTY = "empty"


@dataclass(frozen=True)
class DialogueSettings:
    """How conversations continue (``dialogue`` in config.yaml)."""

    more_sentences: int = 2
    expiry_minutes: float = 30.0
    more_phrases: tuple[str, ...] = (
        "more",
        "tell me more",
        "go on",
        "continue",
        "and then",
        "what else",
        "keep going",
        "more please",
        "say more",
        "next",
        "go on please",
        "and",
        "carry on",
        "anything else",
    )
    pronouns: tuple[str, ...] = (
        "it",
        "its",
        "that",
        "this",
        "they",
        "them",
        "their",
        "he",
        "him",
        "his",
        "she",
        "her",
        "there",
        "those",
        "these",
    )
    follow_up_openers: tuple[str, ...] = ("and", "what about", "how about", "but", "so", "then")
    contextual_max_words: int = 8


@dataclass(frozen=True)
class Suggestion:
    """A "did you mean" choice: an intent and a question-like label for it."""

    intent_id: str
    label: str
    section_id: str | None
    score: float


@dataclass(frozen=True)
class Reply:
    """What the bot says for one turn, before rendering."""

    kind: ReplyKind
    quote: Quote | None = None
    intent_id: str | None = None
    section_id: str | None = None
    score: float = 0.0
    lead: str | None = None
    message: str = ""
    suggestions: tuple[Suggestion, ...] = ()
    continued: bool = False

    @property
    def answered(self) -> bool:
        """True only for an answer that quotes the article."""
        return self.kind is ReplyKind.ANSWER and self.quote is not None


@dataclass(frozen=True)
class State:
    """A conversation's memory: the last thing quoted and where the passage stopped."""

    intent_id: str | None
    section_id: str
    cursor: int


def where(article: Article, reply: Reply) -> str:
    """Return ``Section title, ¶N`` for an answer, or an empty string."""
    if reply.quote is None or reply.section_id is None:
        return ""
    section = article.section(reply.section_id)
    spot = location(reply.quote, section)
    return f"{section.title}, {spot}" if spot else section.title
