"""Property tests: no input breaks a turn or produces a quote that is not in the article."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.article import Article
from bot.core.engine import Engine
from bot.core.plaintext import reply_text
from bot.core.replies import State

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "\n\t",
        "a" * 10_000,
        "🇷🇺🇺🇸🔥" * 50,
        "\u200b\u200e\u202e",
        "@everyone @here <@&123>",
        "<@1234567890>",
        "```py\nprint(1)\n```",
        "**bold** _it_ ~~s~~ > quote",
        "'; DROP TABLE turns;--",
        "SELECT * FROM turns WHERE 1=1",
        "\x00\x01\x7f",
        "¿qué ganó Rusia?",
        "Путин и Керри",
        "more more more",
        "why",
        "and what about it?",
    ]
)
QUESTIONS = st.one_of(
    HOSTILE, st.text(max_size=300), st.text(alphabet=st.characters(), max_size=50)
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(question=QUESTIONS, follow_up=st.booleans())
def test_any_input_gives_a_reply_with_only_article_quotes(
    engine: Engine, article: Article, question: str, follow_up: bool
) -> None:
    """Whatever the text, a turn gives a reply whose quote is an exact substring of the article."""
    state = State("russia-gain", "what-russia-gains", 0) if follow_up else None
    reply, new_state = engine.reply_to(question, state)
    if reply.quote is not None:
        assert article.text[reply.quote.start : reply.quote.end] == reply.quote.text
        assert reply.quote.text
    text = reply_text(article, reply)
    assert text and len(text) < 4000
    if new_state is not None:
        assert article.has_section(new_state.section_id)
