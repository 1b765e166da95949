"""The one text normaliser, tokenising, sentence splitting and truncation."""

from __future__ import annotations

import re
import unicodedata

# Function words carry no topic: they are ignored when weighing keyword overlap.
STOPWORDS = frozenset(
    """
    a about above after again all also am an and any are as at be been being both but by can
    could did do does doing done for from had has have having he her here hers him his how i
    if in into is it its itself just me more most my no nor not of off on once only or other
    our out over own same she should so some such than that the their theirs them then there
    these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours s t d ll m re ve don dont doesnt
    didnt isnt wasnt whats tell please pls plz know say says said think article thing things
    get got one ok okay really much many let lets u ur r wat wats wut wht whta waht teh da abt
    bout ya even actually basically
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Question words are function words, but they tell "when did they meet" from "where did they
# meet": the matcher keeps them, with a small weight.
QUESTION_WORDS = frozenset({"who", "when", "where", "why", "how", "which"})

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_NON_WORD = re.compile(r"[^\w]+")
_POSSESSIVE = re.compile(r"(\w)'s\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\u2019\u201d\"')\]]*\s+(?=[\u2018\u201c\"'(\[]?[A-Z0-9])")


def normalise(text: str) -> str:
    """Return ``text`` casefolded, NFKC-normalised, with punctuation turned into single spaces.

    Used for examples once at load time and for every question at ask time, so both sides of a
    comparison are always shaped the same way.
    """
    # Each step is skipped when it cannot change the text: plain lowercase words are the common
    # case (every example at a first start), and the regexes cost more than the checks.
    given = text
    if text.isascii():  # NFKC leaves ASCII as it is, and casefold() is lower() there
        text = text.replace("`", "'").lower() if "`" in text else text.lower()
    else:
        text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    if "'" in text:
        text = _POSSESSIVE.sub(r"\1", text).replace("'", "")
    if not (text.isascii() and text.replace(" ", "").isalnum()):  # ASCII isalnum: no "_"
        # Underscore is a word character for regexes but a separator for readers.
        text = _NON_WORD.sub(" ", text).replace("_", " ")
    text = " ".join(text.split())
    # An example already in normal form is then held once, not twice, by its intent.
    return given if text == given else text


def tokens(text: str) -> list[str]:
    """Split an already normalised string into tokens."""
    return text.split()


def content_tokens(words: list[str], keep: frozenset[str] = frozenset()) -> list[str]:
    """Drop stopwords (except those in ``keep``), keeping the order of the remaining tokens."""
    return [w for w in words if w not in STOPWORDS or w in keep]


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in ``text``, shifted by ``offset``."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group(0).rstrip())
        spans.append((offset + start, offset + end))
        start = match.end()
    if text[start:].strip():
        spans.append((offset + start, offset + len(text.rstrip())))
    return spans


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut ``text`` to at most ``limit`` characters, at a word boundary when one is near."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + ellipsis


def clean_user_text(text: str, limit: int) -> str:
    """Strip control and zero-width characters from user text and cap its length."""
    kept = "".join(
        ch if unicodedata.category(ch)[0] != "C" or ch in "\n\t" else " "
        for ch in text[: limit * 2]
    )
    return " ".join(kept.split())[:limit]
