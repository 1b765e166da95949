"""Questions asking for a figure, a date, a year, an age or an origin are answered only by
passages that hold one; "how do I" questions ask for advice the article never gives."""

from __future__ import annotations

import pytest

from bot.core.engine import Engine
from bot.core.matching.question_form import (
    AnswerType,
    Wanted,
    answers,
    asked,
    asks_advice,
    asks_fact,
    asks_opinion,
    asks_task,
    provides,
    whose_view,
)
from bot.core.replies import ReplyKind


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("how many fighters are trapped in aleppo", AnswerType.QUANTITY),
        ("How much aid did Turkey send?", AnswerType.QUANTITY),
        ("what was the death toll", AnswerType.QUANTITY),
        ("on what date did the coup happen", AnswerType.DATE),
        ("which year was this", AnswerType.YEAR),
        ("how old is john kerry", AnswerType.AGE),
        ("when was nato founded", AnswerType.ORIGIN),
        ("who invented the telephone", AnswerType.ORIGIN),
        ("what day did they stop talking", AnswerType.DATE),
        ("how long did the meeting last", None),
        ("what does russia gain", None),
        ("did they end up signing anything", AnswerType.OUTCOME),
        ("how did it all turn out", AnswerType.OUTCOME),
        ("was the ban finally lifted", AnswerType.OUTCOME),
        ("could they end up as allies", None),
        ("who is the leader of al nusra", AnswerType.LEADER),
        ("whos the boss of nato", AnswerType.LEADER),
        ("who runs the IOC", AnswerType.LEADER),
        ("who is russia's foreign minister", None),
        ("Who is NATO's secretary general?", AnswerType.LEADER),
        ("What is John Kerry's wife's name?", AnswerType.FAMILY),
        ("is lavrov married", AnswerType.FAMILY),
        ("what does nato stand for", AnswerType.DEFINITION),
        ("what does north atlantic treaty organization stand for", AnswerType.DEFINITION),
        ("define geopolitics", AnswerType.DEFINITION),
        ("what does bloodbath mean", AnswerType.DEFINITION),
        ("what does the deal mean for russia", None),
        ("what does the author mean by bloodbath", None),
        ("how would you define their relationship", None),
    ],
)
def test_asked_type(question: str, kind: AnswerType | None) -> None:
    """Figure, date, year, age and origin questions are recognised; ordinary ones are not."""
    wanted = asked(question)
    assert (wanted.kind if wanted is not None else None) is kind


def test_provides() -> None:
    """Numbers (digits or words) and dates/times are found in passages."""
    assert provides("a diplomat with 30 years of experience", AnswerType.QUANTITY)
    assert provides("three statesmen", AnswerType.QUANTITY)
    assert not provides("the rebels are trapped in the city", AnswerType.QUANTITY)
    assert provides("till the wee hours of the Friday morning", AnswerType.DATE)
    assert not provides("the recently held NATO meeting", AnswerType.DATE)


def test_figure_question_on_a_passage_without_figures(engine: Engine) -> None:
    """ "How many ... in Aleppo" names the Aleppo passage but does not quote it as an answer."""
    reply, _ = engine.reply_to("how many fighters are trapped in aleppo", None)
    assert reply.kind is ReplyKind.NOT_IN_ARTICLE and reply.quote is None
    assert reply.section_id == "us-motives-in-syria"
    assert [s.intent_id for s in reply.suggestions] == ["aleppo-rebels-trapped"]


def test_figure_question_on_a_passage_with_one(engine: Engine) -> None:
    """ "How many years" of Kerry's experience is answered: the passage has the number."""
    reply, _ = engine.reply_to("how many years of experience does kerry have", None)
    assert reply.answered and reply.intent_id == "kerry-experience"


def test_leader_questions_need_an_office_in_the_passage(engine: Engine) -> None:
    """ "Who leads X" is answered by a passage that names an office holder, and only by one."""
    assert provides("Russian President Vladimir Putin", AnswerType.LEADER)
    assert not provides("the rebels of Jabhat al-Nusra are trapped", AnswerType.LEADER)
    reply, _ = engine.reply_to("who is the foreign minister of russia", None)
    assert reply.answered and reply.quote is not None and "Lavrov" in reply.quote.text


def test_provides_years_ages_and_origins() -> None:
    """A year is four digits, an age is "N years old", an origin is founding, birth or invention."""
    assert provides("signed in 1949 in Washington", AnswerType.YEAR)
    assert not provides("30 years of experience", AnswerType.YEAR)
    assert provides("Kerry, 72 years old, arrived", AnswerType.AGE)
    assert not provides("a seasoned diplomat with 30 years of experience", AnswerType.AGE)
    assert provides("the group was founded by", AnswerType.ORIGIN)
    assert not provides("the forces of Al Nusra, ISIS and Al Qaeda", AnswerType.ORIGIN)


def test_a_count_needs_the_things_counted() -> None:
    """ "How many countries" is not answered by "three statesmen"; a span of time answers "how
    many years" whatever its unit."""
    countries = asked("how many countries are members of north atlantic treaty organization")
    assert countries == Wanted(AnswerType.QUANTITY, "countries")
    assert not answers("The three statesmen did not show any after effects", countries)
    assert answers("the two countries and three others", countries)
    years = asked("how many yrs has kerry been doing this")
    assert years is not None and answers("a diplomat with 30 years of experience", years)
    anything = asked("how many of them are there")
    assert anything == Wanted(AnswerType.QUANTITY, "of")
    assert answers("the two countries", anything) and not answers("the countries", anything)


@pytest.mark.parametrize(
    ("question", "advice"),
    [
        ("how to tie a tie", True),
        ("how do i improve my body language", True),
        ("whats the best way to run a press conference", True),
        ("how did lavrov react", False),
        ("how do they plan to fight isis", False),
        ("how do you make borscht", True),
        ("how do you think the talks went", False),
        ("how would you describe the tone", False),
        ("how would you define their relationship", False),
    ],
)
def test_asks_advice(question: str, advice: bool) -> None:
    """Questions about the reader's own doing are told from questions about the article."""
    assert asks_advice(question) is advice


@pytest.mark.parametrize(
    "question",
    [
        "how to tie a tie",
        "how do i get a job as a foreign policy analyst",
        "when was NATO founded",
        "who founded al nusra",
        "how old is john kerry",
        "how many countries are members of NATO",
        "who runs al nusra",
        "who is the secretary general of nato",
        "whos the boss of nato",
        "who is kerrys wife",
        "How do you organise a press conference?",
        "what does nato stand for",
        "tell me a joke about kerry",
        "write me a poem about putin",
        "translate the article into french",
    ],
)
def test_topical_questions_the_article_cannot_answer(engine: Engine, question: str) -> None:
    """Questions sharing the article's words but asking what it never says quote nothing."""
    reply, _ = engine.reply_to(question, None)
    assert not reply.answered and reply.quote is None


def test_how_questions_about_the_article_still_answered(engine: Engine) -> None:
    """ "How long" and "how many years" questions about the article still quote it."""
    for question, intent in (
        ("how long did the meeting last", "meeting-duration"),
        ("how many years has kerry been doing this", "kerry-experience"),
    ):
        reply, _ = engine.reply_to(question, None)
        assert reply.answered and reply.intent_id == intent, question


@pytest.mark.parametrize(
    ("question", "who"),
    [
        ("what does assad think about the us and russia teaming up", "assad"),
        ("How did the Chinese government react?", "the chinese government"),
        ("what did lavrov say", "lavrov"),
        ("what does russia want", None),
    ],
)
def test_whose_view(question: str, who: str | None) -> None:
    """ "What does X think/say", "how did X react" questions are told by whom they ask about."""
    assert whose_view(question) == who


@pytest.mark.parametrize(
    "question",
    [
        "what does china think about the meeting",
        "what did merkel say about the concrete steps",
        "how did the saudis react to the putin kerry talks",
    ],
)
def test_views_of_people_the_article_never_names(engine: Engine, question: str) -> None:
    """The closest passage on the topic is no answer, nor a choice of passages: "doesn't say"."""
    reply, _ = engine.reply_to(question, None)
    assert reply.kind in (ReplyKind.NOT_IN_ARTICLE, ReplyKind.OFF_TOPIC) and reply.quote is None


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("what did lavrov say about the olympics", "lavrov-and-olympics"),
        ("what does the author think about the us", "about"),
        ("what did the american envoy say to lavrov on the phone", "nato-and-concrete-steps"),
    ],
)
def test_views_of_people_the_article_quotes(engine: Engine, question: str, section: str) -> None:
    """What Lavrov said, or the author (a reader's word for the byline), is still quoted."""
    reply, _ = engine.reply_to(question, None)
    assert reply.answered and reply.section_id == section


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("who chaired the talks", True),
        ("which city hosted them", True),
        ("when did the siege begin", True),
        ("how many delegates came", True),
        ("what city was it in", True),
        ("what other countries were there", True),
        ("name the officials", True),
        ("what did the analysts make of it", False),
        ("what about the summit", False),
        ("did the meeting change anything", False),
        ("why would they bother", False),
        ("what exactly will they be told", False),
        ("so whats going on with turkey", False),
    ],
)
def test_asks_fact(question: str, fact: bool) -> None:
    """Who, which, when, where, how many and what + a noun ask for one fact; what + a verb or a
    function word, why and yes-or-no questions ask about what happened."""
    assert asks_fact(question) is fact


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("what did the analysts make of putin's body language", "putin-meets-kerry"),
        ("did the turkish army's attempt to take over work", "turkey-coup"),
    ],
)
def test_a_doesnt_say_gives_way_to_its_sections_quote(
    engine: Engine, question: str, section: str
) -> None:
    """A "doesn't say" intent about a fact the passage lacks (the analysts' names, the coup's
    date) gives way to its section's quote, close behind, when the question asks no such fact."""
    ranked = engine.rank(question)
    assert engine.intents.by_id[ranked[1].intent_id].kind.value == "not_in_article"
    reply, _ = engine.reply_to(question, None)
    assert reply.kind is ReplyKind.ANSWER and reply.section_id == section
    assert reply.intent_id == ranked[0].intent_id


@pytest.mark.parametrize(
    "question", ["which analysts read putin's body language", "when was the nato meeting held"]
)
def test_a_doesnt_say_keeps_the_fact_questions(engine: Engine, question: str) -> None:
    """Asked for the fact it is about, a "doesn't say" intent still answers."""
    reply, _ = engine.reply_to(question, None)
    assert reply.kind is ReplyKind.NOT_IN_ARTICLE


def test_outcome_questions_need_a_passage_that_reports_one(engine: Engine) -> None:
    """Asked whether something happened in the end, a passage that only weighs it up does not
    answer ("the article doesn't say how it turned out"); one that reports an end still does."""
    reply, _ = engine.reply_to("did the two countries end up forming a military alliance", None)
    assert reply.kind is ReplyKind.NOT_IN_ARTICLE and reply.quote is None
    assert reply.section_id == "putin-meets-kerry" and "turned out" in reply.message
    reply, _ = engine.reply_to("when did the talks finally wrap up", None)
    assert reply.kind is ReplyKind.ANSWER and reply.section_id == "putin-meets-kerry"


@pytest.mark.parametrize(
    ("message", "task"),
    [
        ("tell me a joke about kerry", True),
        ("write me a poem about putin", True),
        ("can you translate the article into french", True),
        ("give us a song about the olympics", True),
        ("draft a tweet criticising nato", True),
        ("tell me about the joke kerry made", False),
        ("what did kerry write to lavrov", False),
    ],
)
def test_asks_task(message: str, task: bool) -> None:
    """Asking the bot to make something (a joke, a poem, a translation) is recognised."""
    assert asks_task(message) is task


def test_a_task_is_declined_without_a_quote(engine: Engine) -> None:
    """ "Tell me a joke about Kerry" names Kerry's passage but gets no quote of it."""
    reply, _ = engine.reply_to("tell me a joke about kerry", None)
    assert reply.kind is ReplyKind.OFF_TOPIC and reply.quote is None
    assert "no jokes" in (reply.message or "")


@pytest.mark.parametrize(
    ("message", "opinion"),
    [
        ("What's your personal opinion of Kerry as a diplomat?", True),
        ("are you on russia's side or america's?", True),
        ("whose side are you on", True),
        ("do you support the deal", True),
        ("what is the author's view of kerry", False),
        ("what's the writer's take on the meeting", False),
        ("are you sure the coup failed", False),
    ],
)
def test_asks_opinion(message: str, opinion: bool) -> None:
    """Asking for the bot's own opinion is told apart from asking for the author's."""
    assert asks_opinion(message) is opinion


def test_the_bots_opinion_is_declined_the_authors_quoted(engine: Engine) -> None:
    """ "Your view of Kerry" gets no quote; "the author's view of Kerry" gets his passage."""
    reply, _ = engine.reply_to("What's your personal opinion of Kerry as a diplomat?", None)
    assert reply.kind is ReplyKind.OFF_TOPIC and reply.quote is None
    assert "no opinions of my own" in (reply.message or "")
    reply, _ = engine.reply_to("what is the author's view of kerry", None)
    assert reply.answered and reply.section_id == "kerry-and-leverage"
