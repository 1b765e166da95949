"""The usage chart: a PNG that decodes, readable with twenty sections, honest when empty."""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from bot.charts import EMPTY, MAX_SECTIONS, render_usage_png, usage_figure
from bot.store.records import DayCounts, Usage
from tests.helpers import fresh

TODAY = date(2026, 12, 5)


def usage(sections: int, days: int = 30) -> Usage:
    """A window of ``days`` days with questions every day and ``sections`` sections asked
    about, some with long ids."""
    by_section = tuple(
        (f"section-{'with-a-long-name-' * (n % 3)}{n}", 200 - n * 3) for n in range(sections)
    )
    per_day = tuple(
        DayCounts(TODAY - timedelta(days=days - 1 - n), 10 + n % 7, n % 4, n % 3)
        for n in range(days)
    )
    return Usage(days, by_section, per_day)


def empty(days: int = 30) -> Usage:
    """A window in which nobody asked anything."""
    return Usage(days, (), tuple(DayCounts(TODAY - timedelta(days=n)) for n in range(days)))


def decoded(png: bytes) -> tuple[str, tuple[int, int]]:
    """The format and size of an image, after checking it is whole."""
    Image.open(io.BytesIO(png)).verify()
    image = Image.open(io.BytesIO(png))
    return str(image.format), image.size


def drawn_texts(figure: Figure) -> list[tuple[str, Any]]:
    """Every text drawn on a figure (not tick labels left outside the axis' view), with its
    box on the canvas."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # type: ignore[no-untyped-call]
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    hidden = {
        id(tick.label1)
        for ax in figure.axes
        for axis in (ax.xaxis, ax.yaxis)
        for tick in axis.get_major_ticks()
        if not min(axis.get_view_interval()) <= tick.get_loc() <= max(axis.get_view_interval())
    }
    return [
        (t.get_text(), t.get_window_extent(renderer))
        for t in figure.findobj(Text)
        if isinstance(t, Text) and t.get_visible() and t.get_text().strip() and id(t) not in hidden
    ]


def test_a_full_window_gives_a_png() -> None:
    """Twenty sections and thirty days render as a PNG that decodes, wider than it is short."""
    fmt, (width, height) = decoded(render_usage_png(usage(20)))
    assert fmt == "PNG" and width == 1000 and height > 600


def test_an_empty_window_gives_a_png_saying_so() -> None:
    """No questions still renders a valid chart, and both panels say there are none yet."""
    fmt, (width, height) = decoded(render_usage_png(empty()))
    assert fmt == "PNG" and width == 1000 and height > 300
    texts = [text for text, _ in drawn_texts(usage_figure(empty()))]
    assert texts.count(EMPTY) == 2
    assert "What readers asked: the last 30 days (UTC), 0 questions" in texts


def test_no_text_overlaps_or_leaves_the_picture_with_twenty_sections() -> None:
    """Titles, labels, section ids, dates, legend and bar figures neither overlap nor get cut."""
    figure = usage_figure(usage(20))
    texts = drawn_texts(figure)
    labels = {text for text, _ in texts}
    assert {"Questions per section", "questions", "section", "day (UTC)", "off-topic"} <= labels
    assert "section-with-a-lo…with-a-long-name-2" in labels and "section-0" in labels
    assert len([t for t, _ in texts if t.startswith("section-")]) == 20  # every id told apart
    assert "Dec 05" in labels  # today is always dated
    whole = figure.bbox
    for text, box in texts:
        assert whole.x0 <= box.x0 and box.x1 <= whole.x1, text
        assert whole.y0 <= box.y0 and box.y1 <= whole.y1, text
    for (one, a), (two, b) in itertools.combinations(texts, 2):
        assert not a.overlaps(b), (one, two)


def test_sections_past_the_cap_are_counted_not_drawn() -> None:
    """Beyond the cap, the most asked sections are drawn and the title counts the others."""
    figure = usage_figure(usage(MAX_SECTIONS + 7))
    labels = {text for text, _ in drawn_texts(figure)}
    assert f"Questions per section (top {MAX_SECTIONS}; 7 more)" in labels
    assert "section-0" in labels and f"section-{MAX_SECTIONS + 6}" not in labels


def test_importing_the_bot_does_not_import_matplotlib() -> None:
    """Only drawing a chart pays matplotlib's import: the bot, its cogs and the CLI do not."""
    script = (
        "import json, sys\n"
        "import bot.charts, bot.cli, bot.discord.cogs.moderation, bot.discord.runner\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib')))\n"
    )
    imported, _ = fresh(script)
    assert imported == []
