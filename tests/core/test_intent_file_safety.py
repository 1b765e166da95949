"""Hostile things in intents/: special files, symlinks out, oversized data, alias bombs.

Each must be refused with a clear line (or skipped) quickly, never hang `check`, a reload or the
bot, and never cost gigabytes.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.config import Config
from bot.core.article import Article
from bot.core.intents import LIMITS
from bot.core.knowledge import Knowledge
from bot.core.loading import intent_files
from bot.core.loading.intent_files import UnreadableFile, load_intents, read_intent_file
from bot.errors import IntentError
from tests.helpers import ROOT


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A private copy of the shipped intents."""
    shutil.copytree(ROOT / "intents", tmp_path / "intents")
    return tmp_path / "intents"


def check(folder: Path) -> subprocess.CompletedProcess[str]:
    """`article-bot check` over ``folder``, in a process of its own, with a deadline."""
    config = folder.parent / "config.yaml"
    config.write_text(
        f"sections: {ROOT / 'seeds' / 'sections.yaml'}\nintents: {folder}\n"
        f"database: {folder.parent / 'bot.db'}\nintent_cache: null\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", "check", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


def plant(folder: Path, kind: str, outside: Path) -> None:
    """Put one hostile entry named like an intent file into ``folder``."""
    if kind == "fifo":
        os.mkfifo(folder / "fifo.yaml")
    elif kind == "dev-zero":
        (folder / "zero.yaml").symlink_to("/dev/zero")
    elif kind == "directory":
        (folder / "dir.yaml").mkdir()
    elif kind == "macos-resource-fork":
        (folder / "._turkey-coup.yaml").write_bytes(b"\x00\x05\x16\x07" + os.urandom(64))
    elif kind == "symlink-out":
        secret = outside / "elsewhere.yaml"
        secret.write_text("version: 1\nintents: []\n", encoding="utf-8")
        (folder / "out.yaml").symlink_to(secret)


KINDS = ["fifo", "dev-zero", "directory", "macos-resource-fork", "symlink-out"]


@pytest.mark.parametrize("kind", KINDS)
def test_check_skips_what_is_not_a_regular_file(folder: Path, tmp_path: Path, kind: str) -> None:
    """`check` finishes, passes over the entry, and loads the real files as before."""
    plant(folder, kind, tmp_path)
    run = check(folder)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "56 intents" in run.stdout and "in 10 files" in run.stdout
    if kind != "macos-resource-fork":  # a hidden file is passed over silently, as glob does
        assert "skipping" in run.stderr and "not a regular file" in run.stderr


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_reload_over_a_special_file_returns(
    folder: Path, tmp_path: Path, config: Config, article: Article, kind: str
) -> None:
    """A reload with a FIFO or /dev/zero in the folder returns (in a thread, with a deadline)."""
    knowledge = Knowledge(article, folder, config.matching, config.dialogue)
    plant(folder, kind, tmp_path)
    done = threading.Event()

    def reload() -> None:
        knowledge.reload()
        done.set()

    worker = threading.Thread(target=reload, daemon=True)
    worker.start()
    worker.join(30)
    assert done.is_set(), "reload hung on a special file"
    assert len(knowledge.intents.intents) == 56


def _intent(examples: list[str], **fields: str) -> str:
    body = "".join(f"    {k}: {v!r}\n" for k, v in fields.items())
    items = "".join(f"      - {e!r}\n" for e in examples)
    return (
        "version: 1\nintents:\n  - id: big\n    section: turkey-coup\n"
        f"    quote: failed military coup in Turkey\n{body}    examples:\n{items}"
    )


FIVE = [f"what about the zebra crossing {n}" for n in range(5)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_intent([f"zebra question {n}" for n in range(LIMITS.examples + 1)]), "big.examples: has"),
        (_intent([*FIVE[:4], "zebra " * 60]), "characters; at most 300"),
        (_intent(FIVE, lead="x" * 2001), "big.lead: 'xxxx"),
    ],
    ids=["too-many-examples", "example-too-long", "lead-too-long"],
)
def test_oversized_fields_are_refused_with_their_line(
    folder: Path, article: Article, text: str, expected: str
) -> None:
    """Too many examples, or too long a text, is refused naming file, line and key, and the
    error quotes at most a short piece of the text."""
    path = folder / "big.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IntentError) as err:
        load_intents(folder, article)
    message = str(err.value)
    assert f"{path}:" in message and expected in message
    assert max(len(line) for line in message.splitlines()) < 500


def test_an_oversized_file_is_refused_unread(folder: Path, article: Article) -> None:
    """A file past the size limit is refused by its size: split it."""
    path = folder / "huge.yaml"
    path.write_text("version: 1\nintents: []\n" + "#" * LIMITS.file_bytes, encoding="utf-8")
    with pytest.raises(IntentError) as err:
        load_intents(folder, article)
    assert f"{path}:1: file: is {path.stat().st_size:,} bytes" in str(err.value)


def test_an_alias_bomb_in_an_intent_file_is_refused(folder: Path, article: Article) -> None:
    """Aliases are refused at their line, before any expansion (this one would be 10^9 items)."""
    rows = ["version: 1", "lol0: &a0 [lol]"]
    rows += [f"lol{n}: &a{n} [{', '.join(f'*a{n - 1}' for _ in range(10))}]" for n in range(1, 10)]
    path = folder / "bomb.yaml"
    path.write_text("\n".join(rows) + "\nintents: []\n", encoding="utf-8")
    with pytest.raises(IntentError) as err:
        load_intents(folder, article)
    assert f"{path}:2: yaml: anchors, aliases and merge keys" in str(err.value)


STATUS = Path("/proc/self/status")  # a regular file whose size reads as 0: it "grows" as read


@pytest.mark.skipif(not STATUS.is_file(), reason="needs Linux's /proc")
def test_a_file_larger_than_its_size_is_read_whole_or_refused_past_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file that holds more than its size said (one still being written) is read whole while
    within the limit, and refused once it passes it."""
    assert STATUS.stat().st_size == 0
    text = read_intent_file(str(STATUS))
    assert text.startswith("Name:") and "VmRSS:" in text
    monkeypatch.setattr(intent_files, "LIMITS", dataclasses.replace(LIMITS, file_bytes=10))
    with pytest.raises(UnreadableFile, match="grew past 10 bytes"):
        read_intent_file(str(STATUS))
