"""Article headers in the house styles a second article may use, and sections-file overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.article import parse_body
from bot.core.header import is_byline, is_date_line
from bot.core.sections import load_article
from bot.errors import ArticleError

BODY = "First paragraph says one thing. Then another.\n\nSecond paragraph ends here.\n"

# (header text, title, subtitle, author, place, date)
STYLES = [
    pytest.param(
        "Rates Rise Again\n\nBanks pass the cost to borrowers\nBy Jane Roe, Reuters\n\n",
        ("Rates Rise Again", "Banks pass the cost to borrowers", "Jane Roe", "Reuters", ""),
        id="by-name-comma-agency",
    ),
    pytest.param(
        "Rates Rise Again\n\nBanks pass the cost on\nBy Jane Roe Reuters\nJuly 18, 2016\n\n",
        ("Rates Rise Again", "Banks pass the cost on", "Jane Roe", "Reuters", "July 18, 2016"),
        id="by-name-agency-date-line",
    ),
    pytest.param(
        "Rates Rise Again\n\nBy Jane Roe, Reuters\n\n",
        ("Rates Rise Again", "", "Jane Roe", "Reuters", ""),
        id="no-subtitle",
    ),
    pytest.param(
        "Rates Rise Again\nJane Roe Paris\n\n",
        ("Rates Rise Again", "", "Jane Roe", "Paris", ""),
        id="no-subtitle-unmarked-byline",
    ),
    pytest.param(
        "Rates Rise Again\n\nBanks pass the cost to borrowers.\nBy Jane Roe, Reuters\n\n",
        ("Rates Rise Again", "Banks pass the cost to borrowers.", "Jane Roe", "Reuters", ""),
        id="subtitle-ends-in-full-stop",
    ),
    pytest.param(
        "Rates Rise Again\n\nBanks pass the cost on.\n\nBy Jane Roe\n\n"
        "Published: 18 Jul 2016 10:30 IST\n\n",
        ("Rates Rise Again", "Banks pass the cost on.", "Jane Roe", "", "18 Jul 2016 10:30 IST"),
        id="every-line-its-own-block",
    ),
    pytest.param(
        "Tango and a Bloodbath\n\nParticipation in the Rio Olympics could be behind it\n"
        "Shubhda Chaudhary Delhi\n\n",
        ("Tango and a Bloodbath", "Participation in the Rio Olympics could be behind it",
         "Shubhda Chaudhary", "Delhi", ""),
        id="shipped-style",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("head", "expected"), STYLES)
def test_header_styles(head: str, expected: tuple[str, ...]) -> None:
    """Each house style yields its title, subtitle, author, place and date, and the same body."""
    text = head + BODY
    header, paragraphs = parse_body(text)
    assert (header.title, header.subtitle, header.author, header.place, header.date) == expected
    assert [text[p.start : p.end] for p in paragraphs] == [
        "First paragraph says one thing. Then another.",
        "Second paragraph ends here.",
    ]
    assert header.end <= paragraphs[0].start


def test_a_one_sentence_first_paragraph_is_not_taken_for_a_subtitle() -> None:
    """A sentence with no byline or date after it is body text, not a subtitle."""
    text = "Rates Rise Again\n\nBanks passed the cost on.\n\nA second paragraph.\n"
    header, paragraphs = parse_body(text)
    assert header.subtitle == ""
    assert text[paragraphs[0].start : paragraphs[0].end] == "Banks passed the cost on."


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("July 18, 2016", True),
        ("Updated on 2016-07-18", True),
        ("Friday, 18/07/2016", True),
        ("May Smith, Reuters", False),
        ("Shubhda Chaudhary Delhi", False),
        ("The march of 2016 was long", False),
    ],
)
def test_date_lines(line: str, expected: bool) -> None:
    """Only lines made of dates, times and zones count as the date line."""
    assert is_date_line(line) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By jane roe", True),
        ("Ludwig van Beethoven", True),
        ("Participation in the Rio Olympics could be behind it", False),
        ("Rates.", False),
    ],
)
def test_bylines(line: str, expected: bool) -> None:
    """A byline is marked with "By" or is a short run of capitalised names."""
    assert is_byline(line) is expected


def _write(tmp_path: Path, article: str, extra: str) -> Path:
    (tmp_path / "article.txt").write_text(article, encoding="utf-8")
    sections = tmp_path / "sections.yaml"
    sections.write_text(
        "version: 1\n" + extra + "sections:\n"
        "  - {id: about, title: Header, header: true}\n"
        "  - {id: body, title: Body, paragraphs: [1, 2]}\n",
        encoding="utf-8",
    )
    return sections


def test_sections_file_overrides_what_parsing_found(tmp_path: Path) -> None:
    """author/place/date in the sections file win over the parsed byline."""
    text = "Rates Rise Again\n\nBanks pass the cost on\nBy Jane Roe Smith, Reuters\n\n" + BODY
    extra = "author: Jane Roe Smith\nplace: London\ndate: 2016-07-18\n"
    header = load_article(_write(tmp_path, text, extra)).header
    assert (header.author, header.place, header.date) == ("Jane Roe Smith", "London", "2016-07-18")


def test_overrides_never_fail_where_parsing_found_nothing(tmp_path: Path) -> None:
    """With no byline or date in the text at all, the sections file still supplies them."""
    text = "Rates Rise Again\n\n" + BODY
    extra = 'author: "Staff writer"\nplace: Lagos\ndate: "Tuesday"\n'
    article = load_article(_write(tmp_path, text, extra))
    assert (article.header.author, article.header.place) == ("Staff writer", "Lagos")
    assert article.header.date == "Tuesday"
    assert article.header.byline == ""


def test_a_bad_override_names_its_line(tmp_path: Path) -> None:
    """An override that is not text is reported with the file, line and key."""
    text = "Rates Rise Again\n\n" + BODY
    with pytest.raises(ArticleError) as err:
        load_article(_write(tmp_path, text, "author: [a, b]\n"))
    assert "sections.yaml:2: author:" in str(err.value)
