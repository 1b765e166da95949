"""Moderator authoring: add and remove intents as files of their own, atomically, then reload.

Hand-written files are never rewritten: each added intent lives in ``intents/added-<id>.yaml``.
A new file is validated together with every existing file before it is written, written to a
temporary file, flushed and fsynced, then linked into place (``os.link`` fails if the name exists,
so two moderators adding the same id at once cannot both win).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
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

ADDED_PREFIX = "added-"
TMP_PREFIX, TMP_SUFFIX = ".tmp-", ".part"
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

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self._lock = asyncio.Lock()
        # A crash mid-write leaves only a temporary file (never loaded): sweep those away.
        for stale in knowledge.intents_dir.glob(f"{TMP_PREFIX}*{TMP_SUFFIX}"):
            stale.unlink(missing_ok=True)

    def path_for(self, intent_id: str) -> Path:
        """The file a moderator-added intent lives in."""
        return self.knowledge.intents_dir / f"{ADDED_PREFIX}{intent_id}.yaml"

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

    async def add(self, draft: IntentDraft) -> Intent:
        """Validate, write atomically and reload; the set in force changes only on success."""
        async with self._lock:
            intent = await asyncio.to_thread(self.validate, draft)
            await asyncio.to_thread(write_new_file, self.path_for(draft.id), draft.to_yaml())
            try:
                await asyncio.to_thread(self.knowledge.reload)
            except IntentError:
                self.path_for(draft.id).unlink(missing_ok=True)
                raise
            return intent

    async def remove(self, intent_id: str) -> Path:
        """Delete a moderator-added intent's file and reload; hand-written ones are refused."""
        async with self._lock:
            intent = self.knowledge.intents.get(intent_id)
            if intent is None:
                raise UnknownIntentError(intent_id)
            path = Path(intent.source)
            if path.resolve() != self.path_for(intent_id).resolve():
                raise ReadOnlyIntentError(intent_id, path.name)
            backup = path.read_text(encoding="utf-8")
            path.unlink()
            try:
                await asyncio.to_thread(self.knowledge.reload)
            except IntentError:
                write_new_file(path, backup)  # another intent's follow_ups named it: undo
                raise
            return path


def write_new_file(path: Path, text: str) -> None:
    """Create ``path`` with ``text`` atomically; raise IntentExistsError if it already exists."""
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # atomic, and never replaces an existing file
        except FileExistsError:
            raise IntentExistsError(path.stem.removeprefix(ADDED_PREFIX)) from None
        _fsync_dir(path.parent)
    finally:
        os.unlink(tmp)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
