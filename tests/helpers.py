"""Helpers shared by every test folder: paths, the tests' own config, child interpreters, the CLI.

Fixtures live in ``conftest.py``; everything a test imports by name lives here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.authoring import IntentDraft
from bot.config import Config
from bot.core.loading.lined import LineDict, LineList

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
# The question sets (golden, holdout, blind), each declaring its floors.
SETS = TESTS / "golden"
GOLDEN = SETS / "golden.yaml"
# Small articles written for the tests (not the shipped one).
ARTICLES = TESTS / "articles"
# A moderator's new intent that nothing shipped answers (its examples: five distinct questions).
BELLWETHER = (
    "what is the bellwether",
    "bellwether?",
    "tell me about the bellwether",
    "bellwether meaning",
    "explain the bellwether",
)
# Where own_config_file writes: named when the test session starts and handed down, so that a
# script a test runs in a child interpreter uses the session's folder, which the session removes.
CLI_FOLDER = Path(
    os.environ.setdefault(
        "ARTICLE_BOT_TESTS_DIR",
        str(Path(tempfile.gettempdir()) / f"article-bot-tests-{os.getpid()}"),
    )
)


def own_config(tmp: Path) -> Config:
    """A config of the tests' own over the shipped article and intents (defaults in code), so
    that no test depends on what the shipped config.yaml points at."""
    return Config(
        sections=ROOT / "seeds" / "sections.yaml",
        intents=ROOT / "intents",
        database=tmp / "article-bot.db",
        intent_cache=None,
    )


def own_config_file() -> Path:
    """A config.yaml of the tests' own (over the shipped article and intents, no snapshot),
    written once per test process, for tests that run the command line."""
    path = CLI_FOLDER / "config.yaml"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"sections: {ROOT / 'seeds' / 'sections.yaml'}\nintents: {ROOT / 'intents'}\n"
            f"database: {path.parent / 'article-bot.db'}\nintent_cache: null\n",
            encoding="utf-8",
        )
    return path


def fresh(script: str) -> tuple[object, str]:
    """Run ``script`` in a new interpreter (one thread): the JSON it prints last, its stderr."""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout.splitlines()[-1]), done.stderr


def cli(
    *args: str, stdin: str = "", cwd: Path = ROOT, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``article-bot ARGS`` (with the tests' own config unless one is given)."""
    if "--config" not in args:
        # After the subcommand(s): ``intents export`` takes it after ``export``.
        words = 2 if args[0] == "intents" else 1
        args = (*args[:words], "--config", str(own_config_file()), *args[words:])
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        text=True,
        capture_output=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


def shape(value: Any) -> Any:
    """Values with their types and recorded lines, for comparing two parses exactly."""
    if isinstance(value, LineDict):
        items = [(k, shape(v)) for k, v in value.items()]
        return ("map", value.line, value.key_lines, items)
    if isinstance(value, LineList):
        return ("list", value.line, value.item_lines, [shape(v) for v in value])
    return (type(value).__name__, value)  # True is not 1, "1" is not 1


def moderator_draft(
    intent_id: str = "bellwether", examples: tuple[str, ...] = BELLWETHER
) -> IntentDraft:
    """A valid /intent add form: ``examples`` answered by the Turkish coup's passage."""
    return IntentDraft(intent_id, "turkey-coup", examples, "failed military coup in Turkey")
