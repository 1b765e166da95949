"""Replies as Discord messages: embeds, block quotes, limits, and never a ping."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
import discord

from bot.core.article import Article, location
from bot.core.header import credit
from bot.core.plaintext import block_quote
from bot.core.replies import Reply, ReplyKind
from bot.core.summary import Summary, cite, outline
from bot.core.text import truncate

MAX_CONTENT = 2000
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_TITLE = 256
MAX_BUTTON_LABEL = 80
NO_PINGS = discord.AllowedMentions.none()
# What a send that did not arrive raises once discord.py gave up: Discord's refusal, or a
# connection that failed (discord.py passes aiohttp's errors through, and does not retry a POST
# whose connection dropped: it may have been posted).
DELIVERY_ERRORS: tuple[type[Exception], ...] = (discord.HTTPException, aiohttp.ClientError)
COLOUR = discord.Colour.blurple()


@dataclass(frozen=True)
class Rendered:
    """Message parts: plain content and/or one embed."""

    content: str | None = None
    embed: discord.Embed | None = None


def safe_text(text: str, limit: int = MAX_CONTENT) -> str:
    """Cap text to a Discord limit. Mentions are defused by ``NO_PINGS`` on every send."""
    return truncate(text, limit)


def plain(text: str) -> str:
    """Text written by moderators (an intent's lead, reply or examples) shown as typed: no
    markdown, so it can never pose as a block quote of the article or hide a masked link."""
    return discord.utils.escape_markdown(text)


def reply_message(article: Article, reply: Reply) -> Rendered:
    """Render a turn: an embed quoting the article for answers, short text otherwise."""
    if reply.kind is ReplyKind.ANSWER and reply.quote is not None and reply.section_id:
        section = article.section(reply.section_id)
        spot = location(reply.quote, section)
        embed = discord.Embed(
            title=truncate(f"{section.title} · {spot}" if spot else section.title, MAX_EMBED_TITLE),
            description=fit_quote(plain(reply.lead or ""), reply.quote.text, MAX_EMBED_DESCRIPTION),
            colour=COLOUR,
        )
        footer = " — ".join(part for part in (article.title, credit(article.header)) if part)
        embed.set_footer(text=truncate(footer, 2048))
        return Rendered(embed=embed)
    # Only the article is ever quoted: every other reply is plain text (the bot's own words,
    # or an intent's reply and examples as moderators wrote them).
    text = plain(reply.message)
    if reply.suggestions:
        text += "\n" + "\n".join(f"• {plain(s.label)}" for s in reply.suggestions)
    return Rendered(content=safe_text(text))


def fit_quote(lead: str, quote: str, limit: int) -> str:
    """Lead, then the quote as a block quote; a quote too long is cut after a sentence (or word),
    so what is shown stays a verbatim prefix of the article text, and "…" marks the cut."""
    head = f"{truncate(lead, limit // 4)}\n" if lead else ""
    text = head + block_quote(quote)
    if len(text) <= limit:
        return text
    budget = limit - len(head) - 4 - 2 * quote.count("\n")  # room for "> " markers and "…"
    cut = max(quote.rfind(". ", 0, budget) + 1, 0) or quote.rfind(" ", 0, budget)
    return head + block_quote(quote[: max(cut, 1)].rstrip()) + "\n…"


def summary_embed(summary: Summary) -> discord.Embed:
    """Render a summary as an embed: one bullet a sentence, citing its paragraphs."""
    rows = [f"• {line.text} {cite(line.paragraphs)}".rstrip() for line in summary.lines]
    return discord.Embed(
        title=truncate(summary.heading, MAX_EMBED_TITLE),
        description=truncate("\n".join(rows) or "No summary yet.", MAX_EMBED_DESCRIPTION),
        colour=COLOUR,
    )


def outline_embed(article: Article) -> discord.Embed:
    """Render the article's outline as an embed: the title and byline, then a row a section."""
    by = credit(article.header)
    title = f"{article.title} — {by}" if by else article.title
    rows = [f"`{e.section_id}` {e.title} ({e.where})" for e in outline(article)]
    return discord.Embed(
        title=truncate(title, MAX_EMBED_TITLE),
        description=truncate("\n".join(rows), MAX_EMBED_DESCRIPTION),
        colour=COLOUR,
    )


def button_label(text: str) -> str:
    """Cap a button label to Discord's 80 characters."""
    return truncate(text, MAX_BUTTON_LABEL)
