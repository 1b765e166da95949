"""YAML loading that remembers where each key and list item stands, for errors naming lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.core.loading.blockyaml import read_block
from bot.core.loading.lined import LineDict, LineList

_Loader = yaml.SafeLoader | yaml.CSafeLoader
_STR = "tag:yaml.org,2002:str"


def _construct(loader: _Loader, node: yaml.Node) -> Any:
    # A string is its node's value (what SafeConstructor.construct_yaml_str returns): most
    # nodes of an intent file are strings, and the general path costs more for each.
    if node.tag == _STR and type(node) is yaml.ScalarNode:
        return node.value
    return loader.construct_object(node, deep=True)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        # Keys are stringified so `1: x` is reported rather than crashing comparisons.
        skey = str(_construct(loader, key_node))
        result[skey] = _construct(loader, value_node)
        result.key_lines[skey] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(_construct(loader, child) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


class _LineLoader(yaml.SafeLoader):
    """SafeLoader building LineDict/LineList so validation can point at lines."""


class _FastLineLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """The same with libyaml's scanner and parser, ten times faster, when PyYAML has it.

    Its node marks carry the same lines; a document it rejects is parsed again by
    ``_LineLoader`` so that errors read exactly as before.
    """


for _loader in (_LineLoader, _FastLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlSyntaxError(Exception):
    """A YAML document that does not parse, with the line where the parser stopped."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


_TOO_DEEP = "nested too deeply to read"


def parse_intent_yaml(text: str) -> Any:
    """``parse_yaml`` for an intent file: the plain block YAML the bot writes is read without
    PyYAML (``blockyaml``: a first start parses thousands of these); anything else by PyYAML.
    Other data files (config, sections, question sets) are few and go to PyYAML directly."""
    fast = read_block(text)
    if fast is not None:
        return fast  # it gives up on anchors, aliases and merge keys: none here
    return parse_yaml(text)


def parse_yaml(text: str) -> Any:
    """Parse one YAML document into LineDict/LineList values, or raise YamlSyntaxError."""
    _reject_references(text)
    try:
        return yaml.load(text, Loader=_FastLineLoader)
    except yaml.YAMLError:
        pass  # reported below by the pure-Python parser, in its words and at its line
    except RecursionError as exc:  # PyYAML builds nested values recursively
        raise YamlSyntaxError(1, _TOO_DEEP) from exc
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlSyntaxError(line, str(exc.problem or exc).strip()) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, str(exc)) from exc
    except RecursionError as exc:
        raise YamlSyntaxError(1, _TOO_DEEP) from exc


_REFERENCES = (
    "anchors, aliases and merge keys (&name, *name, <<) are not allowed: write each value out"
)


def _reject_references(text: str) -> None:
    """Refuse YAML anchors, aliases and merge keys before building anything.

    A few kilobytes of aliases to aliases expand to gigabytes (the "billion laughs"); our files
    never need them, so they are refused outright, at the line where the first one stands.
    """
    if "&" not in text and "*" not in text and "<<" not in text:
        return
    loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    try:
        for event in yaml.parse(text, Loader=loader):
            merge = (
                isinstance(event, yaml.ScalarEvent) and event.value == "<<" and event.implicit[0]
            )
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) or merge:
                mark = event.start_mark
                raise YamlSyntaxError(mark.line + 1 if mark is not None else 1, _REFERENCES)
    except yaml.YAMLError:
        return  # not YAML at all: the parse below reports where and why


def read_yaml(path: Path) -> Any:
    """Read and parse a YAML file (UTF-8)."""
    return parse_yaml(path.read_text(encoding="utf-8"))
