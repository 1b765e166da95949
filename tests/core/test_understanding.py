"""The examples issue 13 names: paraphrases answered, false friends not, typos kept apart."""

from __future__ import annotations

import pytest

from bot.core.engine import Engine
from bot.core.replies import ReplyKind

# (question, the section whose passage must be quoted)
ANSWERED = [
    ("What are the concrete steps the US and Russia will take?", "nato-and-concrete-steps"),
    ("Was the coup successful?", "turkey-coup"),
    ("whats in it for putin", "what-russia-gains"),
    ("what does russia want", "what-russia-gains"),
    ("what quid pro quo does the author hint at", "what-russia-gains"),
    ("the American envoy", "kerry-and-leverage"),
    # The who's who aliases (intents/about.yaml): what readers call the people and places.
    ("did the white house know about the putsch", "turkey-coup"),
    ("how long did the kremlin leader and the envoy talk", "putin-meets-kerry"),
    ("is the envoy an old hand", "kerry-and-leverage"),
    # Chat shorthand (bot/core/matching/shorthand.py).
    ("so they talked all nite", "putin-meets-kerry"),
    ("wat did kerry n putin talk abt", "putin-meets-kerry"),
]

# (question, an intent that must not answer it)
FALSE_FRIENDS = [
    ("Who invented the telephone?", "kerry-lavrov-phone-call"),
    ("What language do they speak in Syria?", "body-language-alliance"),
    ("is this a good article?", "goodbye"),
    ("what does russia want", "washington-needs"),
    ("whats in it for putin", "putin-kerry-meeting"),
]


@pytest.mark.parametrize(("question", "section"), ANSWERED)
def test_paraphrases_quote_the_right_passage(engine: Engine, question: str, section: str) -> None:
    """A reader's paraphrase is answered with a quote from the passage that answers it."""
    reply, _ = engine.reply_to(question, None)
    assert reply.answered, (reply.kind, engine.rank(question)[:3])
    assert reply.section_id == section


@pytest.mark.parametrize(("question", "wrong"), FALSE_FRIENDS)
def test_false_friends_do_not_answer(engine: Engine, question: str, wrong: str) -> None:
    """A question sharing a word with a passage is not answered by that passage."""
    reply, _ = engine.reply_to(question, None)
    assert reply.intent_id != wrong
    assert not any(s.intent_id == wrong for s in reply.suggestions[:1])


@pytest.mark.parametrize("word", ["quit", "exit", "Quit"])
def test_quit_typed_bare_is_not_a_question(engine: Engine, word: str) -> None:
    """'quit' or 'exit' without a slash quotes nothing."""
    reply, _ = engine.reply_to(word, None)
    assert not reply.answered and reply.kind is ReplyKind.SMALLTALK


@pytest.mark.parametrize("question", ["why?", "how so?", "Why"])
def test_a_first_why_asks_what_about(engine: Engine, question: str) -> None:
    """A bare 'why?' with nothing said before is a request to clarify, not a greeting."""
    reply, state = engine.reply_to(question, None)
    assert state is None and not reply.answered and reply.intent_id is None
    assert "what?" in reply.message


@pytest.mark.parametrize("word", ["stock", "bread", "coupe"])
def test_real_english_words_are_not_corrected(engine: Engine, word: str) -> None:
    """A common English word is left as typed, never 'corrected' into an article word."""
    assert word in engine.matcher.prepare(f"what about {word}").words


@pytest.mark.parametrize(("typo", "meant"), [("turky", "turkey"), ("rusia", "russia")])
def test_typos_are_still_corrected(engine: Engine, typo: str, meant: str) -> None:
    """A misspelling that is no English word is still corrected to the article's word."""
    assert meant in engine.matcher.prepare(f"what about {typo}").words


@pytest.mark.parametrize("question", ["did putin really meet kerry?"])
def test_two_close_quotes_from_one_section_are_no_choice(engine: Engine, question: str) -> None:
    """When the close rivals all quote the same section, the top one answers, with no menu:
    either way the reader gets the right part of the article."""
    ranked = engine.rank(question)
    assert ranked[1].score >= ranked[0].score - 2, "the premise: a near tie"
    reply, _ = engine.reply_to(question, None)
    assert reply.kind is ReplyKind.ANSWER, reply.kind
    assert reply.intent_id == ranked[0].intent_id
    assert reply.section_id == "putin-meets-kerry"


@pytest.mark.parametrize("name", ["IOC", "International Olympic Committee"])
def test_a_named_body_weighs_as_one_word(engine: Engine, name: str) -> None:
    """An organisation's long name reads as its acronym, one term: a question naming it in full
    does not weigh the name three times over what else it asks."""
    assert engine.matcher.prepare(f"what does the {name} decide").content == ("ioc", "decid")


@pytest.mark.parametrize(
    "question", ["which school did john kerry attend", "is turkey a good place for a beach holiday"]
)
def test_world_questions_naming_the_articles_people_quote_nothing(
    engine: Engine, question: str
) -> None:
    """A question about the world that names one of the article's people or places (Kerry's
    schooling, Turkey's beaches) is told the article doesn't say; no passage is quoted."""
    reply, _ = engine.reply_to(question, None)
    assert not reply.answered and reply.quote is None


@pytest.mark.parametrize(
    ("text", "words"), [("U.S. talks", ["us", "talks"]), ("r u ok", ["are", "you", "ok"])]
)
def test_shorthand_is_read_as_words_and_initials_stay_whole(
    engine: Engine, text: str, words: list[str]
) -> None:
    """ "r u" reads as "are you", and "U.S." stays the US (its "u" is not "you")."""
    assert list(engine.matcher.prepare(text).words) == words
