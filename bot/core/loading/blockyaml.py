"""A fast reader for plain block YAML: the shape the bot writes intent files in.

PyYAML is slow per intent file (libyaml is quick, but every event, node and mark becomes a
Python object), and at ten thousand moderator-added files that was a good part of a first
start's CPU. Nearly all of them are what ``/intent add`` writes (``yaml.safe_dump``): block
mappings and sequences of one-line scalars; hand-written files add one-line lists such as
``[a, b]``. This module reads exactly that, line by line, in about half the time.

It gives up (``read_block`` returns None) on anything else, and ``bot.core.loading.yamlsrc`` then
lets
PyYAML read the document: other flow collections, anchors, aliases, tags, block and multi-line
scalars, escapes, comments after a value, tabs, carriage returns, document markers, complex
keys, a ``-`` with its item on the next line, and any plain scalar PyYAML would resolve to
something other than text, a plain whole number or null. Where it answers, it answers as PyYAML
would: the same values, with the same lines (tests compare the two on generated and mangled
documents).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.core.loading.lined import LineDict, LineList

# A block mapping key the reader takes: a plain word, then ":" and a space or the line's end.
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +(.*))?\Z")
# Characters that make a plain scalar something else when they start it (or quote it).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Characters that mean more than text inside a flow sequence's item.
_FLOW_SYNTAX = frozenset("[]{}#:?")
_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_INT = "tag:yaml.org,2002:int"
_NULL = "tag:yaml.org,2002:null"

# One significant line: its 1-based number, its indentation, and the rest without trailing spaces.
_Row = tuple[int, int, str]


class _GiveUp(Exception):
    """The document goes beyond the subset: PyYAML reads it."""


def read_block(text: str) -> LineDict | LineList | None:
    """``text`` parsed as PyYAML would (with lines), or None when it is not plain block YAML."""
    rows = _rows(text)
    if not rows:
        return None  # empty, or a character PyYAML treats specially
    try:
        value, end = _block(rows, 0)
    except (_GiveUp, RecursionError):  # blocks nested past Python's recursion limit: PyYAML's
        return None
    # Each block takes the rows at its own indentation and stops at the first that is not; so a
    # row left over is one no block could take (a scalar's continuation, a misplaced item).
    return value if end == len(rows) else None


def _rows(text: str) -> list[_Row] | None:
    rows: list[_Row] = []
    for number, line in enumerate(text.split("\n"), 1):
        # Printable means no tab, carriage return, BOM or other line break (U+0085, U+2028):
        # each has rules of its own in YAML.
        if not line.isprintable():
            return None
        rest = line.lstrip(" ")
        if rest and rest[0] != "#":  # blank lines and whole-line comments carry nothing
            rows.append((number, len(line) - len(rest), rest.rstrip(" ")))
    return rows


def _block(rows: list[_Row], pos: int) -> tuple[Any, int]:
    """The mapping or sequence starting at ``rows[pos]``, and the row after it."""
    indent, rest = rows[pos][1], rows[pos][2]
    if rest == "-" or rest.startswith("- "):
        return _sequence(rows, pos, indent)
    return _mapping(rows, pos, indent, None)


def _sequence(rows: list[_Row], pos: int, indent: int) -> tuple[LineList, int]:
    items = LineList()
    items.line = rows[pos][0]
    lines: list[int] = []
    while pos < len(rows):
        number, at, rest = rows[pos]
        if at != indent or rest[:2] != "- ":
            break  # (a bare "-" is left over, and so gives the document up)
        content = rest[2:]
        if content[0] == " ":
            content = content.lstrip(" ")
        if (": " in content or content[-1] == ":") and _KEY.match(content):
            # "- key: value": a mapping that starts on this line, further in.
            value, pos = _mapping(rows, pos, indent + len(rest) - len(content), content)
        else:
            value, pos = _scalar(content), pos + 1
        items.append(value)
        lines.append(number)
    items.item_lines = lines
    return items, pos


def _mapping(rows: list[_Row], pos: int, indent: int, first: str | None) -> tuple[LineDict, int]:
    """The mapping at ``indent``; ``first`` is its first line's text when it starts after "- "."""
    result = LineDict()
    result.line = rows[pos][0]
    result.key_lines = key_lines = {}
    table = yaml.resolver.Resolver.yaml_implicit_resolvers
    while pos < len(rows):
        number, at, rest = rows[pos]
        if first is not None:
            rest, first = first, None
        elif at != indent:
            break
        match = _KEY.match(rest)
        if match is None:
            raise _GiveUp
        key = match.group(1)
        if key[0] in table and _resolve(key, table) is not key:
            raise _GiveUp  # `yes:`, `null:` and the like are keys of other types
        text = match.group(2)
        pos += 1
        if text:
            value = _flow_sequence(text, number) if text[0] == "[" else _scalar(text)
        elif pos < len(rows) and _nested(rows[pos], indent):
            value, pos = _block(rows, pos)
        else:
            value = None
        result[key] = value  # a repeated key keeps its first place and takes the last value,
        key_lines[key] = number  # as PyYAML builds it
    return result, pos


def _nested(row: _Row, indent: int) -> bool:
    """Whether ``row`` starts the value of an empty key at ``indent``."""
    at, rest = row[1], row[2]
    # A deeper block, or a sequence at the key's own indentation (as safe_dump writes lists).
    return at > indent or (at == indent and (rest == "-" or rest.startswith("- ")))


def _flow_sequence(text: str, line: int) -> LineList:
    """A one-line flow sequence of one-line scalars, as hand-written lists often are: ``[a, b]``."""
    if text[-1] != "]":
        raise _GiveUp  # it goes on to the next line, or a comment follows
    items = LineList()
    items.line = line
    inner = text[1:-1]
    if inner.strip(" "):
        for part in inner.split(","):
            item = part.strip(" ")
            # A blank item (a trailing comma too), nesting, a comment, or "?" and ":", which
            # PyYAML reads as flow syntax even inside a word: all given up.
            if not item or not _FLOW_SYNTAX.isdisjoint(item):
                raise _GiveUp
            items.append(_scalar(item))
    items.item_lines = [line] * len(items)
    return items


def _scalar(text: str) -> Any:
    """A one-line scalar: quoted text, or a plain scalar resolved as PyYAML resolves it."""
    first = text[0]
    if first not in _INDICATORS:
        if ": " in text or " #" in text or text[-1] == ":":
            raise _GiveUp
        table = yaml.resolver.Resolver.yaml_implicit_resolvers
        # Most text starts with a letter no implicit resolver claims.
        return _resolve(text, table) if first in table or None in table else text
    if first == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            raise _GiveUp
        return inner.replace("''", "'")
    if first == '"':
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != '"' or '"' in inner or "\\" in inner:
            raise _GiveUp  # escapes, or the quote goes on past this line
        return inner
    raise _GiveUp  # "-", "[", "&", "!", "|", ">" and the like start something else


def _resolve(text: str, table: dict[Any, list[tuple[str, re.Pattern[str]]]]) -> Any:
    """A plain scalar's value: ``text`` itself unless an implicit resolver of PyYAML claims it."""
    for tag, pattern in table.get(text[0], []) + table.get(None, []):
        if pattern.match(text):
            if tag == _INT and _DECIMAL.match(text):
                return int(text)
            if tag == _NULL:
                return None
            raise _GiveUp  # booleans, floats, dates, other integer notations
    return text
