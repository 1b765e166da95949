"""Summaries of the article and of each section, and the article's outline."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.article import Article, SummaryLine, location


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
