"""Which database the bot uses: a path is SQLite, a postgresql:// URL PostgreSQL, DATABASE_URL
wins over config.yaml; a URL is never shown with its password."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_config
from bot.errors import ConfigError
from bot.store.url import redact_url, secrets_in
from tests.helpers import ROOT, own_config_file
from tests.pgserver import BOT_PASSWORD, PgCluster, free_port

URL = "postgresql://bot:pa%2Fss@db.example:5432/articles"


def config_with(tmp_path: Path, database: str) -> Path:
    """A config.yaml whose ``database:`` is ``database``."""
    path = tmp_path / "config.yaml"
    path.write_text(f"database: {json.dumps(database)}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("setting", "environ", "expected"),
    [
        ("data/bot.db", {}, "{base}/data/bot.db"),
        (URL, {}, URL),
        ("postgres://u@h/d", {}, "postgres://u@h/d"),
        ("data/bot.db", {"DATABASE_URL": URL}, URL),
        (URL, {"DATABASE_URL": "postgresql://other@h/d"}, "postgresql://other@h/d"),
        ("data/bot.db", {"DATABASE_URL": "  "}, "{base}/data/bot.db"),
    ],
    ids=["path", "url", "postgres-scheme", "env-over-path", "env-over-url", "empty-env"],
)
def test_database_setting_and_environment(
    tmp_path: Path, setting: str, environ: dict[str, str], expected: str
) -> None:
    """A path is taken from config.yaml's folder; a URL is kept as written; DATABASE_URL wins."""
    config = load_config(config_with(tmp_path, setting), environ)
    assert str(config.database) == expected.format(base=tmp_path)
    assert isinstance(config.database, Path) == expected.startswith("{base}")


def test_an_unsupported_url_in_config_names_the_key(tmp_path: Path) -> None:
    """mysql:// is refused with the file, line and key, not taken for a folder named mysql:."""
    with pytest.raises(ConfigError) as caught:
        load_config(config_with(tmp_path, "mysql://u:pw@h/d"), {})
    assert "config.yaml:1: database: mysql:// is not supported" in str(caught.value)


def test_database_url_must_be_postgresql_and_is_never_echoed_with_its_password(
    tmp_path: Path,
) -> None:
    """DATABASE_URL naming another scheme is a ConfigError naming the variable, password hidden."""
    with pytest.raises(ConfigError) as caught:
        load_config(config_with(tmp_path, "bot.db"), {"DATABASE_URL": "mysql://u:hunter2@h/d"})
    assert "DATABASE_URL" in str(caught.value) and "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (URL, "postgresql://bot:***@db.example:5432/articles"),
        ("postgresql://bot@h/d", "postgresql://bot@h/d"),
        ("postgresql://h/d?user=u&password=pw&sslmode=require",
         "postgresql://h/d?user=u&password=***&sslmode=require"),
        ("postgresql:///d?host=/run/pg", "postgresql:///d?host=/run/pg"),
        ("postgresql://u:p@ss:w@rd@h/d", "postgresql://u:***@h/d"),
    ],
    ids=["password", "no-password", "query-password", "socket", "at-in-password"],
)  # fmt: skip
def test_redacted_urls_keep_everything_but_the_password(url: str, shown: str) -> None:
    """The URL shown in messages is the one configured with its password as ***."""
    assert redact_url(url) == shown


def test_secrets_are_found_as_written_and_decoded() -> None:
    """A percent-encoded password is scrubbed in both spellings from error text."""
    assert secrets_in(URL) == {"pa%2Fss", "pa/ss"}
    assert secrets_in("postgresql://h/d?password=x%40y") == {"x@y", "x%40y"}


def ask(database_url: str, *question: str) -> subprocess.CompletedProcess[str]:
    """`article-bot ask --json` with DATABASE_URL set, with a deadline (a hang fails)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--config", str(own_config_file()), "--json",
         *question],
        capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "DATABASE_URL": database_url},
    )  # fmt: skip


@pytest.mark.slow
def test_the_bot_logs_its_turns_in_postgresql_from_database_url(
    pg_server: PgCluster, pg_url: str
) -> None:
    """With DATABASE_URL set, the command line answers and its turn is in PostgreSQL."""
    run = ask(pg_url, "turky coup")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["answered"]
    name = pg_url.rsplit("/", 1)[1]
    assert pg_server.psql("SELECT question FROM turns", name) == "turky coup"


@pytest.mark.slow
def test_an_unreachable_postgresql_is_one_line_and_an_exit(pg_server: PgCluster) -> None:
    """A refused login or a closed port: exit 1, one line naming the server, no traceback,
    no password."""
    for url in (
        pg_server.url("postgres", password="Wr0ng-pw"),
        pg_server.url("x", port=free_port()),
    ):
        run = ask(url, "turky coup")
        lines = run.stderr.strip().splitlines()
        assert run.returncode == 1 and len(lines) == 1, run.stderr
        assert lines[0].startswith("cannot open the database postgresql://articlebot:***@")
        assert "Wr0ng-pw" not in run.stderr and BOT_PASSWORD not in run.stderr
