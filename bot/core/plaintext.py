"""Plain-text (Markdown-flavoured) rendering of replies and summaries, for the terminal and JSON."""

from __future__ import annotations

from bot.core.article import Article
from bot.core.header import credit
from bot.core.replies import Reply, ReplyKind, where
from bot.core.summary import Summary, cite, outline


def block_quote(text: str) -> str:
    """Prefix every line with ``> `` so the quote stands on its own lines."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.split("\n"))


def reply_text(article: Article, reply: Reply) -> str:
    """Return the full text a user sees for a reply."""
    parts: list[str] = []
    if reply.kind is ReplyKind.ANSWER and reply.quote is not None:
        if reply.lead:
            parts.append(reply.lead)
        parts.append(block_quote(reply.quote.text))
        parts.append(f"— {where(article, reply)}")
        if reply.suggestions:
            parts.append("Related: " + " · ".join(s.label for s in reply.suggestions))
        return "\n".join(parts)
    parts.append(reply.message)
    if reply.suggestions:
        parts.extend(f"{n}. {s.label}" for n, s in enumerate(reply.suggestions, start=1))
    return "\n".join(p for p in parts if p)


def summary_text(summary: Summary) -> str:
    """Return a summary as a heading and bulleted sentences citing paragraphs."""
    lines = [f"**{summary.heading}**"]
    for line in summary.lines:
        ref = cite(line.paragraphs)
        lines.append(f"• {line.text} {ref}".rstrip())
    return "\n".join(lines)


def outline_text(article: Article) -> str:
    """Return the article's outline, one section a line."""
    by = credit(article.header)
    rows = [f"**{article.title}** — {by}" if by else f"**{article.title}**"]
    rows.extend(f"`{e.section_id}` {e.title} ({e.where})" for e in outline(article))
    return "\n".join(rows)
