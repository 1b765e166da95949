"""Reply buttons: what a reply's view leaves behind once it has been sent."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.core.engine import Engine
from bot.discord.views import released, reply_view
from bot.service import TurnResult


@pytest.fixture
def no_collector() -> Iterator[None]:
    """Only reference counting frees objects while the test runs."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _answer_with_suggestions(engine: Engine) -> TurnResult:
    reply, _ = engine.reply_to("what is the headline?", None)
    assert reply.answered and reply.quote is not None and reply.suggestions
    return TurnResult(reply, turn_id=7)


def test_a_released_view_is_freed_without_the_collector(engine: Engine, no_collector: None) -> None:
    """A view and its buttons point at each other; once released, reference counting frees both
    (otherwise every reply would be garbage only a full collection reclaims)."""
    view = reply_view(_answer_with_suggestions(engine))
    assert view is not None
    buttons = [weakref.ref(item) for item in view.children]
    rows = view.to_components()  # what the send puts on the wire
    assert {b["custom_id"].split(":")[1] for row in rows for b in row["components"]} == {
        "more",
        "vote",
        "pick",
    }
    with released(view) as sent:
        assert sent is view
    watched = weakref.ref(view)
    del view, sent
    assert watched() is None
    assert all(button() is None for button in buttons)


def test_an_unreleased_view_is_a_reference_cycle(engine: Engine, no_collector: None) -> None:
    """The control for the test above: without ``released`` the view outlives its last name."""
    view = reply_view(_answer_with_suggestions(engine))
    watched = weakref.ref(view)
    del view
    assert watched() is not None
    gc.collect()
    assert watched() is None


def test_releasing_no_view_is_harmless() -> None:
    """Replies without buttons pass ``None`` through."""
    with released(None) as sent:
        assert sent is None
