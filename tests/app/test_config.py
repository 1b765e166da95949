"""Configuration: defaults, located errors, environment overrides, the token."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config, read_token
from bot.errors import ConfigError
from tests.helpers import ROOT


def test_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    """A config path that does not exist is an error naming it, never a fall-back to defaults."""
    with pytest.raises(ConfigError, match=r"nowhere\.yaml:0: config: no such file"):
        load_config(tmp_path / "nowhere.yaml", environ={})
    with pytest.raises(ConfigError, match="not a file"):
        load_config(tmp_path, environ={})


def test_keys_left_out_take_their_defaults(tmp_path: Path) -> None:
    """An empty config file means the defaults, paths relative to its folder."""
    path = tmp_path / "config.yaml"
    path.write_text("", encoding="utf-8")
    config = load_config(path, environ={})
    assert config.sections == tmp_path / "seeds" / "sections.yaml"


def test_errors_name_line_and_key(tmp_path: Path) -> None:
    """Unknown keys and wrong types are reported with file, line and dotted key."""
    path = tmp_path / "config.yaml"
    path.write_text(
        "matching:\n  answer_threshold: high\n  colour: 3\ndiscord:\n  channels: 5\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={})
    text = str(info.value)
    assert f"{path}:2: matching.answer_threshold: expected float, got 'high'" in text
    assert f"{path}:3: matching.colour: unknown key" in text


def test_environment_overrides_discord_urls(tmp_path: Path) -> None:
    """DISCORD_API_BASE and DISCORD_GATEWAY_URL win over config.yaml."""
    path = tmp_path / "config.yaml"
    path.write_text(
        "discord:\n  api_base: http://config\n  channels: [general, 123]\n", encoding="utf-8"
    )
    config = load_config(path, environ={"DISCORD_GATEWAY_URL": "ws://127.0.0.1:1/"})
    assert config.discord.api_base == "http://config"
    assert config.discord.gateway_url == "ws://127.0.0.1:1/"
    assert config.discord.channels == ("general", "123")
    config = load_config(path, environ={"DISCORD_API_BASE": "http://env"})
    assert config.discord.api_base == "http://env"


def test_token_from_environment_then_dotenv(tmp_path: Path) -> None:
    """The token comes from the environment first, else from .env."""
    dotenv = tmp_path / ".env"
    dotenv.write_text("# secrets\nexport DISCORD_TOKEN='from-file'\n", encoding="utf-8")
    assert read_token({}, dotenv) == "from-file"
    assert read_token({"DISCORD_TOKEN": "from-env"}, dotenv) == "from-env"
    assert read_token({}, tmp_path / "missing") is None


def test_shipped_config_loads() -> None:
    """The repository's config.yaml is valid."""
    root = ROOT
    assert load_config(root / "config.yaml", environ={}).sections.exists()
