"""A turn's reply as a Discord message: its buttons, and the one path that sends it (mentions,
/ask and buttons alike). Buttons are DynamicItems: their custom_id carries what they need, so
they keep working after a restart and need no per-message memory."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from typing import Any

import discord

from bot.core.replies import Reply, State
from bot.discord.context import Services, conversation_key, services_of
from bot.discord.embeds import DELIVERY_ERRORS, button_label, reply_message
from bot.discord.sending import cooled_down, guarded, report_error, respond
from bot.messages import UNSAVED
from bot.service import TurnResult

log = logging.getLogger(__name__)
Item = discord.ui.Button[discord.ui.View]
MAX_ROW = 5


class MoreButton(discord.ui.DynamicItem[Item], template=r"ab:more:(?P<s>[a-z0-9-]+):(?P<c>\d+)"):
    """Continue the passage from where this answer stopped (for whoever clicks)."""

    def __init__(self, section_id: str, cursor: int) -> None:
        self.section_id, self.cursor = section_id, cursor
        super().__init__(
            discord.ui.Button(
                label="More",
                style=discord.ButtonStyle.primary,
                custom_id=f"ab:more:{section_id}:{cursor}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> MoreButton:
        """Rebuild the button from its custom_id."""
        return cls(match["s"], int(match["c"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Quote the next sentences."""
        await guarded(interaction, self._more)

    async def _more(self, interaction: discord.Interaction[Any]) -> None:
        svc = services_of(interaction)
        if not svc.app.knowledge.article.has_section(self.section_id):
            await respond(interaction, "That passage is gone.", ephemeral=True)
            return
        if await cooled_down(interaction, svc):
            return
        key = conversation_key(interaction.guild_id, interaction.channel_id, interaction.user.id)
        result = await svc.app.service.more(key, State(None, self.section_id, self.cursor))
        await deliver(interaction, svc, result)


class PickButton(discord.ui.DynamicItem[Item], template=r"ab:pick:(?P<i>[a-z0-9-]+)"):
    """A "did you mean" choice: answers that intent."""

    def __init__(self, intent_id: str, label: str = "") -> None:
        self.intent_id = intent_id
        super().__init__(
            discord.ui.Button(
                label=button_label(label or intent_id),
                style=discord.ButtonStyle.secondary,
                custom_id=f"ab:pick:{intent_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PickButton:
        """Rebuild the button from its custom_id."""
        return cls(match["i"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Answer the chosen intent."""
        await guarded(interaction, self._pick)

    async def _pick(self, interaction: discord.Interaction[Any]) -> None:
        svc = services_of(interaction)
        if svc.app.knowledge.intents.get(self.intent_id) is None:
            await respond(interaction, "That answer was removed.", ephemeral=True)
            return
        if await cooled_down(interaction, svc):
            return
        key = conversation_key(interaction.guild_id, interaction.channel_id, interaction.user.id)
        await deliver(interaction, svc, await svc.app.service.choose(key, self.intent_id))


class VoteButton(discord.ui.DynamicItem[Item], template=r"ab:vote:(?P<t>\d+):(?P<v>up|down)"):
    """👍 / 👎 on an answer: one vote per user per answer, the latest counts."""

    def __init__(self, turn_id: int, vote: str) -> None:
        self.turn_id, self.vote = turn_id, vote
        super().__init__(
            discord.ui.Button(
                emoji="👍" if vote == "up" else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"ab:vote:{turn_id}:{vote}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> VoteButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["t"]), match["v"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Store the vote and thank the voter privately."""
        await guarded(interaction, self._vote)

    async def _vote(self, interaction: discord.Interaction[Any]) -> None:
        store = services_of(interaction).app.store
        ok = await store.record_feedback(
            self.turn_id, str(interaction.user.id), 1 if self.vote == "up" else -1
        )
        text = "Thanks for the feedback!" if ok else "That answer is no longer on record."
        await respond(interaction, text, ephemeral=True)


def reply_view(result: TurnResult) -> discord.ui.View | None:
    """Buttons for a reply: More, feedback and follow-up questions for answers (two rows);
    one button per choice when ambiguous."""
    reply: Reply = result.reply
    view = discord.ui.View(timeout=None)
    if reply.answered and reply.quote is not None and reply.section_id:
        view.add_item(MoreButton(reply.section_id, reply.quote.end))
        if result.saved:  # a vote needs the turn on record
            view.add_item(VoteButton(result.turn_id, "up"))
            view.add_item(VoteButton(result.turn_id, "down"))
    follow_up_row = 1 if reply.answered else None
    for suggestion in reply.suggestions[:MAX_ROW]:
        pick = PickButton(suggestion.intent_id, suggestion.label)
        pick.item.row = follow_up_row
        view.add_item(pick)
    return view if view.children else None


@contextlib.contextmanager
def released(view: discord.ui.View | None) -> Iterator[discord.ui.View | None]:
    """Use ``view`` for one send, then drop its buttons.

    A view and its buttons point at each other: left as is, every reply is a reference cycle that
    only the garbage collector frees, and under load those cycles pile up into long full
    collections (benchmarks/README.md). The buttons are DynamicItems, so discord.py keeps no view
    after the send; clearing it lets plain reference counting free the lot.
    """
    try:
        yield view
    finally:
        if view is not None:
            view.clear_items()


async def deliver(
    target: discord.Message | discord.Interaction[Any],
    svc: Services,
    result: TurnResult,
    *,
    ephemeral: bool = False,
) -> bool:
    """Send a turn's reply with its buttons: as a reply to a message (a mention or a watched
    channel) or as the answer to an interaction (/ask, More, a "did you mean" choice).

    A reply that does not arrive once discord.py has retried what it could is logged and
    recorded against its turn (``delivery_failures``); someone who asked through an
    interaction is then told privately, if Discord takes that. Returns whether it arrived.
    """
    rendered = reply_message(svc.app.knowledge.article, result.reply)
    content = with_unsaved_note(rendered.content, result)
    try:
        with released(reply_view(result)) as view:
            if isinstance(target, discord.Message):
                await target.reply(
                    content=content,
                    embeds=[rendered.embed] if rendered.embed else [],
                    view=view or discord.utils.MISSING,
                    mention_author=False,
                )
            else:
                await respond(target, content, embed=rendered.embed, view=view, ephemeral=ephemeral)
    except DELIVERY_ERRORS as exc:
        await svc.app.store.record_delivery_failure(result.turn_id, str(exc))
        if isinstance(target, discord.Message):
            log.error("reply to message %s failed: %s", target.id, exc)
        else:
            await report_error(target, exc)  # logs it, and tells the asker if Discord lets us
        return False
    return True


def with_unsaved_note(content: str | None, result: TurnResult) -> str | None:
    """The reply's text, followed by a word that it was not saved (if it was not)."""
    if result.saved:
        return content
    return f"{content}\n{UNSAVED}" if content else UNSAVED


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (MoreButton, PickButton, VoteButton)
