"""One turn of conversation: question + state -> answer, ambiguity or a fallback, + new state."""

from __future__ import annotations

from dataclasses import replace

from bot.core.article import Article
from bot.core.intents import Intent, IntentKind, IntentSet
from bot.core.matching.matcher import Matcher, stem_terms
from bot.core.matching.question_form import (
    Wanted,
    answers,
    asked,
    asks_advice,
    asks_fact,
    whose_view,
)
from bot.core.matching.types import Candidate, MatchSettings, Query
from bot.core.replies import DialogueSettings, Reply, ReplyKind, State, Suggestion
from bot.core.text import QUESTION_WORDS, clean_user_text, normalise
from bot.errors import UnknownIntentError


class Engine:
    """Runs turns over one article and intent set; pure, so the caller keeps state."""

    def __init__(
        self,
        article: Article,
        intents: IntentSet,
        matcher: Matcher,
        settings: MatchSettings,
        dialogue: DialogueSettings,
    ) -> None:
        self.article = article
        self.intents = intents
        self.matcher = matcher
        self.settings = settings
        self.dialogue = dialogue
        self._more = frozenset(normalise(p) for p in dialogue.more_phrases)

    def read(self, question: str) -> str:
        """A question as the bot reads it: control and zero-width characters out, spaces
        collapsed, capped to ``max_question_chars``. The one place user text is capped; what
        the service logs is this text too."""
        return clean_user_text(question, self.settings.max_question_chars)

    def reply_to(self, question: str, state: State | None) -> tuple[Reply, State | None]:
        """Answer one question in the light of the conversation state."""
        return self.reply_to_text(self.read(question), state)

    def reply_to_text(self, text: str, state: State | None) -> tuple[Reply, State | None]:
        """``reply_to`` for a question already ``read``."""
        plain = normalise(text)
        if not plain:
            return Reply(ReplyKind.EMPTY, message=self._what_i_do()), state
        if plain in self._more:
            return self.more(state)
        query = self.matcher.prepare(text)
        if self._bare_question(query):
            return self.more(state) if state is not None else (self._clarify(query), None)
        return self._decide(query, self._ranked(query, state), state)

    def _clarify(self, query: Query) -> Reply:
        """A bare "why?" or "how?" with nothing said before it: ask what it is about."""
        word = query.words[0].capitalize()
        msg = (
            f"{word} what? We haven't talked about anything yet: ask me about a part of the "
            "article in a whole question, or try /summary or /sections to see what it covers."
        )
        return Reply(ReplyKind.SMALLTALK, message=msg)

    def rank(self, question: str, state: State | None = None) -> list[Candidate]:
        """Return the ranked candidates for a question (for moderators' `intent test`)."""
        return self._ranked(self.matcher.prepare(self.read(question)), state)

    def _ranked(self, query: Query, state: State | None) -> list[Candidate]:
        """Candidates for a query; a short follow-up favours the last topic's intents."""
        ranked = self.matcher.rank(query, limit=8)
        if state is not None and self._contextual(query):
            ranked = self._with_context(ranked, state)
        return self._quote_first(query, ranked)

    def _quote_first(self, query: Query, ranked: list[Candidate]) -> list[Candidate]:
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

    def answer_intent(self, intent_id: str, state: State | None) -> tuple[Reply, State | None]:
        """Answer with a chosen intent (a "did you mean" button), score 100."""
        intent = self.intents.get(intent_id)
        if intent is None:
            raise UnknownIntentError(intent_id)
        return self._respond(intent, 100.0, state)

    def more(self, state: State | None) -> tuple[Reply, State | None]:
        """Continue the passage after the last quote: the section, then the next section."""
        if state is None:
            msg = "Ask me something about the article first; then say “more” to read on."
            return Reply(ReplyKind.SMALLTALK, message=msg), None
        section_id = state.section_id
        spans = [s for s in self.article.sentences(section_id) if s[0] >= state.cursor]
        if not spans:
            following = self.article.next_section(section_id)
            if following is None:
                msg = "That's the end of the article. Ask about any part of it, or try /summary."
                return Reply(ReplyKind.END, message=msg, section_id=section_id), state
            section_id = following.id
            spans = list(self.article.sentences(section_id))
        chosen = spans[: max(1, self.dialogue.more_sentences)]
        quote = self.article.quote(chosen[0][0], chosen[-1][1], section_id)
        intent_id = self._intent_covering(section_id, quote.start, quote.end) or state.intent_id
        reply = Reply(
            ReplyKind.ANSWER,
            quote=quote,
            section_id=section_id,
            score=100.0,
            intent_id=intent_id,
            continued=True,
        )
        return reply, State(intent_id, section_id, quote.end)

    def _intent_covering(self, section_id: str, start: int, end: int) -> str | None:
        """The answer intent whose quote overlaps this passage most (for logs and follow-ups)."""
        best, best_overlap = None, 0
        for intent in self.intents.in_section(section_id):
            assert intent.span is not None
            overlap = min(end, intent.span[1]) - max(start, intent.span[0])
            if overlap > best_overlap:
                best, best_overlap = intent.id, overlap
        return best

    def _bare_question(self, query: Query) -> bool:
        """ "why?", "how so?": asking for the reason or the way means reading on in the passage."""
        return not query.content and 0 < len(query.words) <= 2 and query.words[0] in ("why", "how")

    def _contextual(self, query: Query) -> bool:
        """A short question with a pronoun, an opener like "and", or hardly any topic words."""
        words = query.words
        if not words or len(words) > self.dialogue.contextual_max_words:
            return False
        opens = any(" ".join(words).startswith(o + " ") for o in self.dialogue.follow_up_openers)
        has_pronoun = any(w in self.dialogue.pronouns for w in words)
        return opens or has_pronoun or len(query.known_terms) <= 1

    def _with_context(self, ranked: list[Candidate], state: State) -> list[Candidate]:
        last = self.intents.get(state.intent_id) if state.intent_id else None
        near = set(last.follow_ups) if last else set()
        boosted = []
        for cand in ranked:
            intent = self.intents.get(cand.intent_id)
            close = intent is not None and (intent.section == state.section_id or intent.id in near)
            bonus = self.settings.context_bonus if close and cand.coverage > 0 else 0.0
            boosted.append(replace(cand, score=round(cand.score + bonus, 2)))
        boosted.sort(key=lambda c: (-c.score, c.intent_id))
        return boosted

    def _decide(
        self, query: Query, ranked: list[Candidate], state: State | None
    ) -> tuple[Reply, State | None]:
        top = ranked[0] if ranked else None
        if top is None or top.score < self.settings.suggest_threshold:
            return self._fallback(query, ranked), state
        first = self.intents.by_id[top.intent_id]
        refusal = self._refusal(query, ranked) if first.kind is not IntentKind.SMALLTALK else None
        if refusal is not None:
            # An author's own "the article doesn't say" for it beats the general one.
            if first.kind is IntentKind.NOT_IN_ARTICLE:
                return self._respond(first, top.score, state)
            return refusal, state
        if top.score < self.settings.answer_threshold and not (
            self._clear_winner(query, ranked) or self._agreed(ranked)
        ):
            return self._ambiguous(ranked, self.settings.suggest_threshold), state
        top = self._prefer_answer(top, ranked)
        rivals = self._rivals(top, ranked)
        if rivals and any(
            self.intents.by_id[c.intent_id].kind is IntentKind.ANSWER for c in rivals
        ):
            return self._ambiguous(
                [top, *rivals], top.score - self.settings.ambiguity_margin
            ), state
        intent = self.intents.by_id[top.intent_id]
        if intent.span is not None and intent.kind is IntentKind.ANSWER:
            wanted = asked(query.text)
            passage = self.article.text[intent.span[0] : intent.span[1]]
            if wanted is not None and not answers(passage, wanted):
                return self._lacks(intent, wanted, top.score), state
        return self._respond(intent, top.score, state)

    def _refusal(self, query: Query, ranked: list[Candidate]) -> Reply | None:
        """The reply to a question no passage answers, whatever words they share: "how do I ..."
        (advice), or what someone no passage is about thinks or said; None for any other."""
        if asks_advice(query.text):
            return self._no_advice()
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

    def _no_advice(self) -> Reply:
        """ "How do I ...": the article gives no advice, whatever words it shares."""
        return Reply(
            ReplyKind.OFF_TOPIC,
            message=f"The article gives no how-tos or advice. {self._what_i_do()}",
        )

    def _lacks(self, intent: Intent, wanted: Wanted, score: float) -> Reply:
        """The closest passage has no fact of the kind asked for ("how many", "when was X
        founded"), so it cannot answer: say so, and point to it."""
        assert intent.section is not None
        title = self.article.section(intent.section).title
        msg = (
            f"The article doesn't {wanted.kind.value}. The closest it comes is the part “{title}”:"
        )
        return Reply(
            ReplyKind.NOT_IN_ARTICLE,
            intent_id=None,
            section_id=intent.section,
            score=score,
            message=msg,
            suggestions=(self._suggestion(intent, score),),
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

    def _respond(
        self, intent: Intent, score: float, state: State | None
    ) -> tuple[Reply, State | None]:
        if intent.kind is IntentKind.SMALLTALK:
            return Reply(
                ReplyKind.SMALLTALK, intent_id=intent.id, score=score, message=intent.reply or ""
            ), state
        if intent.kind is IntentKind.NOT_IN_ARTICLE:
            return Reply(
                ReplyKind.NOT_IN_ARTICLE,
                intent_id=intent.id,
                section_id=intent.section,
                score=score,
                message=intent.reply or "",
            ), state
        assert intent.section is not None and intent.span is not None  # guaranteed by the loader
        quote = self.article.quote(intent.span[0], intent.span[1], intent.section)
        reply = Reply(
            ReplyKind.ANSWER,
            quote=quote,
            intent_id=intent.id,
            section_id=intent.section,
            score=score,
            lead=intent.lead,
            suggestions=self._follow_ups(intent),
        )
        return reply, State(intent.id, intent.section, quote.end)

    def _follow_ups(self, intent: Intent) -> tuple[Suggestion, ...]:
        targets = [self.intents.by_id[i] for i in intent.follow_ups if i in self.intents.by_id]
        return tuple(self._suggestion(t, 0.0) for t in targets[: self.settings.max_suggestions])

    def _ambiguous(self, ranked: list[Candidate], floor: float) -> Reply:
        seen: set[tuple[int, int] | None] = set()
        picks: list[Suggestion] = []
        for cand in ranked:
            intent = self.intents.by_id[cand.intent_id]
            if cand.score < floor or intent.kind is not IntentKind.ANSWER or intent.span in seen:
                continue
            seen.add(intent.span)
            picks.append(self._suggestion(intent, cand.score))
        if not picks:
            return Reply(ReplyKind.OFF_TOPIC, message=self._what_i_do())
        top = ranked[0]
        return Reply(
            ReplyKind.AMBIGUOUS,
            score=top.score,
            section_id=picks[0].section_id,
            suggestions=tuple(picks[: self.settings.max_suggestions]),
            message="I'm not sure which part you mean. Did you mean:",
        )

    def _fallback(self, query: Query, ranked: list[Candidate]) -> Reply:
        """Near the article's topic -> "the article doesn't say"; otherwise off-topic."""
        on_topic = bool(self.matcher.named_terms(query))
        related = next((c for c in ranked if c.coverage > 0), None) if on_topic else None
        intent = self.intents.by_id.get(related.intent_id) if related else None
        if related is None or intent is None or intent.section is None:
            return Reply(
                ReplyKind.OFF_TOPIC,
                score=ranked[0].score if ranked else 0.0,
                message=self._what_i_do(),
            )
        title = self.article.section(intent.section).title
        msg = (
            f"The article doesn't say. The closest it comes is the part “{title}” — "
            "ask about that, or try /summary."
        )
        return Reply(
            ReplyKind.NOT_IN_ARTICLE, score=related.score, section_id=intent.section, message=msg
        )

    def _what_i_do(self) -> str:
        return (
            f"I can only talk about the article “{self.article.title}”. Ask me a question about "
            "it and I'll quote the passage that answers it, or try /summary or /sections."
        )

    def _suggestion(self, intent: Intent, score: float) -> Suggestion:
        label = intent.examples[0]
        label = label[0].upper() + label[1:]
        if not label.endswith("?"):
            label += "?"
        return Suggestion(intent.id, label, intent.section, score)


def _same_passage(top: Intent, other: Intent) -> bool:
    """Two answers from one section are no real choice: the reader gets the right part of the
    article either way, and the other quote is a "more" or a follow-up away."""
    if other.kind != top.kind:
        return False
    return other.span == top.span or (
        top.kind is IntentKind.ANSWER and top.section is not None and other.section == top.section
    )
