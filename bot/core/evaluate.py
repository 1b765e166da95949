"""Run a golden question file through the engine and measure it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.core.engine import Engine
from bot.core.intents import IntentKind
from bot.core.loading.checks import Checker
from bot.core.loading.lined import LineDict, LineList
from bot.core.loading.yamlsrc import read_yaml
from bot.core.replies import ReplyKind, State
from bot.errors import DataFileError

REJECT = "reject"
MORE = "more"
THRESHOLDS = tuple(range(40, 95, 5))
FLOOR_NAMES = ("top1_accuracy", "answered_correctly", "off_topic_rejection", "follow_ups_correct")


@dataclass(frozen=True)
class GoldenQuestion:
    """A question and the acceptable outcomes (intent ids, ``reject`` or ``more``)."""

    question: str
    expect: tuple[str, ...]
    by_section: bool = False


@dataclass(frozen=True)
class Outcome:
    """What the engine did with one golden question."""

    question: str
    expect: tuple[str, ...]
    kind: str
    intent: str | None
    top: str | None
    score: float
    correct: bool
    top_correct: bool = False


@dataclass
class Report:
    """Accuracy figures over a golden set."""

    outcomes: list[Outcome] = field(default_factory=list)
    scores_answerable: list[tuple[float, bool]] = field(default_factory=list)
    scores_reject: list[tuple[float, bool]] = field(default_factory=list)

    def _share(self, items: list[Outcome]) -> float:
        return sum(o.correct for o in items) / len(items) if items else 1.0

    @property
    def answerable(self) -> list[Outcome]:
        """Outcomes of questions the bot should answer (intent expected)."""
        return [o for o in self.outcomes if o.expect not in ((REJECT,), (MORE,))]

    @property
    def rejects(self) -> list[Outcome]:
        """Outcomes of questions the bot should not answer with a quote."""
        return [o for o in self.outcomes if o.expect == (REJECT,)]

    def summary(self) -> dict[str, Any]:
        """Return the headline numbers and the confusions as plain data."""
        answerable = self.answerable
        top1 = sum(o.top_correct for o in answerable) / len(answerable) if answerable else 1.0
        return {
            "questions": len(self.outcomes),
            "top1_accuracy": round(top1, 4),
            "answered_correctly": round(self._share(answerable), 4),
            "off_topic_rejection": round(self._share(self.rejects), 4),
            "ambiguity_rate": round(
                sum(o.kind == ReplyKind.AMBIGUOUS for o in self.outcomes) / len(self.outcomes), 4
            )
            if self.outcomes
            else 0.0,
            "follow_ups_correct": round(
                self._share([o for o in self.outcomes if o.expect == (MORE,)]), 4
            ),
            "per_threshold": self.per_threshold(),
            "confusions": [
                {
                    "question": o.question,
                    "expected": list(o.expect),
                    "got": o.intent or o.kind,
                    "top": o.top,
                    "score": o.score,
                }
                for o in self.outcomes
                if not o.correct
            ],
        }

    def per_threshold(self) -> list[dict[str, float]]:
        """For each answer threshold: accuracy on answerable and rejection of off-topic."""
        rows = []
        for t in THRESHOLDS:
            hits = sum(ok and s >= t for s, ok in self.scores_answerable)
            rejected = sum(s < t or not quotes for s, quotes in self.scores_reject)
            rows.append(
                {
                    "threshold": t,
                    "accuracy": round(hits / max(1, len(self.scores_answerable)), 4),
                    "rejection": round(rejected / max(1, len(self.scores_reject)), 4),
                }
            )
        return rows


def load_golden(path: Path) -> tuple[list[GoldenQuestion], list[list[GoldenQuestion]]]:
    """Read a golden file: single ``questions`` and multi-turn ``dialogues``."""
    check = Checker(str(path))
    data = check.mapping(read_yaml(path), 1, "file")
    if data is None:
        raise DataFileError(check.problems)
    singles = _turns(check, data.get("questions"), "questions")
    if any(turn.by_section for turn in singles):
        # A set labelled by passage was written without the intents: for it, "reject" means
        # "quote nothing", and a smalltalk reply to "hi" is as right as any.
        singles = [replace(turn, by_section=True) for turn in singles]
    dialogues = []
    for index, item in enumerate(data.get("dialogues") or []):
        entry = check.mapping(item, 1, f"dialogues[{index}]")
        if entry is not None:
            dialogues.append(_turns(check, entry.get("turns"), f"dialogues[{index}].turns"))
    if check.problems:
        raise DataFileError(check.problems)
    return singles, dialogues


def load_floors(path: Path) -> dict[str, float]:
    """A golden file's ``floors``: the least each headline figure may fall to (empty if none).

    Floors sit a margin below what the file measured when they were set, so that a good new
    intent moving one question does not fail the build, while a real regression does.
    """
    check = Checker(str(path))
    data = check.mapping(read_yaml(path), 1, "file")
    raw = data.get("floors") if data is not None else None
    floors: dict[str, float] = {}
    if isinstance(raw, LineDict):
        for name, value in raw.items():
            line = raw.line_of(name)
            if name not in FLOOR_NAMES:
                known = ", ".join(FLOOR_NAMES)
                check.add(line, f"floors.{name}", f"unknown figure (known: {known})")
            elif not isinstance(value, int | float) or isinstance(value, bool) or value > 1:
                check.add(line, f"floors.{name}", "must be a number between 0 and 1")
            else:
                floors[str(name)] = float(value)
    if check.problems:
        raise DataFileError(check.problems)
    return floors


def missed_floors(summary: dict[str, Any], floors: dict[str, float]) -> list[str]:
    """One line per headline figure below its floor (none: every floor held)."""
    return [
        f"{name} {summary[name]:.3f} is below its floor {floor:.3f}"
        for name, floor in floors.items()
        if summary[name] < floor
    ]


def _turns(check: Checker, raw: object, where: str) -> list[GoldenQuestion]:
    turns: list[GoldenQuestion] = []
    if not isinstance(raw, LineList):
        return turns
    for index, item in enumerate(raw):
        entry = check.mapping(item, raw.line_of(index), f"{where}[{index}]")
        if entry is None:
            continue
        question = str(entry.get("q", ""))
        # ``section`` names the passage (section ids) a reply must quote, for sets written
        # blind, without the intents; ``expect`` names intents, ``reject`` or ``more``.
        by_section = "section" in entry
        expect = entry.get("section") if by_section else entry.get("expect")
        options = tuple(str(e) for e in expect) if isinstance(expect, list) else (str(expect),)
        turns.append(GoldenQuestion(question, options, by_section))
    return turns


def evaluate(
    engine: Engine, singles: list[GoldenQuestion], dialogues: list[list[GoldenQuestion]]
) -> Report:
    """Ask every golden question (each single one in a fresh conversation) and score the replies."""
    report = Report()
    for turn in singles:
        _ask(engine, turn, None, report)
    for dialogue in dialogues:
        state: State | None = None
        for turn in dialogue:
            state = _ask(engine, turn, state, report)
    return report


def _ask(engine: Engine, turn: GoldenQuestion, state: State | None, report: Report) -> State | None:
    ranked = engine.rank(turn.question, state)
    reply, new_state = engine.reply_to(turn.question, state)
    top = ranked[0] if ranked else None
    if turn.expect == (MORE,):
        correct = reply.continued and reply.answered
    elif turn.expect == (REJECT,):
        correct = not reply.answered and (turn.by_section or reply.kind is not ReplyKind.SMALLTALK)
        top_intent = engine.intents.get(top.intent_id) if top else None
        quotes = top_intent is not None and top_intent.kind is IntentKind.ANSWER
        report.scores_reject.append((top.score if top else 0.0, quotes))
    else:
        correct = (
            reply.kind is ReplyKind.ANSWER and reply.section_id in turn.expect
            if turn.by_section
            else reply.kind in (ReplyKind.ANSWER, ReplyKind.SMALLTALK)
            and reply.intent_id in turn.expect
        )
        report.scores_answerable.append(
            (top.score if top else 0.0, bool(top and _hits(engine, top.intent_id, turn)))
        )
    report.outcomes.append(
        Outcome(
            turn.question,
            turn.expect,
            reply.kind.value,
            reply.intent_id,
            top.intent_id if top else None,
            top.score if top else 0.0,
            correct,
            bool(top and _hits(engine, top.intent_id, turn)),
        )
    )
    return new_state


def _hits(engine: Engine, intent_id: str, turn: GoldenQuestion) -> bool:
    """An intent meets the expectation: it is named, or it quotes the section named."""
    if not turn.by_section:
        return intent_id in turn.expect
    intent = engine.intents.get(intent_id)
    return intent is not None and intent.kind is IntentKind.ANSWER and intent.section in turn.expect
