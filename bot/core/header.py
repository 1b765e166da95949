"""Read an article's header: the headline, an optional subtitle, the byline and a date line.

Articles come in many house styles: "By Name, Agency", "Name Place" under the subtitle, a date on
its own line, no subtitle at all, or a subtitle written as a sentence. The rules here decide which
leading lines are header and what each one is; the sections file can override author, place and
date when a house style defeats them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

Span = tuple[int, int]

_SENTENCE_CLOSE = tuple(".!?\"'\u2019\u201d")
_BY = re.compile(r"^by\s+(?=\S)", re.IGNORECASE)
_DATE_PREFIX = re.compile(
    r"^(?:published|updated|posted|first published|last updated)(?:\s+on)?\s*[:\-\u2013]?\s*",
    re.IGNORECASE,
)
_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_WEEKDAY = (
    r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?"
)
# A date line holds nothing but dates, times and time zones: "July 18, 2016", "18 Jul 2016 10:30
# IST", "2016-07-18", "Friday, 18/07/2016".
_DATE_TOKEN = re.compile(
    rf"^(?:{_MONTH}|{_WEEKDAY})\.?$|^\d{{1,2}}(?:st|nd|rd|th)?$|^\d{{4}}$|^\d{{4}}-\d{{2}}-\d{{2}}$"
    r"|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$|^\d{1,2}[:.]\d{2}(?:[ap]m)?$|^(?:[ap]\.?m\.?|at|on)$",
    re.IGNORECASE,
)
_ZONE = re.compile(r"^[A-Z]{2,5}$")
_HAS_DATE = re.compile(
    rf"\b(?:{_MONTH})\b|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}", re.IGNORECASE
)
# Particles that stay lowercase inside a person's name.
_NAME_PARTICLES = {"and", "de", "da", "del", "der", "di", "du", "la", "le", "van", "von", "al"}


@dataclass(frozen=True)
class Header:
    """The lines before the first paragraph: title, subtitle, byline and date, parsed."""

    title: str
    subtitle: str
    byline: str
    author: str
    place: str
    end: int
    date: str = ""


def is_date_line(line: str) -> bool:
    """Tell whether a header line is only a date (and maybe a time), like ``July 18, 2016``."""
    rest = _DATE_PREFIX.sub("", line.strip())
    tokens = [t for t in re.split(r"[\s,|\u2013\u2014-]+", rest) if t]
    if not tokens or len(tokens) > 10 or not _HAS_DATE.search(rest):
        return False
    return all(_DATE_TOKEN.match(token) or _ZONE.match(token) for token in tokens)


def is_byline(line: str) -> bool:
    """Tell whether a line reads as a byline: ``By Name, Agency`` or a short run of names."""
    text = line.strip()
    if _BY.match(text):
        return True
    words = text.replace(",", " ").split()
    if not 2 <= len(words) <= 6 or text.endswith(_SENTENCE_CLOSE):
        return False
    return all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words)


def split_byline(byline: str) -> tuple[str, str]:
    """Split ``[By] Author Name, Place`` (or ``Author Name Place``) into author and place.

    Without a comma the last word is the place only when two words are left for the name.
    """
    byline = _BY.sub("", byline.strip())
    if "," in byline:
        author, _, place = byline.partition(",")
        return author.strip(), place.strip()
    words = byline.split()
    if len(words) < 3:
        return byline, ""
    return " ".join(words[:-1]), words[-1]


def header_block_count(text: str, blocks: Sequence[Sequence[Span]]) -> int:
    """Return how many leading blocks (each a list of line spans) form the header.

    The first block is always the headline. A later block joins the header when none of its lines
    ends like a sentence, or when the one that does is a single-line subtitle followed by a byline
    or a date line; the first block that fails starts the body.
    """
    count = 1 if blocks else 0
    for index in range(1, len(blocks)):
        lines = [text[a:b].strip() for a, b in blocks[index]]
        nxt = blocks[index + 1][:1] if index + 1 < len(blocks) else []
        following = [text[a:b].strip() for a, b in nxt]
        if not _is_header_block(lines, following):
            break
        count += 1
    return count


def _is_header_block(lines: list[str], following: list[str]) -> bool:
    after = lines + following
    for position, line in enumerate(lines):
        if not line.endswith(_SENTENCE_CLOSE) or is_date_line(line) or _BY.match(line):
            continue
        signed = any(_BY.match(later) or is_date_line(later) for later in after[position + 1 :])
        if not (signed and len(line) <= 300 and "\n" not in line):
            return False
    return True


def read_header(lines: list[str], end: int) -> Header:
    """Name the header lines: the first is the title, then subtitle, byline and date."""
    if not lines:
        return Header("", "", "", "", "", end)
    title, rest = lines[0], lines[1:]
    dates = [line for line in rest if is_date_line(line)]
    rest = [line for line in rest if not is_date_line(line)]
    marked = [line for line in rest if _BY.match(line)]
    if marked:
        byline = marked[0]
    elif len(rest) >= 2 or (rest and is_byline(rest[-1])):
        byline = rest[-1]
    else:
        byline = ""
    subtitle = next((line for line in rest if line != byline), "")
    author, place = split_byline(byline) if byline else ("", "")
    date = _DATE_PREFIX.sub("", dates[0]) if dates else ""
    return Header(title, subtitle, byline, author, place, end, date)


def credit(header: Header) -> str:
    """Return ``author, place, date`` for display, leaving out what the header does not have."""
    return ", ".join(part for part in (header.author, header.place, header.date) if part)
