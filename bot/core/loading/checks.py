"""Small helpers that check YAML shapes and collect every problem instead of stopping at one."""

from __future__ import annotations

from typing import Any

from bot.core.loading.lined import LineDict, LineList
from bot.core.text import truncate
from bot.errors import Problem


class Checker:
    """Collects ``Problem``s for one file while typed values are pulled out of it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, line: int, key: str, message: str) -> None:
        """Record one problem (its message capped: it may quote what someone typed)."""
        self.problems.append(Problem(self.path, line, truncate(key, 120), truncate(message, 300)))

    def mapping(self, value: Any, line: int, key: str) -> LineDict | None:
        """Return ``value`` if it is a mapping, else record a problem and return None."""
        if isinstance(value, LineDict):
            return value
        self.add(line, key, f"expected a mapping, got {_kind(value)}")
        return None

    def keys(self, data: LineDict, where: str, allowed: set[str], required: set[str]) -> None:
        """Check that ``data`` has every required key and nothing outside ``allowed``."""
        for key in data:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                self.add(data.line_of(key), _join(where, key), f"unknown key (allowed: {hint})")
        for key in sorted(required - set(data)):
            self.add(data.line, _join(where, key), "required key is missing")

    def string(self, data: LineDict, key: str, where: str) -> str | None:
        """Return ``data[key]`` as a non-empty string, or None (recording a problem if bad)."""
        if key not in data or data[key] is None:
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.add(data.line_of(key), _join(where, key), f"expected text, got {_kind(value)}")
            return None
        text = str(value).strip()
        if not text:
            self.add(data.line_of(key), _join(where, key), "must not be empty")
            return None
        return text

    def string_list(self, data: LineDict, key: str, where: str) -> list[tuple[str, int]]:
        """Return ``data[key]`` as (text, line) pairs; a lone string counts as a one-item list."""
        if key not in data or data[key] is None:
            return []
        value = data[key]
        line = data.line_of(key)
        if isinstance(value, str):
            return [(value.strip(), line)] if value.strip() else []
        if not isinstance(value, LineList):
            self.add(line, _join(where, key), f"expected a list of text, got {_kind(value)}")
            return []
        items: list[tuple[str, int]] = []
        for index, item in enumerate(value):
            item_line = value.line_of(index)
            if type(item) is str and (text := item.strip()):  # the common case, checked first
                items.append((text, item_line))
            elif isinstance(item, bool) or not isinstance(item, str | int | float):
                self.add(
                    item_line, f"{_join(where, key)}[{index}]", f"expected text, got {_kind(item)}"
                )
            elif str(item).strip():
                items.append((str(item).strip(), item_line))
            else:
                self.add(item_line, f"{_join(where, key)}[{index}]", "must not be empty")
        return items

    def int_list(self, data: LineDict, key: str, where: str) -> list[int]:
        """Return ``data[key]`` as a list of integers, recording a problem for anything else."""
        value = data.get(key)
        if value is None:
            return []
        if isinstance(value, int) and not isinstance(value, bool):
            return [value]
        if not isinstance(value, LineList) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            self.add(data.line_of(key), _join(where, key), "expected a list of whole numbers")
            return []
        return list(value)

    def version(self, data: LineDict, supported: int) -> None:
        """Check the file's ``version`` key."""
        if "version" not in data:
            self.add(data.line, "version", f"required key is missing (use `version: {supported}`)")
        elif data["version"] != supported:
            self.add(data.line_of("version"), "version", f"unsupported version (use {supported})")


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a number" if isinstance(value, int | float) else type(value).__name__
