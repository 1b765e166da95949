"""`article-bot eval` checks the floors a golden file declares, and names a bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.evaluate import load_floors, missed_floors
from bot.errors import DataFileError
from tests.helpers import ROOT, cli

QUESTIONS = """\
version: 1
{floors}
questions:
  - q: "what happened in turkey"
    section: turkey-coup
  - q: "banana bread recipe"
    expect: reject
"""


def _config(tmp_path: Path) -> Path:
    """A config of the test's own over the shipped article and intents (no snapshot)."""
    path = tmp_path / "config.yaml"
    path.write_text(
        f"sections: {ROOT / 'seeds' / 'sections.yaml'}\nintents: {ROOT / 'intents'}\n"
        f"database: {tmp_path / 'x.db'}\nintent_cache: null\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("floors", "code", "said"),
    [
        ("floors: {top1_accuracy: 0.5, off_topic_rejection: 0.5}", 0, ""),
        ("floors: {top1_accuracy: 1.01}", 1, "floors.top1_accuracy: must be a number"),
        ("floors: {speed: 0.5}", 1, "floors.speed: unknown figure"),
        ("", 0, ""),
    ],
)
def test_eval_exits_by_the_floors(tmp_path: Path, floors: str, code: int, said: str) -> None:
    """Floors met (or none) exit 0; a malformed floor is named with its key and exits 1."""
    golden = tmp_path / "set.yaml"
    golden.write_text(QUESTIONS.format(floors=floors), encoding="utf-8")
    run = cli("eval", str(golden), "--config", str(_config(tmp_path)))
    assert run.returncode == code, run.stderr
    assert said in run.stderr


def test_a_figure_below_its_floor_fails_and_is_named(tmp_path: Path) -> None:
    """A figure under its floor makes eval exit 1 with a line naming the figure and the file."""
    golden = tmp_path / "set.yaml"
    text = QUESTIONS.format(floors="floors: {off_topic_rejection: 1.0}")
    golden.write_text(text.replace("banana bread recipe", "what happened in turkey"), "utf-8")
    run = cli("eval", str(golden), "--config", str(_config(tmp_path)))
    assert run.returncode == 1
    assert f"{golden}: off_topic_rejection 0.000 is below its floor 1.000" in run.stderr


def test_floors_are_read_and_compared() -> None:
    """missed_floors lists exactly the figures under their floor."""
    summary = {"top1_accuracy": 0.9, "off_topic_rejection": 0.99}
    assert missed_floors(summary, {"top1_accuracy": 0.95, "off_topic_rejection": 0.97}) == [
        "top1_accuracy 0.900 is below its floor 0.950"
    ]


def test_a_bad_floors_file_raises_a_data_error(tmp_path: Path) -> None:
    """A floor that is not a number is a DataFileError naming the key."""
    golden = tmp_path / "set.yaml"
    golden.write_text("version: 1\nfloors:\n  top1_accuracy: high\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"floors\.top1_accuracy"):
        load_floors(golden)
