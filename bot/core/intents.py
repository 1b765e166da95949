"""The intent file format: parse, validate against the article, and report every problem."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.article import Article, Span
from bot.core.loading.checks import Checker
from bot.core.loading.lined import LineDict, LineList
from bot.core.loading.yamlsrc import YamlSyntaxError, parse_intent_yaml
from bot.core.text import normalise, truncate

INTENTS_VERSION = 1
MIN_EXAMPLES = 5


@dataclass(frozen=True)
class IntentLimits:
    """How big intent data may be: a file, a list, a piece of text. Past these, a file is
    refused with a message, before it can cost minutes and gigabytes to index."""

    file_bytes: int = 1_000_000
    examples: int = 200
    example_chars: int = 300
    text_chars: int = 2_000
    list_items: int = 200
    # What of a user's text an error message quotes.
    echo_chars: int = 80


LIMITS = IntentLimits()
INTENT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ALLOWED_KEYS = frozenset(
    {
        "id",
        "kind",
        "section",
        "examples",
        "quote",
        "lead",
        "keywords",
        "aliases",
        "follow_ups",
        "reply",
    }
)


class IntentKind(StrEnum):
    """What an intent does when it matches."""

    ANSWER = "answer"
    SMALLTALK = "smalltalk"
    NOT_IN_ARTICLE = "not_in_article"


@dataclass(frozen=True)
class Intent:
    """One validated intent; ``span`` is the exact article text it quotes (answers only)."""

    id: str
    kind: IntentKind
    examples: tuple[str, ...]
    section: str | None = None
    span: Span | None = None
    lead: str | None = None
    reply: str | None = None
    keywords: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()
    follow_ups: tuple[str, ...] = ()
    source: str = ""
    line: int = 0
    example_lines: tuple[int, ...] = field(default=(), compare=False, repr=False)
    # The examples through text.normalise, computed once at load for the checks and the matcher.
    normalised: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def normalised_examples(self) -> tuple[str, ...]:
        """The examples normalised (as ``text.normalise``), computed once when loaded."""
        return self.normalised or tuple(normalise(e) for e in self.examples)


@dataclass(frozen=True)
class IntentSet:
    """A whole, valid set of intents: never half-loaded."""

    intents: tuple[Intent, ...]
    files: tuple[str, ...] = ()
    by_id: dict[str, Intent] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({intent.id: intent for intent in self.intents})

    def get(self, intent_id: str) -> Intent | None:
        """Return the intent with this id, if any."""
        return self.by_id.get(intent_id)

    def in_section(self, section_id: str) -> list[Intent]:
        """Return the answer intents tied to a section, in file order."""
        return [i for i in self.intents if i.section == section_id and i.kind is IntentKind.ANSWER]

    def aliases(self) -> dict[str, str]:
        """Return every alias declared by any intent, normalised (alias -> expansion)."""
        table: dict[str, str] = {}
        for intent in self.intents:
            for alias, expansion in intent.aliases:
                table[normalise(alias)] = normalise(expansion)
        return table


def parse_document(check: Checker, text: str, article: Article) -> list[Intent]:
    """Parse one intent file, recording its own problems in ``check``."""
    try:
        raw = parse_intent_yaml(text)
    except YamlSyntaxError as exc:
        check.add(exc.line, "yaml", exc.message)
        return []
    data = check.mapping(raw, 1, "file")
    if data is None:
        return []
    check.version(data, INTENTS_VERSION)
    check.keys(data, "", {"version", "intents"}, {"intents"})
    items = data.get("intents")
    if items is None:
        return []
    if not isinstance(items, LineList):
        check.add(data.line_of("intents"), "intents", "expected a list of intents")
        return []
    intents = []
    for index, item in enumerate(items):
        entry = check.mapping(item, items.line_of(index), f"intents[{index}]")
        intent = _parse_intent(check, entry, index, article) if entry is not None else None
        if intent is not None:
            intents.append(intent)
    return intents


def _parse_intent(check: Checker, entry: LineDict, index: int, article: Article) -> Intent | None:
    intent_id = check.string(entry, "id", f"intents[{index}]")
    where = intent_id or f"intents[{index}]"
    check.keys(entry, where, set(ALLOWED_KEYS), {"id", "examples"})
    if intent_id is None or not _within_limits(check, entry, where):
        return None
    if not INTENT_ID.match(intent_id):
        check.add(entry.line_of("id"), f"{where}.id", "use lowercase words joined by hyphens")
    kind = _kind(check, entry, where)
    examples, normalised = _examples(check, entry, where)
    section, span = _section_and_span(check, entry, where, kind, article)
    reply = check.string(entry, "reply", where)
    if kind is IntentKind.ANSWER and reply is not None:
        check.add(entry.line_of("reply"), f"{where}.reply", "answers quote the article; use `lead`")
    if kind is not IntentKind.ANSWER and reply is None:
        check.add(entry.line, f"{where}.reply", f"required for kind {kind.value}")
    lead = check.string(entry, "lead", where)
    if lead is not None and kind is not IntentKind.ANSWER:
        check.add(entry.line_of("lead"), f"{where}.lead", "only answers have a lead; use `reply`")
    return Intent(
        id=intent_id,
        kind=kind,
        examples=tuple(text for text, _ in examples),
        example_lines=tuple(line for _, line in examples),
        normalised=normalised,
        section=section,
        span=span,
        lead=lead,
        reply=reply,
        keywords=tuple(text for text, _ in check.string_list(entry, "keywords", where)),
        aliases=_aliases(check, entry, where),
        follow_ups=tuple(text for text, _ in check.string_list(entry, "follow_ups", where)),
        source=check.path,
        line=entry.line,
    )


def _within_limits(check: Checker, entry: LineDict, where: str) -> bool:
    """Record every field past ``LIMITS``; False if there was one (the intent is not read on)."""
    before = len(check.problems)
    for key, value in entry.items():
        line, name = entry.line_of(key), f"{where}.{key}"
        items = list(value.values()) if isinstance(value, LineDict) else value
        if isinstance(items, LineList | list):
            most = LIMITS.examples if key == "examples" else LIMITS.list_items
            if len(items) > most:
                check.add(line, name, f"has {len(items)} items; at most {most} are allowed")
            chars = LIMITS.example_chars if key == "examples" else LIMITS.text_chars
            texts = [t for t in items if isinstance(t, str)]
        else:
            chars, texts = LIMITS.text_chars, [value] if isinstance(value, str) else []
        for text in texts:
            if len(text) > chars:
                shown = _shown(text)
                check.add(line, name, f"{shown} is {len(text):,} characters; at most {chars:,}")
                break
    return len(check.problems) == before


def _shown(text: str) -> str:
    """A user's text as error messages quote it: cut short."""
    return repr(truncate(text, LIMITS.echo_chars))


def _kind(check: Checker, entry: LineDict, where: str) -> IntentKind:
    raw = check.string(entry, "kind", where) or IntentKind.ANSWER.value
    try:
        return IntentKind(raw)
    except ValueError:
        choices = ", ".join(k.value for k in IntentKind)
        check.add(entry.line_of("kind"), f"{where}.kind", f"unknown kind {raw!r} (use {choices})")
        return IntentKind.ANSWER


def _examples(
    check: Checker, entry: LineDict, where: str
) -> tuple[list[tuple[str, int]], tuple[str, ...]]:
    """The examples with their lines, and the same normalised."""
    examples = check.string_list(entry, "examples", where)
    if "examples" in entry and len(examples) < MIN_EXAMPLES:
        msg = f"needs at least {MIN_EXAMPLES} examples, has {len(examples)}"
        check.add(entry.line_of("examples"), f"{where}.examples", msg)
    seen: dict[str, int] = {}
    keys = tuple([normalise(text) for text, _ in examples])
    for (text, line), key in zip(examples, keys, strict=True):
        if not key:
            check.add(line, f"{where}.examples", f"{_shown(text)} has no words to match on")
        elif key in seen:
            check.add(line, f"{where}.examples", f"{_shown(text)} repeats line {seen[key]}")
        seen.setdefault(key, line)
    return examples, keys


def _section_and_span(
    check: Checker, entry: LineDict, where: str, kind: IntentKind, article: Article
) -> tuple[str | None, Span | None]:
    section = check.string(entry, "section", where)
    quote = entry.get("quote")
    if kind is IntentKind.SMALLTALK:
        for key in ("section", "quote"):
            if key in entry:
                check.add(entry.line_of(key), f"{where}.{key}", "smalltalk intents do not quote")
        return None, None
    if section is None:
        check.add(entry.line, f"{where}.section", f"required for kind {kind.value}")
        return None, None
    if not article.has_section(section):
        known = ", ".join(s.id for s in article.sections)
        check.add(
            entry.line_of("section"),
            f"{where}.section",
            f"unknown section {section!r} (known: {known})",
        )
        return None, None
    if kind is IntentKind.NOT_IN_ARTICLE:
        if quote is not None:
            check.add(
                entry.line_of("quote"), f"{where}.quote", "not_in_article intents never quote"
            )
        return section, None
    if quote is None:
        sec = article.section(section)
        return section, (sec.start, sec.end)
    if not isinstance(quote, str) or not quote.strip():
        check.add(entry.line_of("quote"), f"{where}.quote", "expected non-empty text")
        return section, None
    span = article.find(section, quote.strip())
    if span is None:
        check.add(
            entry.line_of("quote"),
            f"{where}.quote",
            f"not found verbatim in section {section!r}: {quote.strip()[:60]!r}",
        )
    return section, span


def _aliases(check: Checker, entry: LineDict, where: str) -> tuple[tuple[str, str], ...]:
    raw = entry.get("aliases")
    if raw is None:
        return ()
    if not isinstance(raw, LineDict) or not all(isinstance(v, str) for v in raw.values()):
        check.add(
            entry.line_of("aliases"), f"{where}.aliases", "expected a mapping ALIAS: expansion"
        )
        return ()
    return tuple((str(k), str(v)) for k, v in raw.items())
