"""The direction of imports: the core never reaches Discord, the database or the rest of the bot."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

CORE = ROOT / "bot" / "core"
FORBIDDEN_IN_CORE = ("discord", "aiosqlite", "aiohttp", "sqlite3")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (including imports inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(CORE)))
def test_core_imports_no_discord_nor_database(path: Path) -> None:
    """No core module imports discord, a database driver, or bot modules outside bot.core."""
    for name in imported_modules(path):
        top = name.split(".")[0]
        assert top not in FORBIDDEN_IN_CORE, f"{path.name} imports {name}"
        if top == "bot":
            assert name.startswith("bot.core") or name == "bot.errors", (
                f"{path.name} imports {name}"
            )


def test_the_check_sees_function_level_imports(tmp_path: Path) -> None:
    """The import scan finds imports hidden inside functions, so it cannot be dodged."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import discord.ext\n", encoding="utf-8")
    assert "discord.ext" in imported_modules(sample)
