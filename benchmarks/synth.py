"""Seeded synthetic intents and questions built from the article's own vocabulary.

Moderator-added intents look like the shipped ones: a question opener, a few topic words from the
article, now and then a word the article never uses, and the odd typo. Questions are paraphrases of
those examples (half of them with typos) plus off-topic chatter made of words the article lacks.
"""

from __future__ import annotations

import random
import string
from collections import Counter
from dataclasses import dataclass

import yaml

from bot.core.article import Article
from bot.core.intents import Intent, IntentKind, IntentSet
from bot.core.text import STOPWORDS, normalise, tokens

OPENERS = (
    "what did",
    "what does",
    "why did",
    "why is",
    "how did",
    "how does",
    "who is",
    "when did",
    "where is",
    "is it true that",
    "tell me about",
    "what about",
    "can you explain",
    "does the author think",
    "what is the role of",
    "explain",
    "",
)

# Everyday words the article never uses: filler in examples, the stuff of off-topic questions.
NOISE = """
weather pizza football recipe guitar holiday mortgage laptop printer garden puppy kitten
coffee breakfast dinner movie netflix playlist concert ticket airport train bicycle shoes
jacket birthday wedding homework exam teacher school library museum painting camera phone
charger battery password wifi router keyboard monitor tomato potato banana chocolate cake
cookie sandwich burger salad soup vacation beach mountain river forest island volcano
dinosaur planet galaxy rocket telescope physics chemistry algebra poetry novel chapter
lyrics dance yoga gym marathon tennis basketball hockey cricket chess poker lottery
insurance taxes salary invoice budget loan crypto bitcoin stocks startup app website
software update virus doctor dentist hospital medicine vitamin allergy sneeze headache
traffic parking garage plumber electrician carpenter furniture sofa blanket pillow lamp
""".split()  # noqa: SIM905 - a word list reads better as text


@dataclass(frozen=True)
class Vocabulary:
    """The words synthetic text is made of: the article's content words and everyday noise."""

    content: tuple[str, ...]
    weights: tuple[int, ...]
    noise: tuple[str, ...]


def article_vocabulary(article: Article) -> Vocabulary:
    """Content words of the article weighted by frequency, plus the noise list."""
    counts = Counter(
        w for w in tokens(normalise(article.text)) if w not in STOPWORDS and len(w) > 2
    )
    words = sorted(counts)
    noise = tuple(w for w in NOISE if w not in counts)
    return Vocabulary(tuple(words), tuple(counts[w] for w in words), noise)


def typo(word: str, rng: random.Random) -> str:
    """One realistic slip: a letter dropped, doubled, swapped with its neighbour or replaced."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(("drop", "double", "swap", "replace"))
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]


def pseudo_word(rng: random.Random) -> str:
    """A pronounceable made-up word (names, jargon) that no vocabulary holds."""
    syllables = ["".join((rng.choice("bdfgklmnprstvz"), rng.choice("aeiou"))) for _ in range(3)]
    return "".join(syllables) + rng.choice("nrs")


class IntentFactory:
    """Builds unique synthetic intents (10 examples each) and matching questions, seeded."""

    def __init__(self, article: Article, seed: int = 4) -> None:
        self.article = article
        self.vocab = article_vocabulary(article)
        self.rng = random.Random(seed)
        self.seen: set[str] = set()
        self.sections = [s for s in article.sections if not s.header]

    def reserve(self, intents: IntentSet) -> None:
        """Never generate an example that one of ``intents`` already has."""
        self.seen.update(normalise(e) for i in intents.intents for e in i.examples)

    def topic(self) -> list[str]:
        """Two or three content words, drawn by frequency in the article."""
        rng, vocab = self.rng, self.vocab
        return list(dict.fromkeys(rng.choices(vocab.content, vocab.weights, k=rng.randint(2, 3))))

    def example(self, topic: list[str]) -> str:
        """One question about ``topic``: opener, topic words, extra words, noise, a rare typo."""
        rng = self.rng
        words = rng.sample(topic, rng.randint(1, len(topic)))
        words += rng.choices(self.vocab.content, self.vocab.weights, k=rng.randint(0, 2))
        if rng.random() < 0.15:
            words.append(rng.choice(self.vocab.noise) if rng.random() < 0.7 else pseudo_word(rng))
        rng.shuffle(words)
        if rng.random() < 0.05:
            k = rng.randrange(len(words))
            words[k] = typo(words[k], rng)
        return " ".join([rng.choice(OPENERS), *words]).strip()

    def intent(self, number: int, per_intent: int = 10) -> Intent:
        """The ``number``-th synthetic intent, with ``per_intent`` examples no other intent has."""
        rng = self.rng
        topic = self.topic()
        examples: list[str] = []
        while len(examples) < per_intent:
            text = self.example(topic)
            key = normalise(text)
            if key and key not in self.seen:
                self.seen.add(key)
                examples.append(text)
        section = rng.choice(self.sections)
        span = rng.choice(self.article.sentences(section.id))
        kind = IntentKind.NOT_IN_ARTICLE if rng.random() < 0.1 else IntentKind.ANSWER
        return Intent(
            id=f"synthetic-{number}",
            kind=kind,
            examples=tuple(examples),
            section=section.id,
            span=span if kind is IntentKind.ANSWER else None,
            reply="The article does not say." if kind is IntentKind.NOT_IN_ARTICLE else None,
            keywords=tuple(topic),
        )

    def intents(self, examples: int, per_intent: int = 10) -> list[Intent]:
        """Enough intents for ``examples`` example questions in all."""
        count = max(1, examples // per_intent)
        return [self.intent(n, per_intent) for n in range(count)]


def with_intents(base: IntentSet, extra: list[Intent]) -> IntentSet:
    """``base`` plus ``extra`` as one set (examples already unique by construction)."""
    return IntentSet(base.intents + tuple(extra), base.files)


@dataclass(frozen=True)
class Question:
    """A synthetic question and the intent whose example it paraphrases (None: off-topic)."""

    text: str
    source: str | None


def questions(
    intents: list[Intent], vocab: Vocabulary, count: int, seed: int = 7
) -> list[Question]:
    """``count`` questions: a fifth off-topic, half of all with one or two typos."""
    rng = random.Random(seed)
    out: list[Question] = []
    for n in range(count):
        source: str | None = None
        if n % 5 != 0:
            intent = rng.choice(intents)
            source = intent.id
            words = rng.choice(intent.examples).split()
            if len(words) > 3 and rng.random() < 0.5:
                words.pop(rng.randrange(len(words)))
            if rng.random() < 0.3:
                words.insert(rng.randrange(len(words) + 1), rng.choice(vocab.content))
        else:
            words = rng.choice(OPENERS).split() + rng.sample(vocab.noise, rng.randint(1, 4))
        if n % 2 == 1:
            long = [k for k, w in enumerate(words) if len(w) >= 4] or [0]
            for k in rng.sample(long, min(len(long), rng.randint(1, 2))):
                words[k] = typo(words[k], rng)
        out.append(Question(" ".join(words), source))
    return out


def intent_yaml(intents: list[Intent], article: Article) -> str:
    """An intent file (version 1) holding ``intents``, quotes cut from the article."""
    items = []
    for intent in intents:
        item: dict[str, object] = {"id": intent.id, "section": intent.section}
        if intent.kind is IntentKind.NOT_IN_ARTICLE:
            item["kind"] = intent.kind.value
            item["reply"] = intent.reply
        elif intent.span is not None:
            item["quote"] = article.text[intent.span[0] : intent.span[1]]
        item["examples"] = list(intent.examples)
        item["keywords"] = list(intent.keywords)
        items.append(item)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter is 10x faster
    body: str = yaml.dump(
        {"version": 1, "intents": items},
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        width=1000,
    )
    return body
