"""The :class:`InteractionResult` returned by interaction-driving test helpers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from . import messages as m
from .state import InteractionRecord

__all__ = ["InteractionResult"]

Json = dict[str, Any]


@dataclass(eq=False)
class InteractionResult:
    """How the bot acknowledged an interaction; followups/edits keep arriving afterwards."""

    record: InteractionRecord
    message: Json | None

    @property
    def interaction_id(self) -> str:
        """The interaction's snowflake."""
        return str(self.record.id)

    @property
    def type(self) -> int:
        """Callback type: 4 message, 5 deferred, 6 deferred update, 7 update, 8 choices, 9 modal."""
        assert self.record.callback_type is not None
        return self.record.callback_type

    @property
    def data(self) -> Json:
        """The callback's ``data`` as the bot sent it."""
        return self.record.callback_data

    @property
    def content(self) -> str | None:
        """``data.content`` (``None`` if the callback carried none)."""
        return self.data.get("content")

    @property
    def embeds(self) -> list[Json]:
        """``data.embeds``."""
        return list(self.data.get("embeds") or [])

    @property
    def components(self) -> list[Json]:
        """``data.components`` (for a modal: its rows/labels)."""
        return list(self.data.get("components") or [])

    @property
    def flags(self) -> int:
        """``data.flags``."""
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        """Whether the response (or deferred response) is ephemeral (flag 64)."""
        if self.message is not None:
            return bool(self.message["flags"] & m.EPHEMERAL)
        return bool(self.flags & m.EPHEMERAL)

    @property
    def choices(self) -> list[Json]:
        """Autocomplete choices (callback type 8)."""
        return list(self.data.get("choices") or [])

    @property
    def modal_custom_id(self) -> str | None:
        """The opened modal's custom_id (callback type 9)."""
        return self.data.get("custom_id") if self.type == 9 else None

    @property
    def followups(self) -> list[Json]:
        """Followup messages received so far."""
        return self.record.followups

    @property
    def edits(self) -> list[Json]:
        """Edits of the original response / followups received so far."""
        return self.record.edits

    async def _wait_len(self, items: list[Json], count: int, timeout: float) -> Json:
        async with self.record.changed:
            await asyncio.wait_for(
                self.record.changed.wait_for(lambda: len(items) >= count), timeout
            )
        return items[count - 1]

    async def wait_followup(self, count: int = 1, timeout: float = 5.0) -> Json:
        """Wait until ``count`` followups arrived; return the ``count``-th."""
        return await self._wait_len(self.record.followups, count, timeout)

    async def wait_edit(self, count: int = 1, timeout: float = 5.0) -> Json:
        """Wait until ``count`` edits arrived (e.g. the answer after a defer); return it."""
        return await self._wait_len(self.record.edits, count, timeout)
