"""One turn of dialogue: every outcome, follow-ups, "more", and context."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.config import load_config
from bot.core.article import Article
from bot.core.engine import Engine
from bot.core.matching.types import MatchSettings
from bot.core.replies import ReplyKind
from tests.helpers import ROOT


def test_answer_quotes_the_article(engine: Engine, article: Article) -> None:
    """An answer carries an exact quote, its section, paragraphs and a score."""
    reply, state = engine.reply_to("What happened with the coup in Turkey?", None)
    assert reply.kind is ReplyKind.ANSWER and reply.answered
    assert reply.quote is not None and reply.quote.text in article.text
    assert reply.section_id == "turkey-coup" and reply.quote.paragraphs == (5,)
    assert state is not None and state.cursor == reply.quote.end


def test_off_topic_says_what_the_bot_does(engine: Engine) -> None:
    """A question far from the article is declined politely, with no quote."""
    reply, _ = engine.reply_to("what's a good recipe for banana bread", None)
    assert reply.kind is ReplyKind.OFF_TOPIC and not reply.answered
    assert "article" in reply.message and reply.quote is None


def test_not_in_article_names_no_quote(engine: Engine) -> None:
    """A question on the article's topic that it does not answer is told so, without a quote."""
    reply, _ = engine.reply_to("who won the most medals at the rio olympics", None)
    assert reply.kind is ReplyKind.NOT_IN_ARTICLE and reply.quote is None


def test_smalltalk(engine: Engine) -> None:
    """Greetings and thanks get a smalltalk reply."""
    for text in ("hello", "thanks!"):
        reply, _ = engine.reply_to(text, None)
        assert reply.kind is ReplyKind.SMALLTALK and reply.message


def test_empty_question(engine: Engine) -> None:
    """Empty or blank input gets a prompt, not an error."""
    for text in ("", "   ", "\u200b\u200b", "???"):
        reply, _ = engine.reply_to(text, None)
        assert reply.kind is ReplyKind.EMPTY and not reply.answered


def test_ambiguous_offers_choices(engine: Engine) -> None:
    """A question fitting several passages offers 2-3 "did you mean" choices."""
    reply, _ = engine.reply_to("the games", None)
    assert reply.kind is ReplyKind.AMBIGUOUS
    assert 2 <= len(reply.suggestions) <= 3
    assert len({s.intent_id for s in reply.suggestions}) == len(reply.suggestions)


def test_more_continues_then_moves_to_next_section(engine: Engine, article: Article) -> None:
    """ "more" quotes the following sentences, then the next section, then says it's the end."""
    reply, state = engine.reply_to("what does russia gain", None)
    assert reply.quote is not None
    first_end = reply.quote.end
    more, state = engine.reply_to("tell me more", state)
    assert more.continued and more.quote is not None and more.quote.start > first_end
    assert more.quote.text in article.text and more.section_id == "what-russia-gains"
    end, _ = engine.reply_to("more", state)
    assert end.kind is ReplyKind.END

    reply, state = engine.reply_to("what did lavrov say about the olympics", None)
    for _ in range(3):
        reply, state = engine.reply_to("go on", state)
    assert reply.section_id == "turkey-coup"


def test_more_without_context(engine: Engine) -> None:
    """ "more" before any answer asks for a question first."""
    reply, state = engine.reply_to("more", None)
    assert not reply.answered and state is None


def test_follow_up_is_read_in_the_light_of_the_last_topic(engine: Engine) -> None:
    """A short question with a pronoun is matched with the last topic's intents favoured."""
    _, state = engine.reply_to("tell me about the meeting between putin and kerry", None)
    reply, _ = engine.reply_to("how long did it last?", state)
    assert reply.intent_id == "meeting-duration"
    _, state = engine.reply_to("what does russia get out of this", None)
    reply, _ = engine.reply_to("and what about the olympic committee?", state)
    assert reply.intent_id == "ioc-decision"


def test_bare_why_continues_the_passage(engine: Engine) -> None:
    """ "why?" right after an answer reads on in the same passage."""
    first, state = engine.reply_to("what did lavrov say about the olympics", None)
    reply, _ = engine.reply_to("why?", state)
    assert reply.continued and reply.quote is not None and first.quote is not None
    assert reply.quote.start >= first.quote.end


def test_answer_intent_by_choice(engine: Engine) -> None:
    """Choosing a suggestion answers that intent directly."""
    reply, state = engine.answer_intent("aleppo-rebels-trapped", None)
    assert reply.answered and reply.intent_id == "aleppo-rebels-trapped" and state is not None


def _with_threshold_above(engine: Engine, question: str, **extra: Any) -> Engine:
    """The engine with its answer threshold just above the question's top score."""
    top = engine.rank(question)[0].score
    settings = replace(engine.settings, answer_threshold=top + 1, **extra)
    return Engine(engine.article, engine.intents, engine.matcher, settings, engine.dialogue)


def test_clear_winner_below_the_threshold_answers(engine: Engine) -> None:
    """A mid-score question whose best passage leads all others clearly is answered."""
    question = "Who addressed the press once the talks concluded, and in what order?"
    below = _with_threshold_above(engine, question, clear_floor=0.0, semantic_agree=2.0)
    reply, _ = below.reply_to(question, None)
    assert reply.answered and reply.intent_id == "meeting-duration"
    strict = _with_threshold_above(engine, question, clear_floor=100.0, semantic_agree=2.0)
    assert not strict.reply_to(question, None)[0].answered


def test_letters_and_meaning_agreeing_answer_below_the_threshold(engine: Engine) -> None:
    """Below the threshold, a quote first both by score and by meaning is still the answer."""
    question = "Who addressed the press once the talks concluded, and in what order?"
    top = engine.rank(question)[0]
    agreeing = _with_threshold_above(
        engine, question, clear_floor=100.0, semantic_agree=top.semantic - 0.01
    )
    reply, _ = agreeing.reply_to(question, None)
    assert reply.answered and reply.intent_id == top.intent_id


def test_letters_and_meaning_agreeing_need_no_article_word(engine: Engine) -> None:
    """Below the threshold, a quote first both by score and by meaning is the answer even when
    the question names nothing the article says in so many words ("the piece", "in short")."""
    question = "what is the piece about, in short"
    assert not engine.matcher.topic_terms(engine.matcher.prepare(question))
    top = engine.rank(question)[0]
    agreeing = _with_threshold_above(
        engine, question, clear_floor=100.0, semantic_agree=top.semantic - 0.01
    )
    reply, _ = agreeing.reply_to(question, None)
    assert reply.answered and reply.intent_id == "article-topic"


def test_clear_winner_may_use_a_quote_keyword_for_the_article_word(engine: Engine) -> None:
    """A question about the piece itself ("upshot", "piece") uses no word of the article's text;
    a keyword of the quote it leads to ("gist", "summary") stands for one in the clear winner."""
    question = "in a couple of sentences, what's the upshot of this piece"
    query = engine.matcher.prepare(question)
    assert not engine.matcher.topic_terms(query) and engine.matcher.named_terms(query)
    below = _with_threshold_above(engine, question, clear_floor=0.0, semantic_agree=2.0)
    reply, _ = below.reply_to(question, None)
    assert reply.answered and reply.intent_id == "article-topic"


def test_clear_winner_close_in_meaning_needs_no_article_word(engine: Engine) -> None:
    """Below the threshold, a passage far ahead of every other is answered when it is close in
    meaning, even if its examples do not resemble the question ("the big title at the top")."""
    question = "what dance does the big title at the top mention"
    top = engine.rank(question)[0]
    assert top.fuzzy < 50.0, "the premise: the letters alone do not make it a clear winner"
    close = _with_threshold_above(engine, question, semantic_agree=top.semantic - 0.01)
    reply, _ = close.reply_to(question, None)
    assert reply.answered and reply.intent_id == "article-title"
    far = _with_threshold_above(engine, question, semantic_agree=top.semantic + 0.01)
    assert not far.reply_to(question, None)[0].answered


@pytest.mark.parametrize("settings", [MatchSettings(), load_config(ROOT / "config.yaml").matching])
def test_a_clear_leader_is_not_offered_alone(settings: MatchSettings) -> None:
    """From the suggest threshold up, a quote that leads every other clearly is answered: a
    "did you mean" offering that one passage alone would only make the reader click (in the
    defaults and the shipped config.yaml alike)."""
    assert settings.clear_floor <= settings.suggest_threshold


def test_one_shared_word_is_no_clear_winner(engine: Engine) -> None:
    """Sharing a word or two with a passage ("keeps") does not make an off-topic one an answer."""
    reply, _ = engine.reply_to("my cat keeps throwing up, what should i do", None)
    assert not reply.answered
