"""The article as text, header, numbered paragraphs and declared sections; quote location."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from bot.core.header import Header, header_block_count, read_header
from bot.core.text import sentence_spans
from bot.errors import UnknownParagraphError, UnknownSectionError

Span = tuple[int, int]

_BLOCK_BREAK = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph: its 1-based number and where it stands in the article text."""

    number: int
    start: int
    end: int


@dataclass(frozen=True)
class SummaryLine:
    """One curated summary sentence and the paragraphs it condenses."""

    text: str
    paragraphs: tuple[int, ...]


@dataclass(frozen=True)
class Section:
    """A named run of consecutive paragraphs (or the header) with a stable id."""

    id: str
    title: str
    start: int
    end: int
    paragraphs: tuple[int, ...]
    header: bool = False
    summary: tuple[SummaryLine, ...] = ()


@dataclass(frozen=True)
class Quote:
    """An exact span of the article, with the section and paragraphs it comes from."""

    text: str
    start: int
    end: int
    section_id: str
    paragraphs: tuple[int, ...]


@dataclass(frozen=True)
class Article:
    """The parsed article with its sections; every quote is cut from ``text``."""

    text: str
    header: Header
    paragraphs: tuple[Paragraph, ...]
    sections: tuple[Section, ...]
    summary: tuple[SummaryLine, ...] = ()
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({s.id: i for i, s in enumerate(self.sections)})

    @property
    def title(self) -> str:
        """The article's title."""
        return self.header.title

    def section(self, section_id: str) -> Section:
        """Return the section with this id or raise UnknownSectionError."""
        try:
            return self.sections[self._index[section_id]]
        except KeyError:
            raise UnknownSectionError(section_id) from None

    def has_section(self, section_id: str) -> bool:
        """Tell whether a section id is declared."""
        return section_id in self._index

    def next_section(self, section_id: str) -> Section | None:
        """Return the section after this one, or None at the end of the article."""
        index = self._index[section_id] + 1
        return self.sections[index] if index < len(self.sections) else None

    def paragraph(self, number: int) -> Quote:
        """Return body paragraph ``number`` (1-based) as a quote."""
        if not 1 <= number <= len(self.paragraphs):
            raise UnknownParagraphError(number, len(self.paragraphs))
        para = self.paragraphs[number - 1]
        return self.quote(para.start, para.end, self.section_of_paragraph(number).id)

    def section_of_paragraph(self, number: int) -> Section:
        """Return the section that holds body paragraph ``number``."""
        for section in self.sections:
            if number in section.paragraphs:
                return section
        raise UnknownParagraphError(number, len(self.paragraphs))

    def find(self, section_id: str, snippet: str) -> Span | None:
        """Return the span of ``snippet`` in the section, or None if it is not there verbatim."""
        section = self.section(section_id)
        start = self.text.find(snippet, section.start, section.end)
        return None if start < 0 or not snippet else (start, start + len(snippet))

    def quote(self, start: int, end: int, section_id: str) -> Quote:
        """Cut a quote out of the article text."""
        numbers = tuple(p.number for p in self.paragraphs if p.start < end and start < p.end)
        return Quote(self.text[start:end], start, end, section_id, numbers)

    def section_quote(self, section_id: str) -> Quote:
        """Return a whole section as a quote."""
        section = self.section(section_id)
        return self.quote(section.start, section.end, section_id)

    @cached_property
    def _sentences(self) -> dict[str, tuple[Span, ...]]:
        table: dict[str, tuple[Span, ...]] = {}
        for section in self.sections:
            spans: list[Span] = []
            if section.header:
                spans.extend(_line_spans(self.text, section.start, section.end))
            for number in section.paragraphs:
                para = self.paragraphs[number - 1]
                spans.extend(sentence_spans(self.text[para.start : para.end], para.start))
            table[section.id] = tuple(spans)
        return table

    def sentences(self, section_id: str) -> tuple[Span, ...]:
        """Return the sentence spans of a section, in order (header lines count as sentences)."""
        self.section(section_id)
        return self._sentences[section_id]


def location(quote: Quote, section: Section) -> str:
    """Describe where a quote stands: ``¶3`` / ``¶2–3``, or ``headline`` for the header."""
    if not quote.paragraphs:
        return "headline" if section.header else ""
    first, last = quote.paragraphs[0], quote.paragraphs[-1]
    return f"¶{first}" if first == last else f"¶{first}–{last}"


def split_blocks(text: str) -> list[Span]:
    """Return spans of the blank-line separated blocks of ``text``."""
    spans: list[Span] = []
    start = len(text) - len(text.lstrip())
    for match in _BLOCK_BREAK.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    end = len(text.rstrip())
    if end > start:
        spans.append((start, end))
    return spans


def parse_body(text: str) -> tuple[Header, tuple[Paragraph, ...]]:
    """Split article text into its header (see bot.core.header) and numbered paragraphs."""
    blocks = split_blocks(text)
    lines = [_line_spans(text, start, end) for start, end in blocks]
    body_from = header_block_count(text, lines)
    header_lines = [span for block in lines[:body_from] for span in block]
    header_end = header_lines[-1][1] if header_lines else 0
    header = read_header([text[a:b].strip() for a, b in header_lines], header_end)
    paragraphs = tuple(Paragraph(n, a, b) for n, (a, b) in enumerate(blocks[body_from:], start=1))
    return header, paragraphs


def _line_spans(text: str, start: int, end: int) -> list[Span]:
    spans: list[Span] = []
    position = start
    for line in text[start:end].split("\n"):
        if line.strip():
            lead = len(line) - len(line.lstrip())
            spans.append((position + lead, position + len(line.rstrip())))
        position += len(line) + 1
    return spans
