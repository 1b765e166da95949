"""What to reply, decided on the ranked candidates: answer, "did you mean", "the article
doesn't say", off-topic or a refusal. The replies themselves are built by ``Responder``."""

from __future__ import annotations

from bot.core.article import Article
from bot.core.intents import Intent, IntentKind, IntentSet
from bot.core.matching.matcher import Matcher
from bot.core.matching.question_form import (
    answers,
    asked,
    asks_advice,
    asks_fact,
    asks_opinion,
    asks_task,
    whose_view,
)
from bot.core.matching.reading import stem_terms
from bot.core.matching.types import Candidate, MatchSettings, Query
from bot.core.replies import Reply, State
from bot.core.respond import Responder
from bot.core.text import QUESTION_WORDS


class Decider:
    """The decision rules over ranked candidates; hands the chosen reply to a ``Responder``."""

    def __init__(
        self,
        article: Article,
        intents: IntentSet,
        matcher: Matcher,
        settings: MatchSettings,
        replies: Responder,
    ) -> None:
        self.article = article
        self.intents = intents
        self.matcher = matcher
        self.settings = settings
        self.replies = replies

    def quote_first(self, query: Query, ranked: list[Candidate]) -> list[Candidate]:
        """A "the article doesn't say" on top gives way to a quote of its own section that is
        close behind (``quote_margin``, and above the answer threshold) and covers as much of
        the question, unless the question asks for a specific fact. Such an intent is about a
        fact the passage lacks (a date, a name); sharing the passage's topic words, it also
        draws the questions about what the passage does say ("did the NATO meeting matter?")."""
        if not ranked:
            return ranked
        top = ranked[0]
        first = self.intents.by_id[top.intent_id]
        if first.kind is not IntentKind.NOT_IN_ARTICLE or first.section is None:
            return ranked
        if asks_fact(query.text):  # after the cheap checks: most tops are answers
            return ranked
        floor = max(self.settings.answer_threshold, top.score - self.settings.quote_margin)
        for cand in ranked[1:]:
            if cand.score < floor:
                break
            intent = self.intents.by_id[cand.intent_id]
            if (
                intent.kind is IntentKind.ANSWER
                and intent.section == first.section
                and cand.coverage >= top.coverage
            ):
                return [cand, *(c for c in ranked if c is not cand)]
        return ranked

    def decide(
        self, query: Query, ranked: list[Candidate], state: State | None
    ) -> tuple[Reply, State | None]:
        """The reply to a question given its ranked candidates, and the state after it."""
        top = ranked[0] if ranked else None
        if top is None or top.score < self.settings.suggest_threshold:
            return self._fallback(query, ranked), state
        first = self.intents.by_id[top.intent_id]
        refusal = self._refusal(query, ranked) if first.kind is not IntentKind.SMALLTALK else None
        if refusal is not None:
            # An author's own "the article doesn't say" for it beats the general one.
            if first.kind is IntentKind.NOT_IN_ARTICLE:
                return self.replies.answer(first, top.score, state)
            return refusal, state
        if top.score < self.settings.answer_threshold and not (
            self._clear_winner(query, ranked) or self._agreed(ranked)
        ):
            return self.replies.ambiguous(ranked, self.settings.suggest_threshold), state
        top = self._prefer_answer(top, ranked)
        rivals = self._rivals(top, ranked)
        if rivals and any(
            self.intents.by_id[c.intent_id].kind is IntentKind.ANSWER for c in rivals
        ):
            return self.replies.ambiguous(
                [top, *rivals], top.score - self.settings.ambiguity_margin
            ), state
        intent = self.intents.by_id[top.intent_id]
        if intent.span is not None and intent.kind is IntentKind.ANSWER:
            wanted = asked(query.text)
            passage = self.article.text[intent.span[0] : intent.span[1]]
            if wanted is not None and not answers(passage, wanted):
                return self.replies.lacks(intent, wanted, top.score), state
        return self.replies.answer(intent, top.score, state)

    def _refusal(self, query: Query, ranked: list[Candidate]) -> Reply | None:
        """The reply to a question no passage answers, whatever words they share: "how do I ..."
        (advice), "tell me a joke" (a task), or what someone no passage is about thinks or said;
        None for any other."""
        if asks_advice(query.text):
            return self.replies.no_advice()
        if asks_task(query.text):
            return self.replies.no_task()
        if asks_opinion(query.text):
            return self.replies.no_opinion()
        who = whose_view(query.text)
        if who is not None and not self._quoted_about(who):
            return self._fallback(query, ranked)
        return None

    def _quoted_about(self, who: str) -> bool:
        """Whether any passage is about ``who`` (a pronoun is anyone): the article can tell what
        Lavrov said, not what someone it never names thinks, however close the topic."""
        terms = [t for t in stem_terms(who.split()) if t not in QUESTION_WORDS]
        if not terms:
            return True
        answer = IntentKind.ANSWER
        return any(
            self.intents.by_id[i].kind is answer for t in terms for i in self.matcher.users_of(t)
        )

    def _clear_winner(self, query: Query, ranked: list[Candidate]) -> bool:
        """Below the answer threshold, a quote that leads every other passage by ``clear_gap``
        points is still the answer if the question is plainly about it: its examples resemble the
        question, which uses the article's words and most of the quote's, or it is close in
        meaning (``semantic_agree``), for readers who name what the article never does
        ("headline", "tagline"). More questions answered on the question sets, none more
        wrongly."""
        top = ranked[0]
        intent = self.intents.by_id[top.intent_id]
        if top.score < self.settings.clear_floor or intent.kind is not IntentKind.ANSWER:
            return False
        on_topic = bool(self.matcher.named_terms(query))
        lexical = top.coverage >= 50.0 and top.fuzzy >= 50.0 and on_topic
        if not lexical and top.semantic < self.settings.semantic_agree:
            return False
        others = (
            c.score for c in ranked[1:] if self.intents.by_id[c.intent_id].span != intent.span
        )
        return top.score - next(others, 0.0) >= self.settings.clear_gap

    def _agreed(self, ranked: list[Candidate]) -> bool:
        """Below the answer threshold, a quote that both signals put first, the letters (the
        score) and the meaning (closest in meaning by ``semantic_lead`` and at least
        ``semantic_agree``), is still the answer: two independent signals seldom agree by chance,
        whether or not the question uses the article's own words ("the piece", "in short")."""
        top = ranked[0]
        intent = self.intents.by_id[top.intent_id]
        if intent.kind is not IntentKind.ANSWER:
            return False
        others = (
            c.semantic for c in ranked[1:] if self.intents.by_id[c.intent_id].span != intent.span
        )
        return (
            top.semantic >= self.settings.semantic_agree
            and top.semantic - max(others, default=0.0) >= self.settings.semantic_lead
        )

    def _prefer_answer(self, top: Candidate, ranked: list[Candidate]) -> Candidate:
        """On a near tie between "the article doesn't say" and a quote, quote."""
        if self.intents.by_id[top.intent_id].kind is not IntentKind.NOT_IN_ARTICLE:
            return top
        floor = top.score - self.settings.ambiguity_margin
        for cand in ranked[1:]:
            if cand.score < floor:
                break
            if self.intents.by_id[cand.intent_id].kind is IntentKind.ANSWER:
                return cand
        return top

    def _rivals(self, top: Candidate, ranked: list[Candidate]) -> list[Candidate]:
        """Other answers within the margin that would quote another part of the article."""
        top_intent = self.intents.by_id[top.intent_id]
        floor = max(self.settings.answer_threshold, top.score - self.settings.ambiguity_margin)
        rivals = []
        for cand in ranked:
            other = self.intents.by_id[cand.intent_id]
            if cand is top:
                continue
            if cand.score >= floor and not _same_passage(top_intent, other):
                rivals.append(cand)
        return rivals[: self.settings.max_suggestions - 1]

    def _fallback(self, query: Query, ranked: list[Candidate]) -> Reply:
        """Near the article's topic -> "the article doesn't say"; otherwise off-topic."""
        on_topic = bool(self.matcher.named_terms(query))
        related = next((c for c in ranked if c.coverage > 0), None) if on_topic else None
        intent = self.intents.by_id.get(related.intent_id) if related else None
        if related is None or intent is None or intent.section is None:
            return self.replies.off_topic(ranked[0].score if ranked else 0.0)
        return self.replies.not_said(intent.section, related.score)


def _same_passage(top: Intent, other: Intent) -> bool:
    """Two answers from one section are no real choice: the reader gets the right part of the
    article either way, and the other quote is a "more" or a follow-up away."""
    if other.kind != top.kind:
        return False
    return other.span == top.span or (
        top.kind is IntentKind.ANSWER and top.section is not None and other.section == top.section
    )
