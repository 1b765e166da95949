"""Shared fixtures: the shipped article, intents and engine, and small builders for tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bot.config import Config
from bot.core.article import Article
from bot.core.engine import Engine
from bot.core.knowledge import Knowledge
from bot.core.sections import load_article

ROOT = Path(__file__).resolve().parents[1]
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


@pytest.fixture(scope="session")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The tests' own config over the shipped article and intents."""
    return own_config(tmp_path_factory.mktemp("config"))


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


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove this process's command-line config folder (``own_config_file``)."""
    shutil.rmtree(CLI_FOLDER, True)


@pytest.fixture(scope="session")
def article(config: Config) -> Article:
    """The bundled article with its sections."""
    return load_article(config.sections)


@pytest.fixture(scope="session")
def knowledge(config: Config, article: Article) -> Knowledge:
    """The article with the shipped intents."""
    return Knowledge(article, config.intents, config.matching, config.dialogue)


@pytest.fixture(scope="session")
def engine(knowledge: Knowledge) -> Engine:
    """The engine over the shipped intents."""
    return knowledge.engine


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
