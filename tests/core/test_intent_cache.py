"""Reloading intents reuses every unchanged file: only edited or new files are parsed again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.article import Article
from bot.core.loading import intent_files
from bot.core.loading.intent_files import Checked, IntentLoader
from bot.errors import IntentError
from tests.helpers import ROOT


@pytest.fixture
def loader() -> IntentLoader:
    """One loader, whose memory of checked files the tests observe."""
    return IntentLoader()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped intents."""
    shutil.copytree(ROOT / "intents", tmp_path / "intents")
    return tmp_path / "intents"


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the path of every document the loader parses from here on."""
    seen: list[str] = []
    real = intent_files.check_document

    def counting(path: str, text: str, article: Article) -> Checked:
        seen.append(Path(path).name)
        return real(path, text, article)

    monkeypatch.setattr(intent_files, "check_document", counting)
    return seen


def test_unchanged_files_are_not_parsed_again(
    loader: IntentLoader, folder: Path, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second load parses nothing and returns an equal set; an edited file alone is re-read."""
    first = loader.load(folder, article)
    parsed = _parses(monkeypatch)
    assert loader.load(folder, article) == first
    assert parsed == []
    edited = folder / "smalltalk.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert loader.load(folder, article) == first
    assert parsed == ["smalltalk.yaml"]


def test_problems_read_the_same_from_memory(
    loader: IntentLoader, folder: Path, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken file reports the same problems whether just parsed or remembered."""
    broken = folder / "turkey-coup.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "  - id: x\n", encoding="utf-8")
    with pytest.raises(IntentError) as fresh:
        loader.load(folder, article)
    parsed = _parses(monkeypatch)
    with pytest.raises(IntentError) as remembered:
        loader.load(folder, article)
    assert parsed == []
    assert [str(p) for p in remembered.value.problems] == [str(p) for p in fresh.value.problems]


def test_removed_and_added_files_count(
    loader: IntentLoader, folder: Path, article: Article
) -> None:
    """A removed file's intents are gone on the next load; a new file's are there."""
    before = loader.load(folder, article)
    shutil.move(folder / "smalltalk.yaml", folder.parent / "smalltalk.yaml")
    without = loader.load(folder, article)
    assert len(without.intents) < len(before.intents)
    shutil.move(folder.parent / "smalltalk.yaml", folder / "smalltalk.yaml")
    assert loader.load(folder, article) == before
