"""/stats through the real client and the fake Discord: the embed carries the usage chart."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from tests.discord_harness import running_bot

SETTINGS = "  cooldown_burst: 50\n"


async def test_a_moderator_gets_the_stats_with_a_png_chart(tmp_path: Path) -> None:
    """/stats is acknowledged privately at once, then followed up with the embed, whose image
    is the attached stats.png: bytes that decode as a PNG."""
    async with running_bot(tmp_path, SETTINGS) as run:
        await run.ask("what does russia gain from all this?")
        await run.ask("who won the chess olympiad in 2016?")
        mod = run.fake.add_user("mod")
        run.fake.add_member(mod, permissions=0x20)  # Manage Server
        result = await run.fake.run_slash("stats", user=mod)
        assert result.type == 5 and result.ephemeral  # deferred, privately
        followup = await result.wait_followup(timeout=30)
        fields = {f["name"]: f["value"] for f in followup["embeds"][0]["fields"]}
    assert fields["Turns"] == "2" and fields["Unanswered"] == "1"
    assert followup["flags"] & 64  # the follow-up too is for the moderator's eyes only
    assert followup["embeds"][0]["image"]["url"] == "attachment://stats.png"
    [attachment] = followup["attachments"]
    assert attachment["filename"] == "stats.png"
    png = run.fake.attachment_bytes(attachment)
    assert attachment["size"] == len(png) > 0
    Image.open(io.BytesIO(png)).verify()
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] == 1000


async def test_stats_are_refused_to_a_member(tmp_path: Path) -> None:
    """A member without Manage Server or the moderator role gets a private refusal, no chart."""
    async with running_bot(tmp_path, SETTINGS) as run:
        result = await run.fake.run_slash("stats")
        assert result.type == 4 and result.ephemeral
        assert "moderators" in (result.content or "")
        assert not result.embeds and not result.followups
        assert not any(m.get("attachments") for m in run.fake.bot_messages)
