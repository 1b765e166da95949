"""A snapshot file cannot run code, and a file that is not the bot's own is not even read."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Config
from bot.core.article import Article
from bot.core.knowledge import Knowledge
from bot.core.loading.plaindata import PlainDataError, dumps, loads
from bot.core.loading.snapshot import MAGIC
from tests.helpers import ROOT


class Planted:
    """What an attacker pickles: unpickling it calls ``os.system``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A private copy of the shipped intents."""
    shutil.copytree(ROOT / "intents", tmp_path / "intents")
    return tmp_path / "intents"


def _config_file(tmp_path: Path, folder: Path, cache: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"sections: {ROOT / 'seeds' / 'sections.yaml'}\nintents: {folder}\n"
        f"database: {tmp_path / 'bot.db'}\nintent_cache: {cache}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("prefix", [b"", MAGIC], ids=["bare-pickle", "pickle-after-magic"])
def test_a_planted_pickle_never_runs(tmp_path: Path, folder: Path, prefix: bytes) -> None:
    """`article-bot check` over a planted pickle at the snapshot path runs no code of it."""
    marker = tmp_path / "pwned"
    cache = tmp_path / "data" / "snapshot"
    cache.parent.mkdir()
    cache.write_bytes(prefix + pickle.dumps(Planted(marker)))
    cache.chmod(0o600)
    config = _config_file(tmp_path, folder, cache)
    for _ in range(2):  # the first over the planted file, the second over what it wrote
        run = subprocess.run(
            [sys.executable, "-m", "bot", "check", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert not marker.exists()
    assert cache.read_bytes().startswith(MAGIC)


def test_pickle_opcodes_are_not_plain_data() -> None:
    """The codec refuses a pickle outright, and names only the classes it lists."""
    with pytest.raises(PlainDataError):
        loads(pickle.dumps(Planted(Path("/nonexistent"))))
    with pytest.raises(TypeError):
        dumps(Planted(Path("/nonexistent")))


def _build(folder: Path, config: Config, article: Article, cache: Path) -> Knowledge:
    knowledge = Knowledge(article, folder, config.matching, config.dialogue, snapshot=cache)
    assert knowledge.snapshot_written(timeout=60)
    return knowledge


def test_the_snapshot_is_private(folder: Path, config: Config, article: Article) -> None:
    """It is written readable by the bot's user alone, and read back on the next start."""
    cache = folder.parent / "data" / "snapshot"
    _build(folder, config, article, cache)
    assert cache.stat().st_mode & 0o777 == 0o600
    assert _build(folder, config, article, cache).from_snapshot


def test_a_symlinked_snapshot_is_refused(
    folder: Path, config: Config, article: Article, caplog: pytest.LogCaptureFixture
) -> None:
    """A snapshot path that is a symlink (even to a good snapshot) is not followed."""
    good = folder.parent / "good"
    _build(folder, config, article, good)
    link = folder.parent / "link"
    link.symlink_to(good)
    knowledge = _build(folder, config, article, link)
    assert not knowledge.from_snapshot
    assert "symbolic link" in caplog.text


def test_a_snapshot_others_can_write_is_refused(
    folder: Path, config: Config, article: Article, caplog: pytest.LogCaptureFixture
) -> None:
    """A group- or world-writable snapshot is refused unread, then rewritten privately."""
    cache = folder.parent / "snapshot"
    _build(folder, config, article, cache)
    cache.chmod(0o664)
    assert not _build(folder, config, article, cache).from_snapshot
    assert "others can write it" in caplog.text
    assert cache.stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_another_users_snapshot_is_refused(
    folder: Path, config: Config, article: Article, caplog: pytest.LogCaptureFixture
) -> None:
    """A snapshot owned by another user is refused unread."""
    cache = folder.parent / "snapshot"
    _build(folder, config, article, cache)
    os.chown(cache, 12345, -1)
    assert not _build(folder, config, article, cache).from_snapshot
    assert "not to the bot's user" in caplog.text


def test_garbage_after_the_magic_is_a_miss(
    folder: Path, config: Config, article: Article, caplog: pytest.LogCaptureFixture
) -> None:
    """Bytes that are not this codec's data are a logged miss, and the snapshot is rebuilt."""
    cache = folder.parent / "snapshot"
    cache.write_bytes(MAGIC + b"\xc1\xff\x00garbage" * 100)
    cache.chmod(0o600)
    knowledge = _build(folder, config, article, cache)
    assert not knowledge.from_snapshot
    assert "rebuilding it" in caplog.text
    assert _build(folder, config, article, cache).from_snapshot
