"""Loading intent files as one set: read, check each file, check across files, remember.

Each ``IntentLoader`` remembers every file's checked result while the file is unchanged (same
time, size, inode and article), so reloading ten thousand moderator-added files after one
changed costs one parse. The memory belongs to the loader, not to the module.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.article import Article
from bot.core.intents import LIMITS, Intent, IntentSet, parse_document
from bot.core.loading.checks import Checker
from bot.core.loading.fanout import map_chunked
from bot.core.loading.filememo import FileMemo, Listing, list_files
from bot.errors import IntentError, Problem


@dataclass(frozen=True)
class Checked:
    """One document's intents and its own problems (before the checks across documents)."""

    path: str
    intents: tuple[Intent, ...]
    problems: tuple[Problem, ...]


class IntentLoader:
    """Loads a folder of intent files, reusing what it checked of files that did not change."""

    SUFFIXES = (".yaml", ".yml")

    def __init__(self) -> None:
        self.memo: FileMemo[Checked] = FileMemo()

    def listing(self, directory: Path) -> Listing:
        """The folder's intent files, stamped (IntentError when the folder cannot be read)."""
        try:
            return list_files(directory, self.SUFFIXES)
        except OSError as exc:
            problem = Problem(str(directory), 1, "folder", f"cannot read: {exc}")
            raise IntentError([problem]) from exc

    def load(self, directory: Path, article: Article, context: object | None = None) -> IntentSet:
        """Load and validate every ``*.yaml`` file in ``directory``; IntentError on any problem.

        ``context`` stands for everything a file's result depends on besides the file (the
        article, unless said otherwise): a result remembered in another context is not reused.
        """
        return self.load_listed(self.listing(directory), article, context)

    def load_listed(self, listing: Listing, article: Article, context: object | None) -> IntentSet:
        """``load`` of the files in ``listing`` (as ``listing`` returns them)."""
        context = article if context is None else context
        stamps = dict(listing)
        missing = [name for name, stamp in listing if self.memo.get(name, stamp, context) is None]
        # Ten thousand new files (a first start) are parsed in worker processes
        # (bot.core.loading.fanout).
        fresh = map_chunked(check_files, missing, article)
        unreadable = [result for result in fresh if isinstance(result, Problem)]
        for name, result in zip(missing, fresh, strict=True):
            if isinstance(result, Checked):  # an unreadable file may be readable by next time
                self.memo.put(name, stamps[name], context, result)
        self.memo.keep_only(stamps)
        if unreadable:
            raise IntentError(unreadable)
        checked = [self.memo.get(name, stamp, context) for name, stamp in listing]
        return assemble([c for c in checked if c is not None])  # all there: none unreadable


def load_intents(directory: Path, article: Article) -> IntentSet:
    """Load a folder of intent files once (no memory kept between calls)."""
    return IntentLoader().load(directory, article)


def validate_documents(documents: Iterable[tuple[str, str]], article: Article) -> IntentSet:
    """Validate intent documents given as (path, YAML text) together, as one set."""
    return assemble([check_document(path, text, article) for path, text in documents])


def check_files(paths: Sequence[str], article: Article) -> list[Checked | Problem]:
    """Read and check each file on its own: its result, or the Problem of reading it."""
    return [_check_file(path, article) for path in paths]


def _check_file(path: str, article: Article) -> Checked | Problem:
    try:
        text = read_intent_file(path)
    except UnreadableFile as exc:
        return Problem(path, 1, "file", str(exc))
    return check_document(path, text, article)


class UnreadableFile(Exception):
    """An intent file that cannot be read as one: gone, not a regular file, too big, not UTF-8."""


def read_intent_file(path: str) -> str:
    """An intent file's text, read only if it is a regular file within ``LIMITS.file_bytes``.

    Opened without blocking and checked on the open file: a FIFO or a device put in the
    folder (or swapped in after it was listed) is refused instead of hanging or filling memory.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile("not a regular file")
        if info.st_size > LIMITS.file_bytes:
            raise UnreadableFile(
                f"is {info.st_size:,} bytes; an intent file may hold {LIMITS.file_bytes:,}: "
                "split it into several files"
            )
        # As much as it holds, and one byte more to notice a file still growing: reading up to
        # the limit at once would allocate (and give back) a megabyte for every small file.
        data = file.read(info.st_size + 1)
        if len(data) > info.st_size:  # still growing: cut at the limit, then refused
            data += file.read(LIMITS.file_bytes + 1 - len(data))
    if len(data) > LIMITS.file_bytes:
        raise UnreadableFile(f"grew past {LIMITS.file_bytes:,} bytes while being read")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"cannot read: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from exc
    if "\r" in text:  # line ends as a text-mode read gives them
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def check_document(path: str, text: str, article: Article) -> Checked:
    """Parse and check one document on its own."""
    check = Checker(path)
    intents = parse_document(check, text, article)
    return Checked(path, tuple(intents), tuple(check.problems))


def assemble(checked: list[Checked]) -> IntentSet:
    """The documents as one set, or IntentError with every problem, file by file."""
    problems = [p for c in checked for p in c.problems]
    intents = [i for c in checked for i in c.intents]
    problems.extend(_cross_checks(intents))
    if problems:
        raise IntentError(problems)
    return IntentSet(tuple(intents), tuple(c.path for c in checked))


def _cross_checks(intents: list[Intent]) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, Intent] = {}
    owner: dict[str, Intent] = {}  # normalised example -> the first intent that has it
    for intent in intents:
        if intent.id in first:
            other = first[intent.id]
            problems.append(
                Problem(
                    intent.source,
                    intent.line,
                    f"{intent.id}.id",
                    f"duplicate intent id (first at {other.source}:{other.line})",
                )
            )
            continue
        first[intent.id] = intent
        # One dictionary step per example (all of them at a first start); lines only for a clash.
        keys = intent.normalised_examples()
        clashes = [key for key in keys if owner.setdefault(key, intent) is not intent]
        if clashes:
            problems.extend(_same_examples(intent, clashes, owner))
    for intent in intents:
        for target in intent.follow_ups:
            if target not in first:
                problems.append(
                    Problem(
                        intent.source,
                        intent.line,
                        f"{intent.id}.follow_ups",
                        f"unknown intent {target!r}",
                    )
                )
    return problems


def _same_examples(intent: Intent, clashes: list[str], owner: dict[str, Intent]) -> list[Problem]:
    """A problem for each example of ``intent`` that an earlier intent has (at its last line)."""
    lines = dict(zip(intent.normalised_examples(), intent.example_lines, strict=True))
    problems = []
    for key in dict.fromkeys(clashes):
        prior = owner[key]
        prior_lines = dict(zip(prior.normalised_examples(), prior.example_lines, strict=True))
        problems.append(
            Problem(
                intent.source,
                lines[key],
                f"{intent.id}.examples",
                f"same example as intent {prior.id!r} ({prior.source}:{prior_lines[key]})",
            )
        )
    return problems
