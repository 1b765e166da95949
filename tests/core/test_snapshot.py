"""The intent snapshot: a restart over unchanged files reads back what the last load built."""

from __future__ import annotations

import dataclasses
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
from bot.core.matching.index import ExampleIndex, PackedTexts, pack_texts, unpack_texts
from bot.errors import IntentError
from tests.helpers import ROOT

QUESTIONS = (
    "who wrote this article",
    "what happened at the olympics",
    "wat did rusia do in syria",
    "tell me about the weather on mars",
    "",
)
EXTRA = """\
version: 1
intents:
  - id: bellwether
    section: turkey-coup
    examples: [what is the bellwether, bellwether?, tell me about the bellwether,
      bellwether meaning, explain the bellwether]
    quote: failed military coup in Turkey
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A private copy of the shipped intents."""
    shutil.copytree(ROOT / "intents", tmp_path / "intents")
    return tmp_path / "intents"


def start(folder: Path, config: Config, article: Article, cache: Path) -> Knowledge:
    """What a process does: load the intents with a snapshot path; the snapshot is written by
    the time it exits."""
    knowledge = Knowledge(article, folder, config.matching, config.dialogue, snapshot=cache)
    assert knowledge.snapshot_written(timeout=60)
    return knowledge


def answers(knowledge: Knowledge) -> list[tuple[object, ...]]:
    """Each question's reply kind, intent, quote and ranking."""
    found: list[tuple[object, ...]] = []
    for question in QUESTIONS:
        reply, _ = knowledge.engine.reply_to(question, None)
        ranked = knowledge.engine.matcher.rank(knowledge.engine.matcher.prepare(question), limit=5)
        found.append((reply.kind, reply.intent_id, reply.quote, tuple(ranked)))
    return found


def test_a_restart_over_unchanged_files_reads_the_snapshot(
    folder: Path, config: Config, article: Article, tmp_path: Path
) -> None:
    """The second start is served from the snapshot and answers exactly as the first."""
    cache = tmp_path / "data" / "cache.pickle"
    first = start(folder, config, article, cache)
    assert not first.from_snapshot
    assert cache.is_file()
    second = start(folder, config, article, cache)
    assert second.from_snapshot
    assert second.intents == first.intents
    assert answers(second) == answers(first)


def test_an_edited_file_is_read_again(
    folder: Path, config: Config, article: Article, tmp_path: Path
) -> None:
    """A file added, edited or removed while the bot was down is what the next start serves."""
    cache = tmp_path / "cache.pickle"
    start(folder, config, article, cache)
    (folder / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    added = start(folder, config, article, cache)
    assert not added.from_snapshot
    assert added.intents.get("bellwether") is not None
    reply, _ = added.engine.reply_to("tell me about the bellwether", None)
    assert reply.intent_id == "bellwether"
    # The same size and a later time: only the stamp tells the edit.
    extra = folder / "extra.yaml"
    extra.write_text(EXTRA.replace("bellwether", "bellwethex"), encoding="utf-8")
    stat = extra.stat()
    os.utime(extra, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    edited = start(folder, config, article, cache)
    assert edited.intents.get("bellwethex") is not None
    assert edited.intents.get("bellwether") is None
    extra.unlink()
    removed = start(folder, config, article, cache)
    assert removed.intents.get("bellwethex") is None
    assert len(removed.intents.intents) == len(added.intents.intents) - 1


def test_a_broken_file_fails_the_start_despite_a_good_snapshot(
    folder: Path, config: Config, article: Article, tmp_path: Path
) -> None:
    """The snapshot never hides a file that no longer validates."""
    cache = tmp_path / "cache.pickle"
    start(folder, config, article, cache)
    (folder / "extra.yaml").write_text(EXTRA.replace("section: turkey-coup", "section: nope"))
    with pytest.raises(IntentError) as caught:
        start(folder, config, article, cache)
    assert "extra.yaml:4: bellwether.section" in str(caught.value)


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a pickle at all", None],
    ids=["empty", "garbage", "truncated"],
)
def test_a_damaged_snapshot_is_only_a_miss(
    folder: Path, config: Config, article: Article, tmp_path: Path, damage: bytes | None
) -> None:
    """An empty, foreign or truncated snapshot is ignored, and a good one written over it."""
    cache = tmp_path / "cache.pickle"
    good = start(folder, config, article, cache)
    blob = cache.read_bytes()
    cache.write_bytes(blob[: len(blob) // 2] if damage is None else damage)
    again = start(folder, config, article, cache)
    assert not again.from_snapshot
    assert answers(again) == answers(good)
    assert start(folder, config, article, cache).from_snapshot


def test_other_settings_or_article_do_not_reuse_the_snapshot(
    folder: Path, config: Config, article: Article, tmp_path: Path
) -> None:
    """The matcher is rebuilt under other match settings; nothing is reused for another article."""
    cache = tmp_path / "cache.pickle"
    start(folder, config, article, cache)
    loose = dataclasses.replace(config.matching, typo_cutoff=70.0)
    other = Knowledge(article, folder, loose, config.dialogue, snapshot=cache)
    assert other.snapshot_written(timeout=60)
    assert not other.from_snapshot
    assert other.engine.matcher.settings == loose
    # The loose set replaced the snapshot: back to the shipped settings, the matcher is rebuilt.
    assert not start(folder, config, article, cache).from_snapshot
    shorter = dataclasses.replace(article, text=article.text + "\n")
    assert not start(folder, config, shorter, cache).from_snapshot


def test_an_unwritable_snapshot_path_still_loads(
    folder: Path, config: Config, article: Article, tmp_path: Path
) -> None:
    """A cache that cannot be written is skipped: the bot serves its intents anyway."""
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    shipped = Knowledge(article, folder, config.matching, config.dialogue)
    knowledge = start(folder, config, article, blocker / "cache.pickle")
    assert not knowledge.from_snapshot
    assert knowledge.intents == shipped.intents
    assert not (blocker / "cache.pickle").exists()


def test_a_reload_over_unchanged_files_keeps_the_engine(
    folder: Path, config: Config, article: Article, tmp_path: Path
) -> None:
    """Reloading when nothing changed neither re-reads nor re-indexes."""
    knowledge = start(folder, config, article, tmp_path / "cache.pickle")
    engine = knowledge.engine
    knowledge.reload()
    assert knowledge.engine is engine
    (folder / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    knowledge.reload()
    assert knowledge.engine is not engine
    assert knowledge.intents.get("bellwether") is not None
    # What the reload built is the next start's snapshot.
    assert knowledge.snapshot_written(timeout=60)
    restarted = start(folder, config, article, tmp_path / "cache.pickle")
    assert restarted.from_snapshot
    assert restarted.intents.get("bellwether") is not None


EXIT_AT_ONCE = """
import sys
from pathlib import Path
from tests.core.test_snapshot import start
from tests.helpers import ROOT, own_config
from bot.core.knowledge import Knowledge
from bot.core.sections import load_article

config = own_config(Path(sys.argv[1]))
article = load_article(config.sections)
folder, cache = Path(sys.argv[1]), Path(sys.argv[2])
Knowledge(article, folder, config.matching, config.dialogue, snapshot=cache)
"""


def test_a_process_that_exits_at_once_still_leaves_its_snapshot(
    folder: Path, config: Config, article: Article, tmp_path: Path
) -> None:
    """The snapshot is written in the background, but a process waits for it before it ends."""
    cache = tmp_path / "cache.pickle"
    subprocess.run(
        [sys.executable, "-c", EXIT_AT_ONCE, str(folder), str(cache)],
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    assert start(folder, config, article, cache).from_snapshot


@pytest.mark.parametrize(
    "texts",
    [[], [""], ["", ""], ["a b", "c"], ["one\ntwo", "three"], ["x"] * 3],
    ids=["none", "one-empty", "two-empty", "plain", "newline", "repeated"],
)
def test_packed_texts_come_back_as_they_were(texts: list[str]) -> None:
    """The one-string packing of example texts round-trips, newlines and empties included, and
    a pickled PackedTexts comes back as the plain list."""
    assert unpack_texts(pack_texts(texts)) == texts
    back = pickle.loads(pickle.dumps(PackedTexts(texts), protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back) is list and back == texts


def test_an_example_index_comes_back_as_it_was() -> None:
    """Postings pickle packed (three objects, not one array per token) and come back equal,
    giving the same candidates; an empty index too."""
    texts = ["a b", "b c d", "", "d", "a a e", "c"]
    index = ExampleIndex(texts)
    back = pickle.loads(pickle.dumps(index))
    assert back.texts == texts
    assert vars(back) == vars(index)
    assert back.candidates(["a", "d"], 3, 10) == index.candidates(["a", "d"], 3, 10) == {0, 1, 3, 4}
    empty = pickle.loads(pickle.dumps(ExampleIndex([])))
    assert empty.texts == [] and empty.postings("a") == 0
