"""The article parser: header, paragraphs, sections, sentences and quote locations."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.article import Article, location, parse_body
from bot.core.header import split_byline
from tests.helpers import ROOT

SHARED_SEED = ROOT.parent / "shared" / "seeds" / "article.txt"


def test_bundled_article_is_a_byte_for_byte_copy_of_the_seed() -> None:
    """seeds/article.txt equals ../shared/seeds/article.txt when the shared folder is present."""
    if not SHARED_SEED.exists():
        pytest.skip("../shared is not beside this checkout")
    assert (ROOT / "seeds" / "article.txt").read_bytes() == SHARED_SEED.read_bytes()


def test_header_fields(article: Article) -> None:
    """Title, subtitle and byline (author, place) come from the lines before paragraph 1."""
    assert article.header.title.startswith("Tango and a Bloodbath")
    assert article.header.subtitle.startswith("Participation in the Rio Olympics")
    assert (article.header.author, article.header.place) == ("Shubhda Chaudhary", "Delhi")


def test_paragraphs_are_numbered_and_exact(article: Article) -> None:
    """Seven body paragraphs, each an exact slice of the text, in order."""
    assert len(article.paragraphs) == 7
    assert article.text[article.paragraphs[0].start :].startswith("In a major development")
    assert article.paragraph(7).text.endswith("successful bargain for Russia.")
    assert [p.number for p in article.paragraphs] == list(range(1, 8))


def test_every_paragraph_belongs_to_exactly_one_section(article: Article) -> None:
    """Sections partition the body paragraphs."""
    owners = [n for s in article.sections for n in s.paragraphs]
    assert sorted(owners) == list(range(1, 8))


def test_sentences_are_exact_substrings_within_their_section(article: Article) -> None:
    """Sentence spans cut the article text at sentence ends and stay inside the section."""
    for section in article.sections:
        spans = article.sentences(section.id)
        assert spans
        for start, end in spans:
            assert section.start <= start < end <= section.end
            assert article.text[start:end].strip() == article.text[start:end]
    first = article.sentences("putin-meets-kerry")[0]
    assert article.text[first[0] : first[1]] == (
        "In a major development, Vladimir Putin met US Secretary of State John Kerry."
    )


@pytest.mark.parametrize(("numbers", "expected"), [((3,), "¶3"), ((2, 3), "¶2–3")])
def test_location_labels(article: Article, numbers: tuple[int, ...], expected: str) -> None:
    """A quote's place is shown as ¶N or ¶N–M."""
    first, last = article.paragraphs[numbers[0] - 1], article.paragraphs[numbers[-1] - 1]
    quote = article.quote(first.start, last.end, "kerry-and-leverage")
    assert location(quote, article.section("kerry-and-leverage")) == expected


def test_header_quote_is_labelled_headline(article: Article) -> None:
    """Quotes from the header have no paragraph number and read "headline"."""
    quote = article.section_quote("about")
    assert quote.paragraphs == ()
    assert location(quote, article.section("about")) == "headline"


def test_parse_body_on_another_article() -> None:
    """A different article with a `Name, Place` byline parses the same way."""
    text = "A Title\n\nA subtitle here\nJane Roe, Paris\n\nFirst one. Second.\n\nLast para.\n"
    header, paragraphs = parse_body(text)
    assert (header.title, header.author, header.place) == ("A Title", "Jane Roe", "Paris")
    assert [text[p.start : p.end] for p in paragraphs] == ["First one. Second.", "Last para."]


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Jane Roe, Paris", ("Jane Roe", "Paris")),
        ("Jane Roe Paris", ("Jane Roe", "Paris")),
        ("Solo", ("Solo", "")),
        ("By Jane Roe", ("Jane Roe", "")),
    ],
)
def test_split_byline(byline: str, expected: tuple[str, str]) -> None:
    """Bylines split into author and place with or without a comma."""
    assert split_byline(byline) == expected


def test_find_only_accepts_verbatim_text(article: Article) -> None:
    """A snippet is found only when it is in the section character for character."""
    assert article.find("turkey-coup", "failed military coup in Turkey") is not None
    assert article.find("turkey-coup", "failed military coup in  Turkey") is None
    assert article.find("putin-meets-kerry", "failed military coup in Turkey") is None


def test_load_reports_missing_article(tmp_path: Path) -> None:
    """A sections file naming a missing article fails with the file and key."""
    from bot.core.sections import load_article
    from bot.errors import ArticleError

    sections = tmp_path / "sections.yaml"
    sections.write_text("version: 1\narticle: nope.txt\nsections: []\n", encoding="utf-8")
    with pytest.raises(ArticleError) as info:
        load_article(sections)
    assert f"{sections}:2: article: cannot read" in str(info.value)
