"""The whole command line over a second, small article written for the tests.

Nothing here may lean on the shipped article: a header with "By Name, Agency", a date line and a
subtitle ending in a full stop, its own sections, intents and question set.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ARTICLES, cli

SECOND = ARTICLES / "second"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A private copy of the second article's folder (its database lands inside)."""
    target = tmp_path / "second"
    shutil.copytree(SECOND, target)
    return target


def run(folder: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run ``article-bot ARGS`` on the second article's config."""
    config = ("--config", str(folder / "config.yaml"))
    return cli(args[0], *config, *args[1:], stdin=stdin, cwd=folder, timeout=120)


def test_check_and_outline(folder: Path) -> None:
    """check validates it; sections shows its own title, author, agency and date."""
    checked = run(folder, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "4 sections, 3 paragraphs, 5 intents" in checked.stdout
    outline = run(folder, "sections").stdout
    first = outline.splitlines()[0]
    assert "Riverside Library Reopens After Flood Repairs" in first
    assert "Amara Okafor, Valley Gazette, March 3, 2025" in first
    assert "`repairs` Paying for the repairs (¶2)" in outline
    assert "Tango" not in outline


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "how much did it cost",
            "Repairs cost the town council about two hundred thousand pounds.",
        ),
        (
            "saturday hours?",
            "He also promised longer opening hours on Saturdays, starting in April.",
        ),
        ("who wrote it", "By Amara Okafor, Valley Gazette"),
    ],
)
def test_ask_quotes_the_second_article(folder: Path, question: str, expected: str) -> None:
    """ask answers from this article's text, verbatim."""
    result = run(folder, "ask", question)
    assert result.returncode == 0, result.stderr
    assert f"> {expected}" in result.stdout
    assert expected in (folder / "article.txt").read_text(encoding="utf-8")


def test_ask_refuses_what_the_article_does_not_say(folder: Path) -> None:
    """An off-topic question names this article, not the shipped one, and quotes nothing."""
    out = run(folder, "ask", "who won the world cup").stdout
    assert "Riverside Library Reopens" in out
    assert ">" not in out


def test_chat_json_commands_and_follow_up(folder: Path) -> None:
    """chat --json: /summary by section id, a question, "tell me more" continuing it, /sections."""
    result = run(
        folder, "chat", "--json", stdin="/summary repairs\nwho helped\ntell me more\n/sections\n"
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["kind"] for line in lines] == ["command", "answer", "answer", "command"]
    assert lines[0]["section"] == "repairs"
    assert lines[1]["intent"] == "volunteers"
    assert lines[2]["continued"] is True
    assert lines[2]["quote"].startswith("Repairs cost the town council")
    assert (folder / "data" / "second.db").stat().st_size > 0


def test_eval_on_its_own_question_set(folder: Path) -> None:
    """eval measures this article's own labelled questions and holds their floors."""
    result = run(folder, "eval", str(folder / "questions.yaml"), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["missed_floors"] == []
    assert report["top1_accuracy"] >= 0.8
