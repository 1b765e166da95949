"""Shared fixtures: the shipped article, intents and engine, and small builders for tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.core.article import Article
from bot.core.dialogue import Engine
from bot.core.knowledge import Knowledge
from bot.core.sections import load_article

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def config() -> Config:
    """The shipped config.yaml."""
    return load_config(ROOT / "config.yaml", environ={})


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
