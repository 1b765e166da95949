"""Quality on the golden set, measured with the same code as `article-bot eval`."""

from __future__ import annotations

from pathlib import Path

from bot.core.dialogue import Engine
from bot.core.evaluate import evaluate, load_golden

GOLDEN = Path(__file__).parent / "golden" / "golden.yaml"


def test_golden_set_is_large_and_varied() -> None:
    """The golden set holds at least 150 questions including rejects and dialogues."""
    singles, dialogues = load_golden(GOLDEN)
    assert len(singles) + sum(len(d) for d in dialogues) >= 150
    assert sum(t.expect == ("reject",) for t in singles) >= 30
    assert len(dialogues) >= 5


def test_golden_accuracy_and_rejection(engine: Engine) -> None:
    """Top-1 accuracy on answerable questions and off-topic rejection both reach 0.95."""
    singles, dialogues = load_golden(GOLDEN)
    summary = evaluate(engine, singles, dialogues).summary()
    assert summary["top1_accuracy"] >= 0.95, summary["confusions"]
    assert summary["off_topic_rejection"] >= 0.95, summary["confusions"]
    assert summary["follow_ups_correct"] >= 0.9
