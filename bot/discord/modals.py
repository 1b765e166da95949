"""The /intent add modal and the Make-intent button that opens it prefilled."""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

import discord

from bot.authoring import IntentDraft
from bot.discord.context import services_of
from bot.discord.embeds import safe_text
from bot.discord.permissions import REFUSED, moderator_only
from bot.discord.sending import guarded, respond
from bot.errors import ArticleBotError, DataFileError
from bot.messages import user_message

log = logging.getLogger(__name__)
Item = discord.ui.Button[discord.ui.View]


class IntentModal(discord.ui.Modal, title="Add an intent"):
    """Five fields: id, section, examples (one per line), optional quote and lead."""

    intent_id: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Intent id", placeholder="e.g. kerry-career", max_length=64, custom_id="id"
    )
    section: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Section id", placeholder="see /sections", max_length=64, custom_id="section"
    )
    examples: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Example questions (one per line, at least 5)",
        style=discord.TextStyle.paragraph,
        max_length=4000,
        custom_id="examples",
    )
    quote: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Quote (optional, exact article text)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=4000,
        custom_id="quote",
    )
    lead: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Lead sentence (optional)", required=False, max_length=300, custom_id="lead"
    )

    def __init__(self, *, opener: int, question: str = "", section: str = "") -> None:
        # One custom_id per form: discord.py keeps open modals by custom_id, so two moderators
        # with the same id open at once would have one form silently replaced by the other.
        super().__init__(custom_id=f"ab:intent-add:{opener}:{secrets.token_hex(6)}")
        self.opener = opener
        self.examples.default = question[:4000] or None
        self.section.default = section[:64] or None

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Validate like `check`, write the file, reload, and say what was added."""
        await guarded(interaction, self._submit)

    async def _submit(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.user.id != self.opener or not moderator_only(interaction):
            await respond(interaction, REFUSED, ephemeral=True)
            return
        svc = services_of(interaction)
        draft = IntentDraft.from_form(
            self.intent_id.value,
            self.section.value,
            self.examples.value,
            self.quote.value,
            self.lead.value,
        )
        try:
            intent = await svc.app.author.add(draft, str(interaction.user.id))
        except DataFileError as exc:
            await respond(interaction, form_errors(exc), ephemeral=True)
            return
        except ArticleBotError as exc:
            root = svc.app.knowledge.intents_dir
            await respond(interaction, user_message(exc, root), ephemeral=True)
            return
        await svc.app.store.audit(
            str(interaction.user.id),
            "intent.add",
            f"{intent.id} ({intent.section}, {len(intent.examples)} examples)",
        )
        text = (
            f"Added intent `{intent.id}` → section `{intent.section}` with "
            f"{len(intent.examples)} examples. It answers from now on."
        )
        await respond(interaction, safe_text(text), ephemeral=True)


def form_errors(error: DataFileError) -> str:
    """Problems in the new intent, named by form field (not by the file it would become)."""
    lines = []
    for problem in error.problems:
        field = problem.key.split(".")[-1].split("[")[0]
        lines.append(f"• `{field}`: {problem.message}")
    return safe_text("Not added. Please fix:\n" + "\n".join(dict.fromkeys(lines)))


class MakeIntentButton(discord.ui.DynamicItem[Item], template=r"ab:mk:(?P<t>\d+)"):
    """From /unanswered: open the intent modal prefilled with the question and a guessed section."""

    def __init__(self, turn_id: int, label: str = "Make intent") -> None:
        self.turn_id = turn_id
        super().__init__(
            discord.ui.Button(
                label=label[:80], style=discord.ButtonStyle.success, custom_id=f"ab:mk:{turn_id}"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> MakeIntentButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["t"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Moderators only, checked now (a role may have been lost since the list was posted)."""
        await guarded(interaction, self._open_form)

    async def _open_form(self, interaction: discord.Interaction[Any]) -> None:
        if not moderator_only(interaction):
            await respond(interaction, REFUSED, ephemeral=True)
            return
        svc = services_of(interaction)
        turn = await svc.app.store.logged_turn(self.turn_id)
        question = turn.question if turn else ""
        section = turn.section if turn and turn.section else guess_section(interaction, question)
        modal = IntentModal(opener=interaction.user.id, question=question, section=section)
        await interaction.response.send_modal(modal)


def guess_section(interaction: discord.Interaction[Any], question: str) -> str:
    """The section of the best-ranked intent for a question, or empty."""
    knowledge = services_of(interaction).app.knowledge
    for cand in knowledge.engine.rank(question):
        section = knowledge.intents.by_id[cand.intent_id].section
        if section:
            return section
    return ""
