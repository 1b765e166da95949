"""Building replies: a quote with its follow-ups, "did you mean", "more", and the fixed lines."""

from __future__ import annotations

from bot.core.article import Article
from bot.core.intents import Intent, IntentKind, IntentSet
from bot.core.matching.question_form import Wanted
from bot.core.matching.types import Candidate, MatchSettings, Query
from bot.core.replies import DialogueSettings, Reply, ReplyKind, State, Suggestion


class Responder:
    """Turns a decision (this intent, these candidates, no answer) into the reply and state."""

    def __init__(
        self,
        article: Article,
        intents: IntentSet,
        settings: MatchSettings,
        dialogue: DialogueSettings,
    ) -> None:
        self.article = article
        self.intents = intents
        self.settings = settings
        self.dialogue = dialogue

    def answer(
        self, intent: Intent, score: float, state: State | None
    ) -> tuple[Reply, State | None]:
        """The reply an intent gives: its quote (and the state after it), or its fixed line."""
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

    def ambiguous(self, ranked: list[Candidate], floor: float) -> Reply:
        """ "Did you mean": one suggestion per passage among the answers scoring ``floor`` or
        more; off-topic if there is none."""
        seen: set[tuple[int, int] | None] = set()
        picks: list[Suggestion] = []
        for cand in ranked:
            intent = self.intents.by_id[cand.intent_id]
            if cand.score < floor or intent.kind is not IntentKind.ANSWER or intent.span in seen:
                continue
            seen.add(intent.span)
            picks.append(self._suggestion(intent, cand.score))
        if not picks:
            return Reply(ReplyKind.OFF_TOPIC, message=self.what_i_do())
        top = ranked[0]
        return Reply(
            ReplyKind.AMBIGUOUS,
            score=top.score,
            section_id=picks[0].section_id,
            suggestions=tuple(picks[: self.settings.max_suggestions]),
            message="I'm not sure which part you mean. Did you mean:",
        )

    def lacks(self, intent: Intent, wanted: Wanted, score: float) -> Reply:
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

    def not_said(self, section_id: str, score: float) -> Reply:
        """ "The article doesn't say", pointing to the section closest to the question."""
        title = self.article.section(section_id).title
        msg = (
            f"The article doesn't say. The closest it comes is the part “{title}” — "
            "ask about that, or try /summary."
        )
        return Reply(ReplyKind.NOT_IN_ARTICLE, score=score, section_id=section_id, message=msg)

    def off_topic(self, score: float) -> Reply:
        """A question about something else: say what the bot talks about."""
        return Reply(ReplyKind.OFF_TOPIC, score=score, message=self.what_i_do())

    def no_advice(self) -> Reply:
        """ "How do I ...": the article gives no advice, whatever words it shares."""
        return Reply(
            ReplyKind.OFF_TOPIC,
            message=f"The article gives no how-tos or advice. {self.what_i_do()}",
        )

    def no_task(self) -> Reply:
        """ "Tell me a joke about Kerry", "translate this": the bot makes nothing, it quotes."""
        return Reply(
            ReplyKind.OFF_TOPIC,
            message="I only quote the article: no jokes, poems, stories or translations. "
            + self.what_i_do(),
        )

    def no_opinion(self) -> Reply:
        """ "What's your view of Kerry?": the bot has no opinions; the author's it can quote."""
        return Reply(
            ReplyKind.OFF_TOPIC,
            message="I have no opinions of my own: I quote the article. Ask me what the author"
            " thinks instead. " + self.what_i_do(),
        )

    def clarify(self, query: Query) -> Reply:
        """A bare "why?" or "how?" with nothing said before it: ask what it is about."""
        word = query.words[0].capitalize()
        msg = (
            f"{word} what? We haven't talked about anything yet: ask me about a part of the "
            "article in a whole question, or try /summary or /sections to see what it covers."
        )
        return Reply(ReplyKind.SMALLTALK, message=msg)

    def what_i_do(self) -> str:
        """The line saying what the bot talks about, for empty and off-topic questions."""
        return (
            f"I can only talk about the article “{self.article.title}”. Ask me a question about "
            "it and I'll quote the passage that answers it, or try /summary or /sections."
        )

    def _follow_ups(self, intent: Intent) -> tuple[Suggestion, ...]:
        targets = [self.intents.by_id[i] for i in intent.follow_ups if i in self.intents.by_id]
        return tuple(self._suggestion(t, 0.0) for t in targets[: self.settings.max_suggestions])

    def _suggestion(self, intent: Intent, score: float) -> Suggestion:
        label = intent.examples[0]
        label = label[0].upper() + label[1:]
        if not label.endswith("?"):
            label += "?"
        return Suggestion(intent.id, label, intent.section, score)
