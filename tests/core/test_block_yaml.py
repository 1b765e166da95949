"""The plain block YAML reader answers exactly as PyYAML would, or gives the document up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.authoring import IntentDraft
from bot.core.loading import yamlsrc
from bot.core.loading.blockyaml import read_block
from tests.helpers import ROOT, shape


def _pyyaml(text: str) -> Any:
    """What PyYAML (libyaml) makes of ``text``, with lines: the reference."""
    return yaml.load(text, Loader=yamlsrc._FastLineLoader)


def _agrees(text: str) -> bool:
    """The reader's answer equals PyYAML's (True), or the reader gave the document up (False)."""
    fast = read_block(text)
    if fast is None:
        return False
    assert shape(fast) == shape(_pyyaml(text)), text  # PyYAML raising fails the test too
    return True


def test_what_the_bot_writes_is_read_without_pyyaml() -> None:
    """An intent file as /intent add writes it, awkward text included, is read here, the same."""
    draft = IntentDraft(
        "odd-one",
        "headline",
        (
            "what's the title?",
            "yes",
            "2016",
            "10:30",
            "null",
            "~",
            "- a dash",
            "it's: a colon",
            "trailing colon:",
            "say #hashtag and c# ok",
            'a "double" quote',
            "'leading quote",
            "ünïcödé and emoji 🎉",
            "[not a list]",
            "a [bracket], a {brace}",
            "@at and `tick`",
        ),
        quote="Tango and a Bloodbath: US-Russia attempts to recover from the deadlock",
        lead="The headline: it's short.",
    )
    assert _agrees(draft.to_yaml())


ACCEPTED = [
    "version: 1\nintents:\n- id: a\n  examples:\n  - x\n  - y\n",
    "version: 1\nintents:\n  - id: a\n    examples:\n      - x\n",  # indented sequences
    "# a comment\n\na: 1\n  # indented comment\nb:\n\n  - x   \n  -    y\nc:\nd: ~\ne: null\n",
    "a: 1\na: 2\nb: 3\n",  # a repeated key: its first place, its last value and line
    "a: 'it''s'\nb: \"plain: double\"\nc: ''\nd: \"\"\n",
    "- k: v\n  l:\n    m: n\n- x\n",
    "  a: 1\n  b:\n  - c\n",  # a document indented as a whole
    "a:\n    b:\n        - c\n    d: e\n",
    "a: x#y\nb: 0\nc: 12\n",
    "a: [x, y  z, it's, 30 years, 2016, ~]\nb: []\nc: [ ]\nd: ['q', \"s\"]\n",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_plain_block_documents_are_read_as_pyyaml_reads_them(text: str) -> None:
    """Comments, blank lines, both list styles, quotes, nulls, whole numbers: same values, lines."""
    assert _agrees(text)


DECLINED = [
    "a: [1, 2\n  , 3]\n",
    "a: [x, y] # comment\n",
    "a: ['q, r']\n",
    "a: [x\n",
    "a: [x, y,]\n",
    "a: [what?, why]\n",
    "a: [x:y, z]\n",
    "a: [[x], y]\n",
    "a: [yes, no]\n",
    "- [x, y]\n",
    "a: {b: 1}\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: |\n  block\n",
    "a: >\n  folded\n",
    "a: plain\n  continued\n",
    "a: 'quoted\n  on two lines'\n",
    'a: "escaped \\" quote"\n',
    'a: "back\\\\slash"\n',
    "a: x # comment after a value\n",
    "a:\n\t- tab\n",
    "a: 1\r\nb: 2\r\n",
    "\ufeffa: 1\n",
    "a: line\u2028break\n",
    "a: yes\n",
    "a: 1.5\n",
    "a: 0x1f\n",
    "a: 2016-01-01\n",
    "yes: 1\n",
    "null: 1\n",
    "<<: {a: 1}\n",
    "-\n  a: 1\n",
    "- \n- x\n",
    "- - x\n",
    "--- \na: 1\n",
    "a: b: c\n",
    "a: b:\n",
    "- x y:\n",
    "a:\n  - x\n- y\n",
    "- a: 1\n   b: 2\n",
    "a:\n  b: 1\n c: 2\n",
    "? a\n: b\n",
    "a:\n  - x\n b: 1\n",
    "a: 1\n- x\n",
    "- x\na: 1\n",
    "plain scalar\n",
    "",
    "# only a comment\n",
]


@pytest.mark.parametrize("text", DECLINED)
def test_anything_else_is_given_up_and_parsed_by_pyyaml(text: str) -> None:
    """Flow, anchors, tags, block or multi-line scalars, escapes, tabs, odd types: not read here."""
    assert read_block(text) is None
    references = any(mark in text for mark in ("&", "*", "<<"))
    try:
        expected = shape(_pyyaml(text))
    except yaml.YAMLError:
        references = False  # not YAML: refused as such
    if references:  # anchors, aliases, merge keys: refused (tests/core/test_yaml_loader.py)
        with pytest.raises(yamlsrc.YamlSyntaxError, match="aliases"):
            yamlsrc.parse_intent_yaml(text)
        return
    try:
        expected = shape(_pyyaml(text))
    except yaml.YAMLError:
        with pytest.raises(yamlsrc.YamlSyntaxError):
            yamlsrc.parse_intent_yaml(text)
    else:
        assert shape(yamlsrc.parse_intent_yaml(text)) == expected


@pytest.mark.parametrize("path", sorted((ROOT / "intents").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_intent_files_parse_the_same_either_way(path: Path) -> None:
    """Whichever reader takes a shipped file, parse_yaml gives PyYAML's values and lines."""
    text = path.read_text(encoding="utf-8")
    assert shape(yamlsrc.parse_intent_yaml(text)) == shape(_pyyaml(text))


# Text of every kind YAML treats specially, and text as people write it (most of what the reader
# must read: without it, nearly every generated document would be given up).
_ODD_TEXT = st.text(
    st.sampled_from(list("ab yN1.:-#'\"\\[]{}&*!|>%@`?,~\t\u2028é🎉")), min_size=0, max_size=12
)
_WORDS = st.lists(
    st.sampled_from(["what", "is", "the", "coup", "it's", "30", "c#", "a.b", "ünï", "🎉", "yes"]),
    min_size=1,
    max_size=5,
).map(" ".join)
_PLAIN_KEYS = st.sampled_from(["id", "a", "b_c", "d-e", "examples"])
_PLAIN = st.recursive(  # documents of the kind the bot writes: nearly all read here
    _WORDS | st.integers(0, 20) | st.none(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_PLAIN_KEYS, inner, max_size=4),
    max_leaves=12,
)
_TEXT = _WORDS | _ODD_TEXT
_SCALARS = _TEXT | st.integers(-5, 20) | st.none() | st.booleans() | st.just(1.5)
_KEYS = st.sampled_from(["id", "a", "b_c", "d-e", "examples", "yes", "null", "1", "a b", "k:"])
_KEYS = _KEYS | _ODD_TEXT
_ODD = st.recursive(  # anything: mostly given up, and never misread
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)
_DOCUMENTS = st.one_of(
    st.dictionaries(_PLAIN_KEYS, _PLAIN, min_size=1, max_size=4),
    st.dictionaries(_KEYS, _ODD, min_size=1, max_size=4) | st.lists(_ODD, min_size=1),
)


def test_dumped_documents_agree_with_pyyaml() -> None:
    """Any document safe_dump writes (lists of scalars in flow style or not), with comments and
    blank lines sprinkled in, agrees; and the reader does read some, not give all up."""
    read: list[bool] = []

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        value=_DOCUMENTS,
        indent=st.sampled_from([2, 4]),
        width=st.sampled_from([1000, 20]),
        flow=st.sampled_from([False, None]),
        unicode=st.booleans(),
        noise=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["", "  # c", "#", "   "]))),
    )
    def check(
        value: Any,
        indent: int,
        width: int,
        flow: bool | None,
        unicode: bool,
        noise: list[tuple[int, str]],
    ) -> None:
        text = yaml.safe_dump(
            value, indent=indent, width=width, allow_unicode=unicode, default_flow_style=flow
        )
        lines = text.split("\n")
        for where, extra in noise:
            lines.insert(min(where, len(lines)), extra)
        read.append(_agrees("\n".join(lines)))

    check()
    # Agreeing by giving everything up would pass the check above: the reader must read some
    # (it gives up on nested lists and folded flow lists by design; about a sixth is read).
    assert sum(read) * 20 >= len(read) > 0, f"read {sum(read)} of {len(read)}"


_SOUP_LINE = st.tuples(
    st.sampled_from(["", " ", "  ", "    "]),
    st.lists(
        st.sampled_from(
            ["- ", "-", "a:", "a: ", "b: ", "x", "'q'", '"q"', "#", " #", ": ", "1", "[", "]", ", "]
        )
        | _TEXT,
        max_size=4,
    ),
).map(lambda parts: parts[0] + "".join(parts[1]))
# Lines shaped like block YAML, so that a good share of documents are read, not given up.
_SHAPED_LINE = st.tuples(
    st.sampled_from(["", "  ", "    "]),
    st.sampled_from(["- ", "a: ", "b: ", "- a: ", "- b: "]),
    _WORDS | st.sampled_from(["", "'q'", "[x, y]", "[]", "1"]),
).map("".join)
_LINE = _SHAPED_LINE | _SOUP_LINE


def test_line_soup_is_never_misread() -> None:
    """Random YAML-ish lines: whatever the reader accepts, PyYAML parses the same; and it does
    accept some (a reader that gave up on everything would agree vacuously)."""
    read: list[bool] = []

    @settings(max_examples=400, deadline=None)
    @given(st.lists(_LINE, min_size=1, max_size=8))
    def check(lines: list[str]) -> None:
        read.append(_agrees("\n".join(lines)))

    check()
    assert any(read), f"read none of {len(read)}"


@pytest.mark.parametrize("depth", [400, 1000, 3000])
def test_deep_nesting_is_a_syntax_error_not_a_crash(depth: int) -> None:
    """Mappings nested past Python's recursion limit are reported on the file, not raised."""
    text = "".join(" " * i + f"k{i}:\n" for i in range(depth)) + " " * depth + "x: 1\n"
    try:
        found = yamlsrc.parse_intent_yaml(text)
    except yamlsrc.YamlSyntaxError as exc:
        assert exc.line >= 1
    else:
        for _ in range(depth):
            found = found[next(iter(found))]
        assert found == {"x": 1}
