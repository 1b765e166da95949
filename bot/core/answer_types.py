"""Questions that ask for a figure or a date, and whether a passage holds one.

"How many fighters are trapped in Aleppo?" is on the article's topic, and the Aleppo passage is the
closest match, but if that passage has no number in it, it does not answer: the bot should say the
article doesn't say rather than quote it as if it did. English cues, no knowledge of any article.
"""

from __future__ import annotations

import re
from enum import Enum

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    "hundred|hundreds|thousand|thousands|million|millions|billion|dozen|dozens|half|percent"
)
_TIME_WORDS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|"
    "june|july|august|september|october|november|december|morning|evening|night|midnight|noon|"
    "hours|yesterday|today|tomorrow|week|weeks|month|months|year|years"
)


class AnswerType(Enum):
    """What kind of fact a question asks for, when it asks for a specific one."""

    QUANTITY = "figure"
    DATE = "date"


_ASKS = (
    (
        AnswerType.QUANTITY,
        re.compile(
            r"\bhow (many|much|old)\b|\bwhat (number|percentage|age|amount)\b|\bdeath toll\b|"
            r"\bcasualt(y|ies)\b|\bhow big\b|\bpopulation\b",
            re.IGNORECASE,
        ),
    ),
    (
        AnswerType.DATE,
        re.compile(
            r"\b(what|which) (date|day|year|month|time)\b|\bwhen exactly\b|\bon what date\b|"
            r"\bwhat time\b",
            re.IGNORECASE,
        ),
    ),
)
_HAS = {
    AnswerType.QUANTITY: re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.IGNORECASE),
    AnswerType.DATE: re.compile(rf"\d{{4}}|\b({_TIME_WORDS})\b", re.IGNORECASE),
}


def asked_type(question: str) -> AnswerType | None:
    """The specific kind of fact a question asks for, if any."""
    for kind, pattern in _ASKS:
        if pattern.search(question):
            return kind
    return None


def provides(passage: str, kind: AnswerType) -> bool:
    """Whether a passage contains a fact of that kind at all (a number, a date or time)."""
    return bool(_HAS[kind].search(passage))
