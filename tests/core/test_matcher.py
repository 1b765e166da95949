"""The matcher: normaliser, typo correction, keywords and aliases, ranking."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.core.engine import Engine
from bot.core.text import _APOSTROPHES, normalise, sentence_spans, truncate


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("turky coup", "turkey-coup"),
        ("wat does rusia gain", "russia-gain"),
        ("IOC?", "ioc-decision"),
        ("who wrote this", "article-author"),
        ("aleppo", "aleppo-rebels-trapped"),
        ("how many years of experience does kerry have", "kerry-experience"),
        ("WHAT DID LAVROV SAY ABOUT THE OLYMPICS", "lavrov-olympics-accusation"),
    ],
)
def test_questions_land_on_their_intent(engine: Engine, question: str, intent: str) -> None:
    """Typos, keywords, aliases, one-word and shouted questions rank the right intent first."""
    ranked = engine.rank(question)
    assert ranked and ranked[0].intent_id == intent, ranked[:3]


def test_typo_is_corrected_against_the_vocabulary(engine: Engine) -> None:
    """Unknown words close to a known word are replaced before matching."""
    query = engine.matcher.prepare("lavorv and the olympcs")
    assert "lavrov" in query.words and "olympics" in query.words


def test_alias_reads_a_long_name_as_its_acronym(engine: Engine) -> None:
    """An alias declared by an intent (the International Olympic Committee) applies in questions."""
    words = engine.matcher.prepare("what will the international olympic committee do").words
    assert "ioc" in words and "committee" not in words


def test_scores_are_bounded_and_sorted(engine: Engine) -> None:
    """Scores lie in 0..100 and come best first."""
    ranked = engine.rank("why is the us giving russia leverage in syria")
    scores = [c.score for c in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)


def test_normalise_examples() -> None:
    """Case, curly apostrophes, possessives and punctuation are folded the same way."""
    assert normalise("Russia’s  GAIN?!") == "russia gain"
    assert normalise("What's Kerry's role — really?") == "what kerry role really"


def _normalise_by_definition(text: str) -> str:
    """``normalise`` as first written, every step always applied (its fast paths skip steps)."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    text = re.sub(r"(\w)'s\b", r"\1", text).replace("'", "")
    return " ".join(re.sub(r"[^\w]+", " ", text).replace("_", " ").split())


@given(
    st.one_of(
        st.text(),
        st.text(alphabet="abcXYZ09 _'`’.?\t\n-é"),
        st.text(alphabet=st.characters(max_codepoint=127)),
    )
)
@example("don`t")  # a backtick is an apostrophe
@example("kerry's role")
@example("snake_case\tand\x1ccontrols")
@example("ﬁnal ＡＢＣ")  # NFKC turns these into ASCII
def test_normalise_fast_paths_change_nothing(text: str) -> None:
    """Skipping steps that cannot change a text gives the same result as applying them all."""
    assert normalise(text) == _normalise_by_definition(text)


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    """Normalising twice changes nothing, so examples and questions meet on one form."""
    once = normalise(text)
    assert normalise(once) == once


def test_sentence_spans_keep_closing_quotes() -> None:
    """Sentences end after their closing punctuation and quotes."""
    text = "He said ‘no.’ Then left. Fine"
    assert [text[a:b] for a, b in sentence_spans(text)] == ["He said ‘no.’", "Then left.", "Fine"]


def test_truncate_respects_the_limit() -> None:
    """Truncation never exceeds the limit and marks the cut."""
    cut = truncate("word " * 100, 50)
    assert len(cut) <= 50 and cut.endswith("…")
    assert truncate("short", 50) == "short"
