"""The startup benchmark's stage log: it marks the real load's stages and puts everything back."""

from __future__ import annotations

from pathlib import Path

from benchmarks.stages import STAGES, StageLog
from bot.config import Config
from bot.core.article import Article
from bot.core.knowledge import Knowledge
from bot.core.matching import matcher


def test_a_start_is_marked_stage_by_stage_and_unwrapped_after(
    config: Config, article: Article, tmp_path: Path
) -> None:
    """Every stage a first start runs begins and ends in the log, the peak's stage is flagged,
    and the wrapped functions are the originals again once the block ends."""
    before = {
        name: getattr(matcher, name) for module, name, _ in STAGES if module == matcher.__name__
    }
    log = StageLog()
    with log.wrapping():
        knowledge = Knowledge(
            article, config.intents, config.matching, config.dialogue, snapshot=tmp_path / "snap"
        )
        assert knowledge.snapshot_written(timeout=60)
    marked = [m.what for m in log.marks]
    for stage in ("build the matcher", "  meaning index", "write the snapshot (thread)"):
        assert marked.count(f"{stage} >") == marked.count(f"{stage} <") == 1
    peaks = [m.peak_mb for m in log.marks]
    assert peaks == sorted(peaks) and peaks[0] > 0
    assert sum("<- peak reached by here" in line for line in log.report()) == 1
    assert {name: getattr(matcher, name) for name in before} == before
