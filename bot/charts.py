"""Moderators' usage chart: what readers asked about, and how the bot fared, as one PNG.

matplotlib is imported inside the functions: only /stats and ``article-bot report`` pay its
import time, not every start of the bot or of the terminal chat.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from bot.store.records import Usage

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_SECTIONS = 30  # bars in the section panel; the rest are counted in its title
MAX_LABEL = 36  # characters of a section id shown; longer ones lose their middle to "…"
MAX_DAY_TICKS = 10  # dated ticks under the daily bars, however long the window
EMPTY = "No questions yet"
# Outcome, legend label, colour (Okabe-Ito: told apart with colour-blindness).
OUTCOMES = (
    ("answered", "answered", "#009E73"),
    ("unanswered", "unanswered", "#E69F00"),
    ("off_topic", "off-topic", "#999999"),
)


def render_usage_png(usage: Usage) -> bytes:
    """Draw ``usage`` (questions per section; answered / unanswered / off-topic per day) as a
    PNG. Blocking and CPU-bound: call it off the event loop."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = usage_figure(usage)
    FigureCanvasAgg(figure)  # the Agg backend: no display, no pyplot's global state
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=100)
    return out.getvalue()


def usage_figure(usage: Usage) -> Figure:
    """The chart as a matplotlib Figure: sections on top, days below."""
    from matplotlib.figure import Figure

    shown = usage.by_section[:MAX_SECTIONS]
    # Each bar gets a fixed height, so twenty section ids never overlap.
    top = max(2.2, 0.3 * len(shown) + 1.2)
    figure = Figure(figsize=(10, top + 3.6), layout="constrained")
    sections, days = figure.subplots(2, 1, height_ratios=[top, 3.6])
    asked = f"{usage.questions} question" + ("" if usage.questions == 1 else "s")
    title = f"What readers asked: the last {usage.days} days (UTC), {asked}"
    figure.suptitle(title, fontsize=14, fontweight="bold")
    _section_panel(sections, usage, shown)
    _day_panel(days, usage)
    return figure


def _section_panel(ax: Axes, usage: Usage, shown: tuple[tuple[str, int], ...]) -> None:
    """Horizontal bars, most asked section on top."""
    hidden = len(usage.by_section) - len(shown)
    more = f" (top {len(shown)}; {hidden} more)" if hidden else ""
    ax.set_title(f"Questions per section{more}")
    ax.set_xlabel("questions")
    ax.set_ylabel("section")
    if not shown:
        _say_empty(ax, EMPTY if usage.questions == 0 else "No question was about a section")
        return
    from matplotlib.ticker import MaxNLocator

    counts = [count for _, count in reversed(shown)]
    # Positions, not categories: two long ids cut to the same label stay two bars.
    bars = ax.barh(range(len(shown)), counts, color=OUTCOMES[0][2])
    ax.set_yticks(range(len(shown)), [_label(section) for section, _ in reversed(shown)])
    ax.bar_label(bars, padding=3)
    ax.set_xlim(0, max(counts) * 1.15 + 1)  # room for the figures at the bars' ends
    ax.set_ylim(-0.6, len(shown) - 0.4)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _day_panel(ax: Axes, usage: Usage) -> None:
    """Stacked bars per day: how many questions, and what share got an answer."""
    ax.set_title("Answered, unanswered and off-topic questions per day")
    ax.set_xlabel("day (UTC)")
    ax.set_ylabel("questions")
    if usage.questions == 0:
        _say_empty(ax, EMPTY)
        return
    from matplotlib.ticker import MaxNLocator

    positions = range(len(usage.per_day))
    bottom = [0] * len(usage.per_day)
    for field, label, colour in OUTCOMES:
        heights = [getattr(day, field) for day in usage.per_day]
        ax.bar(positions, heights, bottom=bottom, color=colour, label=label, width=0.8)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    step = max(1, math.ceil(len(usage.per_day) / MAX_DAY_TICKS))
    ticks = list(positions)[::-1][::step][::-1]  # always label the last day (today)
    ax.set_xticks(ticks, [usage.per_day[i].day.strftime("%b %d") for i in ticks])
    ax.set_xlim(-0.6, len(usage.per_day) - 0.4)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", ncols=3, frameon=False, bbox_to_anchor=(0, 1))
    ax.set_ylim(0, max(bottom) * 1.25)  # headroom for the legend above the tallest bar


def _say_empty(ax: Axes, text: str) -> None:
    """An empty panel that says so, without meaningless ticks."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=14)
    ax.set_xticks([])
    ax.set_yticks([])


def _label(section: str) -> str:
    """A section id short enough to leave the bars room. The middle goes: ids of one article
    often share a beginning and differ at the end."""
    if len(section) <= MAX_LABEL:
        return section
    head = (MAX_LABEL - 1) // 2
    return section[:head] + "…" + section[-(MAX_LABEL - 1 - head) :]
