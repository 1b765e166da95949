"""/summary's section argument: ids, titles, paragraph numbers and near spellings of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.article import Article
from bot.core.summary import resolve_section
from bot.errors import UnknownParagraphError, UnknownSectionError
from tests.discord_harness import running_bot

FOUND = [
    ("turkey-coup", "turkey-coup"),
    ("  TURKEY-COUP ", "turkey-coup"),
    ("The failed coup in Turkey", "turkey-coup"),
    ("3", "kerry-and-leverage"),
    ("¶3", "kerry-and-leverage"),
    ("p3", "kerry-and-leverage"),
    ("P. 7", "what-russia-gains"),
    ("paragraph 5", "turkey-coup"),
    ("turky coup", "turkey-coup"),
    ("the coup", "turkey-coup"),
    ("olympics", "lavrov-and-olympics"),
    ("olympic", "lavrov-and-olympics"),
    ("putin kery", "putin-meets-kerry"),
    ("russian gains", "what-russia-gains"),
    ("headline", "about"),
]

MISSING = ["banana bread", "kerry", "russia", "the", "a", "", "x" * 5000]


@pytest.mark.parametrize(("query", "section_id"), FOUND)
def test_resolves_ids_titles_numbers_and_near_spellings(
    article: Article, query: str, section_id: str
) -> None:
    """An id, a title, a paragraph number or a close spelling names its section."""
    assert resolve_section(article, query) == section_id


@pytest.mark.parametrize("query", MISSING)
def test_unclear_or_unknown_names_raise_unknown_section(article: Article, query: str) -> None:
    """Nothing close, a word two sections share ("kerry"), or only function words name none."""
    with pytest.raises(UnknownSectionError) as caught:
        resolve_section(article, query)
    assert len(caught.value.section_id) <= 60


@pytest.mark.parametrize("query", ["0", "8", "¶99"])
def test_paragraph_outside_the_article_raises_unknown_paragraph(
    article: Article, query: str
) -> None:
    """A paragraph number the article does not have is a typed error giving its range."""
    with pytest.raises(UnknownParagraphError) as caught:
        resolve_section(article, query)
    assert caught.value.count == len(article.paragraphs)


def test_every_id_title_and_paragraph_resolves(article: Article) -> None:
    """Each section's id and title, and each paragraph number, lead to that section."""
    for section in article.sections:
        assert resolve_section(article, section.id) == section.id
        assert resolve_section(article, section.title) == section.id
        for number in section.paragraphs:
            assert resolve_section(article, f"¶{number}") == section.id


async def test_discord_summary_reads_the_argument_like_the_terminal(tmp_path: Path) -> None:
    """Discord's /summary takes a near spelling or a paragraph number; "kerry" is refused."""
    async with running_bot(tmp_path) as run:
        for typed in ("turky coup", "¶5"):
            result = await run.fake.run_slash("summary", {"section": typed})
            assert result.embeds[0]["title"] == "The failed coup in Turkey", typed
        refused = await run.fake.run_slash("summary", {"section": "kerry"})
        assert refused.ephemeral and "no section called `kerry`" in (refused.content or "")
