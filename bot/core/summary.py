"""Summaries of the article and of each section, and the article's outline."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.article import Article, SummaryLine, location
from bot.core.text import STOPWORDS, normalise
from bot.errors import UnknownSectionError

# "3", "¶3", "p3", "p. 3", "para 3", "paragraph 3"
_PARAGRAPH = re.compile(r"(?:¶|p\.?|para\.?|paragraph)?\s*(\d{1,6})")
# A fuzzy match must score this much (0-100) and lead every other section by LEAD points:
# "kerry" fits "Putin meets Kerry" and "Kerry and Russia's leverage" equally, so it names neither.
SECTION_CUTOFF = 75.0
SECTION_LEAD = 5.0
MAX_SECTION_QUERY = 100  # longer than any title: not worth a fuzzy comparison


@dataclass(frozen=True)
class Summary:
    """A summary ready to render: a heading and sentences that point to paragraphs."""

    heading: str
    lines: tuple[SummaryLine, ...]
    section_id: str | None = None


@dataclass(frozen=True)
class OutlineEntry:
    """One row of the article's outline."""

    section_id: str
    title: str
    where: str


def summarise(article: Article, section_id: str | None = None) -> Summary:
    """Return the curated summary of the whole article, or of one section.

    A section without curated sentences falls back to its first sentence, quoted verbatim.
    """
    if section_id is None:
        lines = article.summary or tuple(
            line for section in article.sections for line in section.summary
        )
        return Summary(f"Summary of “{article.title}”", lines)
    section = article.section(section_id)
    lines = section.summary
    if not lines:
        first = article.sentences(section_id)[0]
        lines = (SummaryLine(f"“{article.text[first[0] : first[1]]}”", section.paragraphs[:1]),)
    return Summary(section.title, lines, section_id)


def resolve_section(article: Article, query: str) -> str:
    """Return the id of the section ``query`` names: an id, a title, a paragraph number ("3",
    "¶3", "p3"), or a close enough spelling of an id or title ("turky coup", "olympics").

    Raises UnknownSectionError (or UnknownParagraphError for a number outside the article).
    """
    text = query.strip()
    wanted = text.casefold()
    for section in article.sections:
        if wanted in (section.id, section.title.casefold()):
            return section.id
    number = _PARAGRAPH.fullmatch(wanted)
    if number:
        return article.section_of_paragraph(int(number.group(1))).id
    words = set(normalise(text).split())
    worth = len(text) <= MAX_SECTION_QUERY and not words <= STOPWORDS  # "a", "the": no topic
    found = _closest_section(article, text) if worth else None
    if found is None:
        shown = text if len(text) <= 60 else text[:59] + "…"
        raise UnknownSectionError(shown)
    return found


def _closest_section(article: Article, text: str) -> str | None:
    """The section whose id or title is clearly the closest to ``text``, if one is."""
    choices = {(s.id, "id"): s.id.replace("-", " ") for s in article.sections}
    choices.update({(s.id, "title"): s.title for s in article.sections})
    best = dict.fromkeys((s.id for s in article.sections), 0.0)
    for _, score, (section_id, _kind) in process.extract(
        text,
        choices,
        scorer=_section_score,
        processor=normalise,
        limit=None,
        score_cutoff=SECTION_CUTOFF - SECTION_LEAD,  # below that, no rival can matter
    ):
        best[section_id] = max(score, best[section_id])
    ranked = sorted(best, key=best.__getitem__, reverse=True)
    top = best[ranked[0]] if ranked else 0.0
    runner_up = best[ranked[1]] if len(ranked) > 1 else 0.0
    return ranked[0] if top >= SECTION_CUTOFF and top - runner_up >= SECTION_LEAD else None


def _section_score(a: str, b: str, **kwargs: object) -> float:
    """WRatio finds "olympic" in a title; token_set_ratio sees past "the" in "the coup"."""
    return max(fuzz.WRatio(a, b), fuzz.token_set_ratio(a, b))


def outline(article: Article) -> list[OutlineEntry]:
    """Return the sections in order with their paragraph ranges."""
    return [
        OutlineEntry(s.id, s.title, location(article.section_quote(s.id), s))
        for s in article.sections
    ]


def cite(paragraphs: tuple[int, ...]) -> str:
    """Return ``(¶2)`` / ``(¶2–3)`` / ``(¶1, ¶4)`` for summary lines; empty for none."""
    if not paragraphs:
        return ""
    numbers = sorted(set(paragraphs))
    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 1:
        return f"(¶{numbers[0]}–{numbers[-1]})"
    return "(" + ", ".join(f"¶{n}" for n in numbers) + ")"
