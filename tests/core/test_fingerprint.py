"""What a snapshot's results are fingerprinted with: each only with the code it comes from."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Config
from bot.core.article import Article
from bot.core.loading import fingerprint
from tests.helpers import ROOT

IMPORTED = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(
    name for name, module in sys.modules.items()
    if name.split(".")[0] == "bot" and not hasattr(module, "__path__")
)))
"""


def module_name(path: Path) -> str:
    """``bot/core/text.py`` -> ``bot.core.text``."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


@pytest.mark.parametrize("module", ["bot.core.loading.intent_files", "bot.core.matching.matcher"])
def test_sources_are_what_python_imports(module: str) -> None:
    """The import lines followed give the very modules a fresh interpreter loads (packages'
    empty ``__init__`` aside)."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED, module], cwd=ROOT, capture_output=True, check=True
    )
    loaded = set(json.loads(done.stdout))
    found = fingerprint.sources((module,))
    assert {module_name(path) for path in found if path.name != "__init__.py"} == loaded


def test_checking_does_not_depend_on_matching() -> None:
    """A checked file's fingerprint covers parsing and checking, not the matcher."""
    checking = {path.name for path in fingerprint.sources(fingerprint.FILE_MODULES)}
    assert {"intents.py", "yamlsrc.py", "checks.py", "text.py", "errors.py"} <= checking
    assert not {"matcher.py", "index.py", "spelling.py", "dialogue.py"} & checking


@pytest.fixture
def copy_of_bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bot's source that the fingerprints are taken from."""
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "_ROOT", tmp_path)
    monkeypatch.setattr(fingerprint, "_FORMAT_SOURCE", tmp_path / "bot/core/loading/snapshot.py")
    return tmp_path / "bot"


@pytest.mark.parametrize(
    ("edited", "files_change", "whole_changes"),
    [
        ("core/matching/matcher.py", False, True),
        ("core/matching/spelling.py", False, True),
        ("core/loading/yamlsrc.py", True, True),
        ("core/loading/snapshot.py", True, True),
        ("errors.py", True, True),
        ("core/dialogue.py", False, False),
        ("discord/client.py", False, False),
    ],
)
def test_an_upgrade_redoes_only_what_its_code_made(
    copy_of_bot: Path,
    config: Config,
    article: Article,
    edited: str,
    files_change: bool,
    whole_changes: bool,
) -> None:
    """Edited matching code re-indexes without re-parsing; edited checking code does both;
    code that makes neither (dialogue, Discord) keeps the whole snapshot."""
    before = fingerprint.contexts(article, config.matching)
    with (copy_of_bot / edited).open("a", encoding="utf-8") as source:
        source.write("\n# an edit\n")
    after = fingerprint.contexts(article, config.matching)
    assert (after.files != before.files) == files_change
    assert (after.whole != before.whole) == whole_changes
