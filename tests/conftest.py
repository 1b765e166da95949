"""Shared fixtures: the shipped article, intents and engine, and small builders for tests."""

from __future__ import annotations

import shutil

import pytest

from bot.config import Config
from bot.core.article import Article
from bot.core.engine import Engine
from bot.core.knowledge import Knowledge
from bot.core.sections import load_article
from tests.helpers import CLI_FOLDER, own_config

# The throwaway PostgreSQL server's fixtures (pg_server, pg_url), started only by tests using them.
pytest_plugins = ["tests.pgserver"]


@pytest.fixture(scope="session")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The tests' own config over the shipped article and intents."""
    return own_config(tmp_path_factory.mktemp("config"))


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
