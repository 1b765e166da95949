"""``article-bot intents export``: the database's moderator-added intents as files for git."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from bot.authoring import IntentDraft
from bot.store.sqlite import Store
from tests.helpers import BELLWETHER, ROOT, cli, moderator_draft


def draft(intent_id: str) -> IntentDraft:
    """A valid moderator draft whose examples are its own (two of them can be in force)."""
    return moderator_draft(intent_id, tuple(f"{e} {intent_id}" for e in BELLWETHER))


async def stored(db: Path) -> None:
    """Two intents added from Discord, one of them removed since."""
    async with await Store.open(db) as store:
        for intent_id in ("bellwether", "gone-one"):
            assert await store.added_intents.add(intent_id, draft(intent_id).to_yaml(), "mod-7")
        assert await store.added_intents.remove("gone-one", "mod-7")


def test_export_writes_those_in_force_and_they_check(tmp_path: Path) -> None:
    """Each intent in force becomes added-<id>.yaml with the database's text; a removed one
    does not; the folder then passes ``article-bot check``; a second export writes nothing."""
    db = tmp_path / "bot.db"
    asyncio.run(stored(db))
    folder = tmp_path / "intents"
    shutil.copytree(ROOT / "intents", folder)
    run = cli("intents", "export", "--db", str(db), "--to", str(folder))
    assert run.returncode == 0, run.stderr
    assert (folder / "added-bellwether.yaml").read_text() == draft("bellwether").to_yaml()
    assert not (folder / "added-gone-one.yaml").exists()
    assert "added by mod-7" in run.stdout and "1 intent file(s) written" in run.stdout
    config = tmp_path / "config.yaml"
    sections = ROOT / "seeds" / "sections.yaml"
    config.write_text(f"sections: {sections}\nintents: {folder}\nintent_cache: null\n")
    check = cli("check", "--config", str(config))
    assert check.returncode == 0, check.stdout + check.stderr
    again = cli("intents", "export", "--db", str(db), "--to", str(folder))
    assert "0 intent file(s) written, 1 already up to date" in again.stdout


def test_export_from_a_missing_database_is_an_error(tmp_path: Path) -> None:
    """A mistyped --db names the file and creates nothing."""
    run = cli("intents", "export", "--db", str(tmp_path / "nope.db"), "--to", str(tmp_path))
    assert run.returncode == 1 and "nope.db" in run.stderr
    assert not (tmp_path / "nope.db").exists() and not list(tmp_path.glob("added-*"))
