"""Questions asking for a figure or a date are answered only by passages that hold one."""

from __future__ import annotations

import pytest

from bot.core.answer_types import AnswerType, asked_type, provides
from bot.core.dialogue import Engine
from bot.core.turns import ReplyKind


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("how many fighters are trapped in aleppo", AnswerType.QUANTITY),
        ("How much aid did Turkey send?", AnswerType.QUANTITY),
        ("what was the death toll", AnswerType.QUANTITY),
        ("on what date did the coup happen", AnswerType.DATE),
        ("which year was this", AnswerType.DATE),
        ("how long did the meeting last", None),
        ("what does russia gain", None),
    ],
)
def test_asked_type(question: str, kind: AnswerType | None) -> None:
    """Figure and date questions are recognised; ordinary questions are not."""
    assert asked_type(question) is kind


def test_provides() -> None:
    """Numbers (digits or words) and dates/times are found in passages."""
    assert provides("a diplomat with 30 years of experience", AnswerType.QUANTITY)
    assert provides("three statesmen", AnswerType.QUANTITY)
    assert not provides("the rebels are trapped in the city", AnswerType.QUANTITY)
    assert provides("till the wee hours of the Friday morning", AnswerType.DATE)
    assert not provides("the recently held NATO meeting", AnswerType.DATE)


def test_figure_question_on_a_passage_without_figures(engine: Engine) -> None:
    """ "How many ... in Aleppo" names the Aleppo passage but does not quote it as an answer."""
    reply, _ = engine.turn("how many fighters are trapped in aleppo", None)
    assert reply.kind is ReplyKind.NOT_IN_ARTICLE and reply.quote is None
    assert reply.section_id == "us-motives-in-syria"
    assert [s.intent_id for s in reply.suggestions] == ["aleppo-rebels-trapped"]


def test_figure_question_on_a_passage_with_one(engine: Engine) -> None:
    """ "How many years" of Kerry's experience is answered: the passage has the number."""
    reply, _ = engine.turn("how many years of experience does kerry have", None)
    assert reply.answered and reply.intent_id == "kerry-experience"
