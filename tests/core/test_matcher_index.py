"""The matcher's candidate index: the same answers as a full scan, and exact parts that stay so."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from benchmarks.synth import NOISE, IntentFactory, typo, with_intents
from bot.config import Config
from bot.core.article import Article
from bot.core.engine import Engine
from bot.core.evaluate import evaluate, load_golden
from bot.core.intents import IntentSet
from bot.core.matching.index import CoverageIndex, ExampleIndex, token_sorted
from bot.core.matching.matcher import Matcher
from bot.core.matching.spelling import Speller
from bot.core.matching.types import Candidate, ScanLimits
from tests.helpers import GOLDEN

# Small enough that the shipped intents overflow it: the index really narrows the search.
NARROW = ScanLimits(examples=100, words=0)


def _engine(config: Config, article: Article, intents: IntentSet, matcher: Matcher) -> Engine:
    return Engine(article, intents, matcher, config.matching, config.dialogue)


@pytest.fixture(scope="module")
def matchers(config: Config, article: Article, engine: Engine) -> dict[str, Matcher]:
    """The shipped intents matched by a full scan, by the index, and by a narrowed index."""
    full = dataclasses.replace(config.matching, index=False)
    return {
        "full": Matcher(engine.intents, article.text, full),
        "index": Matcher(engine.intents, article.text, config.matching),
        "narrow": Matcher(engine.intents, article.text, config.matching, limits=NARROW),
    }


def _ranked(matcher: Matcher, question: str) -> list[Candidate]:
    return matcher.rank(matcher.prepare(question), limit=8)


def test_golden_report_is_the_same_with_the_index(
    config: Config, article: Article, engine: Engine, matchers: dict[str, Matcher]
) -> None:
    """`article-bot eval` on the golden set reports the same figures, outcome by outcome."""
    singles, dialogues = load_golden(GOLDEN)
    reports = {
        name: evaluate(_engine(config, article, engine.intents, matchers[name]), singles, dialogues)
        for name in ("full", "index")
    }
    assert reports["index"].summary() == reports["full"].summary()
    assert reports["index"].outcomes == reports["full"].outcomes


def test_golden_accuracy_holds_when_the_index_narrows(
    config: Config, article: Article, engine: Engine, matchers: dict[str, Matcher]
) -> None:
    """Scoring only 100 candidate examples per question keeps the golden accuracy figures."""
    singles, dialogues = load_golden(GOLDEN)
    summaries = {
        name: evaluate(
            _engine(config, article, engine.intents, matchers[name]), singles, dialogues
        ).summary()
        for name in ("full", "narrow")
    }
    for figure in ("top1_accuracy", "answered_correctly", "off_topic_rejection"):
        assert summaries["narrow"][figure] == summaries["full"][figure], figure


def _questions(vocabulary: list[str]) -> st.SearchStrategy[str]:
    slipped = st.builds(
        lambda word, seed: typo(word, random.Random(seed)),
        st.sampled_from(vocabulary),
        st.integers(0, 10_000),
    )
    words = st.one_of(st.sampled_from(vocabulary), slipped, st.sampled_from(NOISE))
    return st.lists(words, min_size=1, max_size=8).map(" ".join)


def test_random_questions_rank_as_in_a_full_scan(matchers: dict[str, Matcher]) -> None:
    """Random questions of known words, typos and noise get the full scan's ranking."""
    vocabulary = sorted(matchers["full"].vocabulary)

    @settings(max_examples=300, deadline=None)
    @given(_questions(vocabulary))
    def check(question: str) -> None:
        full, index = _ranked(matchers["full"], question), _ranked(matchers["index"], question)
        assert index[:1] == full[:1]
        assert index == full

    check()


@pytest.mark.parametrize("question", ["action angela why", "according angela why"])
def test_an_intent_close_in_meaning_scores_as_when_coverage_brings_it(
    matchers: dict[str, Matcher], question: str
) -> None:
    """Found by the test above: an intent brought in by meaning got a coverage score without the
    question words, one brought in by coverage with them, so the index and the scan differed."""
    assert _ranked(matchers["index"], question) == _ranked(matchers["full"], question)


@given(st.lists(st.sampled_from(["a", "b", "ab", "ba", "abc", "x", "yz"]), max_size=6))
def test_token_sorted_ratio_is_token_sort_ratio(words: list[str]) -> None:
    """ratio on token-sorted strings equals token_sort_ratio on the originals."""
    text = " ".join(words)
    for other in ("a b", "abc x", "yz ba ab", ""):
        expected = fuzz.token_sort_ratio(text, other)
        assert fuzz.ratio(token_sorted(text), token_sorted(other)) == expected


@given(
    st.lists(st.lists(st.sampled_from("abcdefg"), max_size=5), min_size=1, max_size=40),
    st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=6),
    st.sets(st.integers(0, 39)),
    st.integers(1, 8),
)
def test_coverage_index_finds_the_best_intents_exactly(
    bags: list[list[str]], terms: list[str], excluded: set[int], limit: int
) -> None:
    """Branch and bound over bitsets returns the brute-force best intents, ties by id."""
    ids = [f"i{n:03d}" for n in range(len(bags))]
    index = CoverageIndex(ids, bags)
    weights = {t: 1.0 + "abcdefgh".index(t) % 3 for t in terms}

    def score(hit: float) -> float:
        return round(100.0 * hit / sum(weights.values()), 2)

    brute = [
        (rank, score(index.hit(rank, terms, weights)))
        for rank in range(len(bags))
        if rank not in excluded and index.hit(rank, terms, weights)
    ]
    brute.sort(key=lambda pair: (-pair[1], pair[0]))
    exclude = sum(1 << r for r in excluded)
    found = index.best(terms, weights, score, limit=limit, floor=-1.0, exclude=exclude)
    assert found == brute[:limit]


WORDS = ["turkey", "turkish", "russia", "russian", "olympics", "lavrov", "coup", "kerry"]


@given(st.sampled_from(WORDS), st.integers(0, 10_000), st.booleans())
def test_speller_index_agrees_with_a_full_scan_within_its_reach(
    word: str, seed: int, twice: bool
) -> None:
    """The deletion index corrects like the full scan whenever the answer is within reach."""
    rng = random.Random(seed)
    vocabulary = [*WORDS, *(typo(w, rng) for w in WORDS for _ in range(3))]
    slipped = typo(typo(word, rng), rng) if twice else typo(word, rng)
    full = Speller(vocabulary, 80.0, scan_limit=10_000).best(slipped)
    indexed = Speller(vocabulary, 80.0, scan_limit=0).best(slipped)
    if full is not None:
        common = LCSseq.similarity(slipped, full)
        if len(slipped) - common <= 2 and len(full) - common <= 1:
            assert indexed == full
    if indexed is not None:
        assert full is not None
        assert 80.0 <= fuzz.ratio(slipped, indexed) <= fuzz.ratio(slipped, full)


def test_example_index_within_budget_is_a_full_scan() -> None:
    """Under its budget the example index returns exactly the full token_sort_ratio scan."""
    rng = random.Random(3)
    texts = [" ".join(rng.choices(WORDS, k=rng.randint(1, 4))) for _ in range(300)]
    index = ExampleIndex([token_sorted(t) for t in texts])
    for query in ("turkey coup", "russian olympics lavrov", "kerry"):
        full = process.extract(
            query, texts, scorer=fuzz.token_sort_ratio, limit=80, score_cutoff=30
        )
        found = index.top(token_sorted(query), query.split(), limit=80, cutoff=30, budget=300)
        assert found == [(i, score) for _, score, i in full]


def test_past_its_limits_the_index_still_ranks_examples_first(
    config: Config, article: Article, engine: Engine
) -> None:
    """With 5,000 synthetic examples, an example asked verbatim wins as in the full scan."""
    factory = IntentFactory(article, seed=11)
    factory.reserve(engine.intents)
    extra = factory.intents(5000)
    intents = with_intents(engine.intents, extra)
    full = Matcher(intents, article.text, dataclasses.replace(config.matching, index=False))
    index = Matcher(intents, article.text, config.matching)
    for intent in extra[::50]:
        question = intent.examples[3]
        expected = _ranked(full, question)[0]
        found = _ranked(index, question)[0]
        assert (found.intent_id, found.score) == (expected.intent_id, expected.score), question
