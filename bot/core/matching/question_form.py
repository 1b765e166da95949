"""Questions a passage on their topic still cannot answer, by English cues alone.

"How many fighters are trapped in Aleppo?" is on the article's topic, and the Aleppo passage is the
closest match, but if that passage has no number in it, it does not answer: the bot should say the
article doesn't say rather than quote it as if it did. The same holds for a question that asks
when something was founded or someone was born, how old someone is, in what year, or how it
all turned out (an opinion piece weighs what may happen, it rarely reports the end); for what
someone the article never names thinks or said; and for "how do I ..." questions, which ask for
advice an article of opinion never gives. Only English cues, no knowledge of any article;
questions are read in ``text.normalise`` form (lowercase, no apostrophes: "what's" is "whats").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.core.matching.reading import stem_terms
from bot.core.text import STOPWORDS, normalise, tokens

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    "hundred|hundreds|thousand|thousands|million|millions|billion|dozen|dozens|half|percent"
)
_TIME_WORDS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|"
    "june|july|august|september|october|november|december|morning|evening|night|midnight|noon|"
    "hours|yesterday|today|tomorrow|week|weeks|month|months|year|years"
)
# "how many hours": any span of time in the passage may answer it, whatever its unit.
_TIME_UNITS = frozenset(
    """
    seconds minutes mins hours hrs days weeks months years yrs decades centuries
    """.split()  # noqa: SIM905 - a word list reads better as text
)


class AnswerType(Enum):
    """What kind of fact a question asks for, when it asks for a specific one."""

    # Each value ends "The article doesn't ...".
    QUANTITY = "give a figure for that"
    DATE = "give a date for that"
    YEAR = "give a year for that"
    AGE = "say how old anyone is"
    ORIGIN = "say who founded or invented anything, or when anyone was born"
    OUTCOME = "say how it turned out"
    LEADER = "say who leads it"
    FAMILY = "say anything about anyone's family"
    DEFINITION = "explain what words mean"


# Checked in order: the first that matches names the kind ("how old" is an age, not a figure).
_ASKS = (
    # "What does NATO stand for", "what does bloodbath mean", "define geopolitics": a word's
    # meaning, which an article uses and seldom explains ("what does the author mean" is not).
    (
        AnswerType.DEFINITION,
        re.compile(
            r"\bwhat does (?!it |this |that |he |she |they |the (author|writer|article|piece) )"
            r"(\w+ ){0,4}(stand for|mean)$|^(pls |please )?define\b|\bdefinition of\b|"
            r"\bmeaning of the (word|term|phrase)\b"
        ),
    ),
    (AnswerType.AGE, re.compile(r"\bhow old\b|\bwhat age\b|\b(his|her|their) age\b")),
    (
        AnswerType.ORIGIN,
        re.compile(r"\b(founded|founder|founders|born|birthday|birthplace|invented|inventor)\b"),
    ),
    # Who leads a group or a country the article names: a passage naming no office holds no
    # answer ("who runs al nusra" is not answered by the passage about al-Nusra's fighters).
    (
        AnswerType.LEADER,
        re.compile(
            r"\bwho(s| is| was| are| were)( the| its| their| \w+)?( current| new)? "
            r"(leader|head|chief|boss|president|secretary general|commander|chairman|director|"
            r"ceo)s?\b|"
            r"\bwho (leads|led|runs|ran|heads|headed|commands|commanded)\b"
        ),
    ),
    (
        AnswerType.FAMILY,
        re.compile(
            r"\b(wife|wives|husband|spouse|married|marry|kids|children|sons?|daughters?|"
            r"parents|mother|father|siblings?|brothers?|sisters?)\b"
        ),
    ),
    (AnswerType.YEAR, re.compile(r"\b(what|which) year\b|\bsince when\b")),
    (
        AnswerType.QUANTITY,
        re.compile(
            r"\bhow (many|much)\b|\bwhat (number|percentage|amount)\b|\bdeath toll\b|"
            r"\bcasualt(y|ies)\b|\bhow big\b|\bpopulation\b"
        ),
    ),
    (
        AnswerType.DATE,
        re.compile(r"\b(what|which) (date|day|month|time)\b|\bwhen exactly\b|\bon what date\b"),
    ),
    # Whether what the piece discusses happened in the end: asked in the past ("did ... end up",
    # "was ... finally"), not as speculation ("could they end up").
    (
        AnswerType.OUTCOME,
        re.compile(
            r"\b(did|was|were|has|have)\b.*\b(in the end|end(ed)? up|eventually|finally|"
            r"turn(ed)? out|at last)\b|\bhow did (it|that|this|things) (all )?turn out\b"
        ),
    ),
)
_HAS = {
    AnswerType.QUANTITY: re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.IGNORECASE),
    AnswerType.DATE: re.compile(rf"\d{{4}}|\b({_TIME_WORDS})\b", re.IGNORECASE),
    AnswerType.YEAR: re.compile(r"\b(1\d{3}|20\d{2})\b"),
    AnswerType.AGE: re.compile(r"\b\d+[- ]years?[- ]old\b|\baged? \d+\b", re.IGNORECASE),
    AnswerType.LEADER: re.compile(
        r"\b(leaders?|head|chief|president|minister|secretary|commander|general|king|prime|"
        r"chairman|director|premier)\b",
        re.IGNORECASE,
    ),
    AnswerType.OUTCOME: re.compile(
        r"\b(finally|eventually|in the end|ended|concluded|turned out|at last)\b", re.IGNORECASE
    ),
    AnswerType.DEFINITION: re.compile(
        r"\b(means|stands for|short for|refers to|defined as|is called)\b", re.IGNORECASE
    ),
    AnswerType.FAMILY: re.compile(
        r"\b(wife|husband|spouse|married|children|sons?|daughters?|parents|mother|father|"
        r"siblings?|brothers?|sisters?)\b",
        re.IGNORECASE,
    ),
    AnswerType.ORIGIN: re.compile(
        r"\b(found(ed|er|ers|ing)|born|birth\w*|invent\w*|establish\w*)\b", re.IGNORECASE
    ),
}
_COUNTED = re.compile(r"\bhow many (\w+)")
# A question about the reader's own doing: "how do i ...", "how to ...", "best way to ...".
_ADVICE = re.compile(
    r"\bhow (do|can|could|should|would) (i|we)\b|^(so |ok |and )?how to\b|"
    # "How do you organise ..." (anyone), but not "how do you think / know ..." (the reader's
    # view of the article).
    r"\bhow (do|can|would) (you|one) (?!think|know|feel|mean|see|explain|rate|say|like|find|"
    r"describe|define|sum|summarise|summarize|read|interpret|view|judge|compare|rank)\w+|"
    r"\bbest way to\b|\btips (for|on)\b|\bshould i\b|\bwhat should (i|we) do\b"
)


# A question for one specific fact: a person, a place, a time, a number or a thing to name. "What"
# asks for one only before a noun ("what city", "what other articles"), not before a verb ("what
# did they decide") or a function word ("what about", "what exactly").
_FACT = re.compile(
    r"\b(who|whom|whose|which|when|where|how (many|much|long|old|far|big|often))\b|"
    r"\b(name|names|named)\b|\bwhat (other |kind of |sort of |type of )?(?P<noun>\w+)"
)
# Adverbs that follow "what" without making it ask for a thing ("what exactly did he say").
_NOT_NOUNS = frozenset({"exactly", "else", "precisely", "specifically"})


# "What does <someone> think/say ...": a view the article can only quote if it names them.
_VIEW = re.compile(
    r"\b(what|how) (does|did|do|would|will|might) (?P<who>(\w+ ){0,3}?\w+) "
    r"(think|say|feel|react|respond|believe|make of)\b"
)


@dataclass(frozen=True)
class Wanted:
    """The fact a question asks for; ``counted`` is the thing in "how many <things>"."""

    kind: AnswerType
    counted: str | None = None


def asked(question: str) -> Wanted | None:
    """The fact a question asks for, with what it counts, if any."""
    question = normalise(question)
    for kind, pattern in _ASKS:
        if pattern.search(question):
            counted = _COUNTED.search(question) if kind is AnswerType.QUANTITY else None
            return Wanted(kind, counted.group(1) if counted else None)
    return None


# Something to make rather than something to find: a joke, a poem, a translation, code.
_TASK = re.compile(
    r"\b(tell|give|write|make|compose|sing|draft) (me |us )?(a|an|some|another) (\w+ )?"
    r"(joke|poem|story|song|haiku|limerick|rap|essay|code|script|program|meme|tweet|post|"
    r"letter|email|speech)s?\b|"
    r"\btranslate\b|\b(write|draft) (me |us )?(a|an|some)\b"
)
# The bot's own opinion, not the author's: it has none to give.
_OPINION = re.compile(
    r"\byour (own |personal |honest )?(opinion|view|views|take|thoughts|stance|position)\b|"
    r"\bare you (on|for|with|against) |\bwhose side are you\b|"
    r"\bdo you (personally )?(like|support|agree|prefer|trust|side)\b"
)


def asks_task(question: str) -> bool:
    """Whether a message asks the bot to make something (a joke, a poem, a translation)."""
    return bool(_TASK.search(normalise(question)))


def asks_opinion(question: str) -> bool:
    """Whether a message asks for the bot's own opinion ("what's your view of Kerry")."""
    return bool(_OPINION.search(normalise(question)))


def asks_advice(question: str) -> bool:
    """Whether a question asks how the reader should do something."""
    return bool(_ADVICE.search(normalise(question)))


def asks_fact(question: str) -> bool:
    """Whether a question asks for one specific fact (who, which, when, where, how many, what
    + a noun) rather than for what happened, why, or whether."""
    for found in _FACT.finditer(normalise(question)):
        noun = found.group("noun")
        if noun is None or (noun not in STOPWORDS and noun not in _NOT_NOUNS):
            return True
    return False


def whose_view(question: str) -> str | None:
    """Who a "what does X think/say", "how did X react" question asks about, if it is one."""
    found = _VIEW.search(normalise(question))
    return found.group("who") if found else None


def provides(passage: str, kind: AnswerType) -> bool:
    """Whether a passage contains a fact of that kind at all (a number, a date, a year...)."""
    return bool(_HAS[kind].search(passage))


def answers(passage: str, wanted: Wanted) -> bool:
    """Whether a passage can answer the question: it holds a fact of the kind asked for and,
    for "how many <things>", names those things ("three statesmen" is no count of countries)."""
    if wanted.counted in _TIME_UNITS:
        return provides(passage, AnswerType.DATE)
    if not provides(passage, wanted.kind):
        return False
    counted = stem_terms([wanted.counted]) if wanted.counted else []
    # "how many of them": a function word counts nothing in particular.
    return not counted or counted[0] in stem_terms(tokens(normalise(passage)))
