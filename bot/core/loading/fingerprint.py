"""Fingerprints of what a remembered result was computed with: our code, libraries, the article.

A snapshot (``bot.core.loading.snapshot``) holds two kinds of result with different inputs. A
checked
intent file depends on the code that parses and checks it, PyYAML and the article; the matcher
also depends on the matching code, RapidFuzz, the stemmer and the match settings. Each is
fingerprinted with only the source it imports, found by following its ``import bot...`` lines,
so an upgrade that changes only the matching code re-indexes the intents without parsing ten
thousand files again, and one that changes neither (the dialogue, the Discord adapter) reuses
everything.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import rapidfuzz
import yaml

from bot.core.article import Article
from bot.core.matching.types import MatchSettings

# Bump when the snapshot's own layout changes (the source fingerprints cover the classes it holds).
FORMAT = 1
# The folder that holds the ``bot`` package.
_ROOT = Path(__file__).resolve().parents[3]
# Where a checked intent file and the matcher come from (these and what they import).
FILE_MODULES = ("bot.core.loading.intent_files",)
MATCHER_MODULES = ("bot.core.matching.matcher",)
# The snapshot's reader and writer decide what a stored result means; what they import is
# covered above.
_FORMAT_SOURCE = Path(__file__).with_name("snapshot.py")
# The stemmer shapes the matcher's terms (PyStemmer, when installed, does the stemming).
MATCHER_LIBRARIES = (
    "snowballstemmer",
    "PyStemmer",
    "wordllama",
    "numpy",
    "tokenizers",
    "wordfreq",
)
_IMPORT = re.compile(
    r"^\s*(?:from\s+(bot(?:\.\w+)*)\s+import\s+(\([^)]*\)|.+)|import\s+(bot(?:\.\w+)*))", re.M
)


@dataclass(frozen=True)
class Contexts:
    """Fingerprints of what results depend on besides the intent files themselves.

    ``files``: a checked file's code, libraries and article; ``whole``: those, plus the
    matcher's code, libraries and settings.
    """

    files: str
    whole: str


def contexts(article: Article, settings: MatchSettings) -> Contexts:
    """The fingerprints for loading intents against ``article`` with ``settings``."""
    files = _digest(
        [
            str(FORMAT).encode(),
            sys.version.encode(),
            yaml.__version__.encode(),
            _sources_digest(FILE_MODULES).encode(),
            _FORMAT_SOURCE.read_bytes(),
            repr(article).encode(),
        ]
    )
    whole = _digest(
        [
            files.encode(),
            rapidfuzz.__version__.encode(),
            *(_version(name).encode() for name in MATCHER_LIBRARIES),
            _sources_digest(MATCHER_MODULES).encode(),
            repr(settings).encode(),
        ]
    )
    return Contexts(files, whole)


def sources(modules: tuple[str, ...]) -> list[Path]:
    """The source files of ``modules`` and of every ``bot`` module they import, directly or not.

    Imports are read from the text (``from bot.x import y``, ``import bot.x``), so a module
    imported any other way would be missed: the bot has none.
    """
    found: set[Path] = set()
    waiting = list(modules)
    while waiting:
        path = _source_of(waiting.pop())
        if path is None or path in found:
            continue
        found.add(path)
        for match in _IMPORT.finditer(path.read_text(encoding="utf-8")):
            package, names, module = match.groups()
            if module:
                waiting.append(module)
                continue
            waiting.append(package)
            # ``from bot.core.loading import fanout`` imports a module too.
            names = names.split("#")[0].strip().strip("()")
            waiting += [f"{package}.{name.split()[0]}" for name in names.split(",") if name.strip()]
    return sorted(found)


def _source_of(module: str) -> Path | None:
    base = _ROOT.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _sources_digest(modules: tuple[str, ...]) -> str:
    parts: list[bytes] = []
    for path in sources(modules):
        parts += [str(path.relative_to(_ROOT)).encode(), path.read_bytes()]
    return _digest(parts)


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def _digest(parts: list[bytes]) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "little"))
        hasher.update(part)
    return hasher.hexdigest()
