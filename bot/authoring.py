"""Moderator authoring: add and remove intents, recorded in the database, then reload.

The database is the record of moderator-added intents (``Storage.added_intents``), so every
process serving it has them (``bot.intent_sync`` brings the others in line); each process keeps
them as files of its own, ``intents/added-<id>.yaml``, so loading, the snapshot and hot reload
treat them as any intent file. Hand-written files are never rewritten. A new intent is validated
together with every existing file before it is stored; its file is written to a temporary file,
flushed and fsynced, then put in place. Two moderators adding the same id at once, in one
process or two, cannot both win: the database takes the first.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core.intents import INTENTS_VERSION, Intent
from bot.core.knowledge import Knowledge
from bot.core.loading.intent_files import (
    IntentLoader,
    UnreadableFile,
    read_intent_file,
    validate_documents,
)
from bot.core.text import normalise
from bot.errors import (
    IntentError,
    IntentExistsError,
    Problem,
    ReadOnlyIntentError,
    UnknownIntentError,
)
from bot.files import TMP_PREFIX, TMP_SUFFIX, added_file_name, write_file
from bot.store.interface import IntentRows

MAX_FIELD = 4000
MAX_EXAMPLE = 300  # a question, not a paragraph: the matcher reads no further than this


@dataclass(frozen=True)
class IntentDraft:
    """What a moderator typed into the /intent add form."""

    id: str
    section: str
    examples: tuple[str, ...]
    quote: str = ""
    lead: str = ""

    @classmethod
    def from_form(
        cls, intent_id: str, section: str, examples: str, quote: str = "", lead: str = ""
    ) -> IntentDraft:
        """Build a draft from raw form fields (examples one per line)."""
        lines = tuple(line.strip() for line in examples.splitlines() if line.strip())
        return cls(intent_id.strip(), section.strip(), lines, quote.strip(), lead.strip())

    def to_yaml(self) -> str:
        """Render the draft as a version-1 intent file."""
        entry: dict[str, object] = {
            "id": self.id,
            "section": self.section,
            "examples": list(self.examples),
        }
        if self.quote:
            entry["quote"] = self.quote
        if self.lead:
            entry["lead"] = self.lead
        document = {"version": INTENTS_VERSION, "intents": [entry]}
        return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000)


class IntentAuthor:
    """Adds and removes moderator intents and reloads the knowledge after each change."""

    def __init__(self, knowledge: Knowledge, rows: IntentRows) -> None:
        self.knowledge = knowledge
        self.rows = rows
        # Held while the added intents' files change (here, or by bot.intent_sync).
        self.lock = asyncio.Lock()
        # A crash mid-write leaves only a temporary file (never loaded): sweep those away.
        for stale in knowledge.intents_dir.glob(f"{TMP_PREFIX}*{TMP_SUFFIX}"):
            stale.unlink(missing_ok=True)

    def path_for(self, intent_id: str) -> Path:
        """The file a moderator-added intent lives in."""
        return self.knowledge.intents_dir / added_file_name(intent_id)

    def validate(self, draft: IntentDraft) -> Intent:
        """Check a draft against the article and every existing intent; raise IntentError."""
        problems = _field_problems(draft)
        if problems:
            raise IntentError(problems)
        if self.knowledge.intents.get(draft.id) is not None or self.path_for(draft.id).exists():
            raise IntentExistsError(draft.id)
        # The files exactly as the loader lists and reads them (one function for both).
        listing = IntentLoader().listing(self.knowledge.intents_dir)
        try:
            documents = [(name, read_intent_file(name)) for name, _ in listing]
        except UnreadableFile as exc:
            raise IntentError(
                [Problem(str(self.knowledge.intents_dir), 1, "file", str(exc))]
            ) from exc
        documents.append((str(self.path_for(draft.id)), draft.to_yaml()))
        intents = validate_documents(documents, self.knowledge.article)
        return intents.by_id[draft.id]

    async def add(self, draft: IntentDraft, actor: str = "local") -> Intent:
        """Validate, store, write the file and reload; the set in force changes only on success.

        StoreWriteError when the database cannot take it (nothing changed then)."""
        async with self.lock:
            intent = await asyncio.to_thread(self.validate, draft)
            text = draft.to_yaml()
            if not await self.rows.add(draft.id, text, actor):
                raise IntentExistsError(draft.id)  # another process added it a moment ago
            try:
                await asyncio.to_thread(write_file, self.path_for(draft.id), text)
                await asyncio.to_thread(self.knowledge.reload)
            except (IntentError, OSError):
                self.path_for(draft.id).unlink(missing_ok=True)
                await self.rows.remove(draft.id, actor)
                raise
            return intent

    async def remove(self, intent_id: str, actor: str = "local") -> Path:
        """Remove a moderator-added intent (database, then file) and reload; hand-written ones
        are refused."""
        async with self.lock:
            intent = self.knowledge.intents.get(intent_id)
            if intent is None:
                raise UnknownIntentError(intent_id)
            path = Path(intent.source)
            if path.resolve() != self.path_for(intent_id).resolve():
                raise ReadOnlyIntentError(intent_id, path.name)
            backup = path.read_text(encoding="utf-8")
            # A copy that never reached the database (a file put there by hand, or from before
            # the database kept them) has nothing to mark removed there.
            await self.rows.remove(intent_id, actor)
            path.unlink()
            try:
                await asyncio.to_thread(self.knowledge.reload)
            except IntentError:
                write_file(path, backup)  # another intent's follow_ups named it: undo
                await self.rows.add(intent_id, backup, actor)
                raise
            return path


def _field_problems(draft: IntentDraft) -> list[Problem]:
    """Problems with the form itself, named by field (before any YAML is involved)."""
    problems = []
    fields = {
        "id": draft.id,
        "section": draft.section,
        "quote": draft.quote,
        "lead": draft.lead,
        "examples": "\n".join(draft.examples),
    }
    for name, value in fields.items():
        if len(value) > MAX_FIELD:
            problems.append(
                Problem("form", 1, name, f"too long ({len(value)} > {MAX_FIELD} chars)")
            )
    if not draft.id:
        problems.append(Problem("form", 1, "id", "required"))
    seen: set[str] = set()
    for example in draft.examples:
        if len(example) > MAX_EXAMPLE:
            msg = f"each example is one question of at most {MAX_EXAMPLE} characters"
            problems.append(Problem("form", 1, "examples", msg))
            break
        key = normalise(example)
        if key in seen:
            problems.append(Problem("form", 1, "examples", f"{example!r} is listed twice"))
        seen.add(key)
    if not draft.examples:
        problems.append(Problem("form", 1, "examples", "write at least one question per line"))
    return problems
