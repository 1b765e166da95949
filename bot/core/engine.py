"""One turn of conversation: question + state -> answer, ambiguity or a fallback, + new state.

The engine reads the question and ranks its intents; ``Decider`` (bot.core.decide) chooses the
reply and ``Responder`` (bot.core.respond) builds it."""

from __future__ import annotations

from dataclasses import replace

from bot.core.article import Article
from bot.core.decide import Decider
from bot.core.intents import IntentSet
from bot.core.matching.matcher import Matcher
from bot.core.matching.types import Candidate, MatchSettings, Query
from bot.core.replies import DialogueSettings, Reply, ReplyKind, State
from bot.core.respond import Responder
from bot.core.text import clean_user_text, normalise
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
        # Neither helper refers back to the engine: a reference cycle would keep a replaced,
        # frozen engine alive for good (bot.core.collector).
        self._replies = Responder(article, intents, settings, dialogue)
        self._decider = Decider(article, intents, matcher, settings, self._replies)

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
            return Reply(ReplyKind.EMPTY, message=self._replies.what_i_do()), state
        if plain in self._more:
            return self.more(state)
        query = self.matcher.prepare(text)
        if self._bare_question(query):
            return self.more(state) if state is not None else (self._replies.clarify(query), None)
        return self._decider.decide(query, self._ranked(query, state), state)

    def rank(self, question: str, state: State | None = None) -> list[Candidate]:
        """Return the ranked candidates for a question (for moderators' `intent test`)."""
        return self._ranked(self.matcher.prepare(self.read(question)), state)

    def _ranked(self, query: Query, state: State | None) -> list[Candidate]:
        """Candidates for a query; a short follow-up favours the last topic's intents."""
        ranked = self.matcher.rank(query, limit=8)
        if state is not None and self._contextual(query):
            ranked = self._with_context(ranked, state)
        return self._decider.quote_first(query, ranked)

    def answer_intent(self, intent_id: str, state: State | None) -> tuple[Reply, State | None]:
        """Answer with a chosen intent (a "did you mean" button), score 100."""
        intent = self.intents.get(intent_id)
        if intent is None:
            raise UnknownIntentError(intent_id)
        return self._replies.answer(intent, 100.0, state)

    def more(self, state: State | None) -> tuple[Reply, State | None]:
        """Continue the passage after the last quote: the section, then the next section."""
        return self._replies.more(state)

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
