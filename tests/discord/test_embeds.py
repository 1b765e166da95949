"""Summaries and the outline as embeds, built from core's data (not from its Markdown text)."""

from __future__ import annotations

import dataclasses

from bot.core.article import Article, SummaryLine
from bot.core.summary import Summary, outline
from bot.discord.embeds import outline_embed, summary_embed


def test_outline_keeps_a_title_with_markdown_characters(article: Article) -> None:
    """A headline holding ``**`` keeps it: the embed no longer strips the bold markers the
    terminal's text puts around the title."""
    header = dataclasses.replace(article.header, title="Putin's **bold** gamble")
    titled = dataclasses.replace(article, header=header)
    embed = outline_embed(titled)
    assert embed.title is not None and embed.title.startswith("Putin's **bold** gamble — ")
    rows = (embed.description or "").split("\n")
    assert len(rows) == len(outline(article))
    assert rows[0].startswith(f"`{article.sections[0].id}` {article.sections[0].title} (")


def test_summary_lines_are_bullets_citing_paragraphs() -> None:
    """Each summary sentence is one bullet citing its paragraphs; the heading is the title even
    when it holds a line break; no sentences says so."""
    lines = (SummaryLine("Kerry met Putin.", (2,)), SummaryLine("NATO met.", (5, 6)))
    embed = summary_embed(Summary("Two\nlines", lines))
    assert embed.title == "Two\nlines"
    assert embed.description == "• Kerry met Putin. (¶2)\n• NATO met. (¶5–6)"
    assert summary_embed(Summary("Empty", ())).description == "No summary yet."
