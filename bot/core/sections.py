"""Load the article together with its sections file (``seeds/sections.yaml``)."""

from __future__ import annotations

import datetime
import re
from dataclasses import replace
from pathlib import Path

from bot.core.article import Article, Paragraph, Section, SummaryLine, parse_body
from bot.core.header import Header
from bot.core.loading.checks import Checker
from bot.core.loading.lined import LineDict, LineList
from bot.core.loading.yamlsrc import YamlSyntaxError, read_yaml
from bot.errors import ArticleError

SECTIONS_VERSION = 1
SECTION_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TOP_KEYS = {"version", "article", "sections", "summary", "author", "place", "date"}
_SECTION_KEYS = {"id", "title", "paragraphs", "header", "summary"}


def load_article(sections_path: Path) -> Article:
    """Read ``sections.yaml`` and the article it names; raise ArticleError listing every problem."""
    check = Checker(str(sections_path))
    try:
        raw = read_yaml(sections_path)
    except (OSError, YamlSyntaxError) as exc:
        line = exc.line if isinstance(exc, YamlSyntaxError) else 1
        check.add(line, "sections", str(getattr(exc, "message", exc)))
        raise ArticleError(check.problems) from exc
    data = check.mapping(raw, 1, "sections")
    if data is None:
        raise ArticleError(check.problems)
    check.version(data, SECTIONS_VERSION)
    check.keys(data, "", _TOP_KEYS, {"sections"})
    article_name = check.string(data, "article", "") or "article.txt"
    article_path = sections_path.parent / article_name
    try:
        text = article_path.read_text(encoding="utf-8")
    except OSError as exc:
        check.add(data.line_of("article"), "article", f"cannot read {article_path}: {exc.strerror}")
        raise ArticleError(check.problems) from exc
    header, paragraphs = parse_body(text)
    header = _override_byline(check, data, header)
    sections = _sections(check, data, header, paragraphs)
    summary = _summary(check, data, "", len(paragraphs))
    if check.problems:
        raise ArticleError(check.problems)
    return Article(text, header, paragraphs, tuple(sections), summary)


def _override_byline(check: Checker, data: LineDict, header: Header) -> Header:
    """Let the sections file name the author, place and date when parsing the header cannot.

    An override is taken as written, whether or not parsing found anything there: these are labels
    shown beside quotes, never quoted as article text.
    """
    author = check.string(data, "author", "") or header.author
    place = check.string(data, "place", "") or header.place
    raw_date = data.get("date")
    # An unquoted `date: 2016-07-18` reaches us as a date object, not text.
    if isinstance(raw_date, datetime.date):
        date = raw_date.isoformat()
    else:
        date = check.string(data, "date", "") or header.date
    return replace(header, author=author, place=place, date=date)


def _sections(
    check: Checker, data: LineDict, header: Header, paragraphs: tuple[Paragraph, ...]
) -> list[Section]:
    raw = data.get("sections")
    if not isinstance(raw, LineList):
        check.add(data.line_of("sections"), "sections", "expected a list of sections")
        return []
    sections: list[Section] = []
    owner: dict[int, str] = {}
    for index, item in enumerate(raw):
        entry = check.mapping(item, raw.line_of(index), f"sections[{index}]")
        if entry is None:
            continue
        section = _section(check, entry, index, header, paragraphs, owner)
        if section is not None:
            if any(s.id == section.id for s in sections):
                check.add(entry.line_of("id"), f"{section.id}.id", "duplicate section id")
            sections.append(section)
    for para in paragraphs:
        if para.number not in owner:
            check.add(raw.line, "sections", f"paragraph {para.number} belongs to no section")
    return sections


def _section(
    check: Checker,
    entry: LineDict,
    index: int,
    header: Header,
    paragraphs: tuple[Paragraph, ...],
    owner: dict[int, str],
) -> Section | None:
    where = f"sections[{index}]"
    check.keys(entry, where, _SECTION_KEYS, {"id", "title"})
    section_id = check.string(entry, "id", where)
    title = check.string(entry, "title", where)
    if section_id is None or title is None:
        return None
    if not SECTION_ID.match(section_id):
        check.add(entry.line_of("id"), f"{where}.id", "use lowercase words joined by hyphens")
    where = section_id
    summary = _summary(check, entry, where, len(paragraphs))
    if entry.get("header") is True:
        return Section(section_id, title, 0, header.end, (), True, summary)
    numbers = check.int_list(entry, "paragraphs", where)
    if not numbers:
        check.add(entry.line, f"{where}.paragraphs", "list the paragraphs, or set `header: true`")
        return None
    bad = [n for n in numbers if not 1 <= n <= len(paragraphs)]
    if bad:
        msg = f"paragraph {bad[0]} is not in the article (it has 1-{len(paragraphs)})"
        check.add(entry.line_of("paragraphs"), f"{where}.paragraphs", msg)
        return None
    if numbers != list(range(numbers[0], numbers[-1] + 1)):
        check.add(entry.line_of("paragraphs"), f"{where}.paragraphs", "must be consecutive")
        return None
    for number in numbers:
        if number in owner:
            msg = f"paragraph {number} is already in section {owner[number]!r}"
            check.add(entry.line_of("paragraphs"), f"{where}.paragraphs", msg)
        owner[number] = section_id
    start, end = paragraphs[numbers[0] - 1].start, paragraphs[numbers[-1] - 1].end
    return Section(section_id, title, start, end, tuple(numbers), False, summary)


def _summary(check: Checker, data: LineDict, where: str, count: int) -> tuple[SummaryLine, ...]:
    raw = data.get("summary")
    key = f"{where}.summary" if where else "summary"
    if raw is None:
        return ()
    if not isinstance(raw, LineList):
        check.add(data.line_of("summary"), key, "expected a list of {text, paragraphs}")
        return ()
    lines: list[SummaryLine] = []
    for index, item in enumerate(raw):
        entry = check.mapping(item, raw.line_of(index), f"{key}[{index}]")
        if entry is None:
            continue
        check.keys(entry, f"{key}[{index}]", {"text", "paragraphs"}, {"text"})
        text = check.string(entry, "text", f"{key}[{index}]")
        numbers = check.int_list(entry, "paragraphs", f"{key}[{index}]")
        for number in numbers:
            if not 1 <= number <= count:
                check.add(
                    entry.line_of("paragraphs"),
                    f"{key}[{index}].paragraphs",
                    f"paragraph {number} is not in the article (it has 1-{count})",
                )
        if text:
            lines.append(SummaryLine(text, tuple(numbers)))
    return tuple(lines)
