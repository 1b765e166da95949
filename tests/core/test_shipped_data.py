"""The shipped intents and sections, loaded and checked as a whole."""

from __future__ import annotations

from collections import Counter

from bot.core.article import Article
from bot.core.intents import MIN_EXAMPLES, IntentKind
from bot.core.knowledge import Knowledge
from bot.core.summary import summarise


def test_every_quote_is_in_the_article(knowledge: Knowledge, article: Article) -> None:
    """Each answer intent quotes an exact span inside its own section."""
    for intent in knowledge.intents.intents:
        if intent.kind is IntentKind.ANSWER:
            assert intent.span is not None and intent.section is not None
            section = article.section(intent.section)
            assert section.start <= intent.span[0] < intent.span[1] <= section.end, intent.id


def test_every_paragraph_is_reachable_by_several_intents(
    knowledge: Knowledge, article: Article
) -> None:
    """Each paragraph (and the header) is quoted by at least two answer intents."""
    reach: Counter[int] = Counter()
    header = 0
    for intent in knowledge.intents.intents:
        if intent.kind is IntentKind.ANSWER and intent.span is not None:
            quote = article.quote(intent.span[0], intent.span[1], intent.section or "")
            reach.update(quote.paragraphs)
            header += not quote.paragraphs
    assert all(reach[p.number] >= 2 for p in article.paragraphs), reach
    assert header >= 2


def test_meta_smalltalk_and_examples(knowledge: Knowledge) -> None:
    """Greeting, thanks and help exist, and every intent has enough examples."""
    ids = set(knowledge.intents.by_id)
    assert {"greeting", "thanks", "help", "article-author", "article-title"} <= ids
    assert all(len(i.examples) >= MIN_EXAMPLES for i in knowledge.intents.intents)


def test_summaries_point_to_real_paragraphs(article: Article) -> None:
    """The article summary and every section summary cite paragraphs of that section."""
    assert summarise(article).lines
    for section in article.sections:
        lines = summarise(article, section.id).lines
        assert lines
        for line in lines:
            assert set(line.paragraphs) <= set(section.paragraphs)
