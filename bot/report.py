"""Moderators at the terminal: ``article-bot report`` (one self-contained HTML file) and
``article-bot unanswered`` (the unanswered queue, one question per line)."""

from __future__ import annotations

import base64
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from bot.admin import with_store
from bot.charts import render_usage_png
from bot.store.interface import Storage
from bot.store.records import UnansweredQuestion, Usage

REPORT_UNANSWERED = 100  # questions listed in the report's unanswered table
ALL_ANSWERED = "Every question got an answer."
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin-bottom: 2rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.8rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
"""


def write_report(config_path: Path, db: Path | None, out: Path, days: int) -> int:
    """Write the usage report of the last ``days`` days to ``out``; return the exit status."""

    async def read(store: Storage) -> tuple[Usage, list[UnansweredQuestion]]:
        return await store.usage(days=days), await store.unanswered(limit=REPORT_UNANSWERED)

    usage, unanswered = with_store(config_path, db, read)
    page = report_html(usage, unanswered, render_usage_png(usage), datetime.now(UTC))
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        print(f"cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"{out}: {usage.questions} questions over {usage.days} days")
    return 0


def print_unanswered(config_path: Path, db: Path | None, limit: int) -> int:
    """Print the unanswered queue: question, times asked, last asked (tab-separated)."""

    async def read(store: Storage) -> list[UnansweredQuestion]:
        return await store.unanswered(limit=limit)

    rows = with_store(config_path, db, read)
    for line in unanswered_lines(rows):
        print(line)
    if not rows:
        print(ALL_ANSWERED, file=sys.stderr)
    return 0


def unanswered_lines(rows: Sequence[UnansweredQuestion]) -> list[str]:
    """One line per question: the question, how often it was asked, when last (UTC)."""
    return [f"{_one_line(r.question)}\t{r.count}\t{_when(r.last_at)}" for r in rows]


def report_html(
    usage: Usage, unanswered: Sequence[UnansweredQuestion], png: bytes, written: datetime
) -> str:
    """The report as one HTML page: the chart inline (base64), then its figures as tables.

    Every stored value is escaped: readers' questions may hold markup.
    """
    first, last = usage.per_day[0].day, usage.per_day[-1].day
    answered = sum(d.answered for d in usage.per_day)
    off_topic = sum(d.off_topic for d in usage.per_day)
    summary = (
        f"The last {usage.days} days, {first} to {last} (UTC): {usage.questions} questions,"
        f" {answered} answered, {usage.questions - answered - off_topic} unanswered,"
        f" {off_topic} off-topic. Written {written:%Y-%m-%d %H:%M} UTC."
    )
    chart = base64.b64encode(png).decode("ascii")
    busy = [d for d in reversed(usage.per_day) if d.total]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>article-bot: what readers asked</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>What readers asked</h1>",
        f"<p>{escape(summary)}</p>",
        f'<img src="data:image/png;base64,{chart}" alt="Questions per section, and answered,'
        ' unanswered and off-topic questions per day">',
        "<h2>Questions per section</h2>",
        _table(("section", "questions"), usage.by_section),
        "<h2>Days with questions, newest first</h2>",
        _table(
            ("day (UTC)", "answered", "unanswered", "off-topic"),
            [(d.day, d.answered, d.unanswered, d.off_topic) for d in busy],
        ),
        "<h2>Unanswered questions (all time, most asked first)</h2>",
        _table(
            ("question", "times asked", "last asked (UTC)", "closest section"),
            [(q.question, q.count, _when(q.last_at), q.section or "") for q in unanswered],
        ),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """An HTML table, every cell escaped; numbers right-aligned; a row saying when empty."""
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    lines = [f"<table><thead><tr>{cells}</tr></thead><tbody>"]
    for row in rows:
        tds = "".join(
            f'<td class="n">{v}</td>' if isinstance(v, int) else f"<td>{escape(str(v))}</td>"
            for v in row
        )
        lines.append(f"<tr>{tds}</tr>")
    if not rows:
        lines.append(f'<tr><td colspan="{len(head)}">None yet.</td></tr>')
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _when(timestamp: float) -> str:
    """A moment as ``YYYY-MM-DD HH:MM`` (UTC)."""
    return f"{datetime.fromtimestamp(timestamp, UTC):%Y-%m-%d %H:%M}"


def _one_line(text: str) -> str:
    """A stored question on one terminal line: no control characters (escape sequences), no
    tabs or line breaks. Questions are cleaned when logged; this holds for older rows too."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
