"""Quality on every question set, measured with the same code as `article-bot eval`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.evaluate import evaluate, load_floors, load_golden, missed_floors
from tests.helpers import GOLDEN, SETS


def test_golden_set_is_large_and_varied() -> None:
    """The golden set holds at least 150 questions including rejects and dialogues."""
    singles, dialogues = load_golden(GOLDEN)
    assert len(singles) + sum(len(d) for d in dialogues) >= 150
    assert sum(t.expect == ("reject",) for t in singles) >= 30
    assert len(dialogues) >= 5


@pytest.mark.parametrize("path", sorted(SETS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_set_holds_its_floors(engine: Engine, path: Path) -> None:
    """Each question set declares floors and the engine measures at or above every one."""
    floors = load_floors(path)
    assert {"top1_accuracy", "answered_correctly", "off_topic_rejection"} <= floors.keys()
    singles, dialogues = load_golden(path)
    summary = evaluate(engine, singles, dialogues).summary()
    assert not missed_floors(summary, floors), summary["confusions"]


def test_golden_follow_ups(engine: Engine) -> None:
    """'more' and its variants continue the passage in the golden dialogues."""
    singles, dialogues = load_golden(GOLDEN)
    assert evaluate(engine, singles, dialogues).summary()["follow_ups_correct"] >= 0.9
