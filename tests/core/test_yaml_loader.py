"""The line-tracking YAML loader: libyaml's parser gives the same values, lines and errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.loading import yamlsrc
from bot.core.loading.lined import LineDict, LineList
from tests.helpers import ROOT, shape

DATA_FILES = sorted(
    [*(ROOT / "intents").glob("*.yaml"), ROOT / "seeds" / "sections.yaml", ROOT / "config.yaml"]
)


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: Path(p).name)
def test_fast_and_pure_loaders_agree_on_shipped_files(path: Path) -> None:
    """Every shipped data file parses to the same values and lines with either parser."""
    text = path.read_text(encoding="utf-8")
    fast = yaml.load(text, Loader=yamlsrc._FastLineLoader)
    pure = yaml.load(text, Loader=yamlsrc._LineLoader)
    assert shape(fast) == shape(pure)


@pytest.mark.parametrize(
    "text",
    ["a: [1, 2\nb: 3\n", "a: b: c\n", "- x\ny: 1\n", "a:\n\t- tab\n", "'unclosed\n"],
)
def test_syntax_errors_read_as_the_pure_parser_reports_them(text: str) -> None:
    """A broken document is reported with the pure-Python parser's line and message."""
    with pytest.raises(yamlsrc.YamlSyntaxError) as caught:
        yamlsrc.parse_yaml(text)
    try:
        yaml.load(text, Loader=yamlsrc._LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        assert mark is not None
        assert caught.value.line == mark.line + 1
        assert caught.value.message == str(exc.problem or exc).strip()
    else:
        pytest.fail("the pure parser accepted it")


def _plain(value: Any) -> Any:
    """Values without their lines."""
    if isinstance(value, LineDict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, LineList):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize(
    "text",
    [
        "a: hello\nb: Q&A *x\nc: !!str 12\nd: 12\ne: yes\nf: ~\ng: '12'\nh: [1, two, 3.5]\n",
        "x: [a, 'b', \"c\\u00e9\", '&l', '<<']\nz: !!str\n",
        "- !!binary aGk=\n- 2001-12-14\n- !!float 1\n- |\n  block\n  text\n- >-\n  folded\n",
        '2: two\nnull: n\nno: f\n"quoted": q\n',
    ],
    ids=["scalars", "quoted-marks", "tags", "keys"],
)
def test_values_are_what_pyyaml_builds(text: str) -> None:
    """Apart from lines, every value is the one PyYAML's safe loader builds: strings, tagged
    scalars (strings skip PyYAML's general path)."""
    expected = yaml.safe_load(text)
    if isinstance(expected, dict):  # keys are stringified, so `1: x` can be reported
        expected = {str(k): v for k, v in expected.items()}
    assert _plain(yamlsrc.parse_yaml(text)) == expected
    assert _plain(yaml.load(text, Loader=yamlsrc._LineLoader)) == expected


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: &x hello\nb: *x\n", 1),
        ("ok: 1\nbase: {k: v}\nmerged:\n  <<: {k: w}\n", 4),
        ("ok: [a]\nx: &l [a, b]\ny: [*l, *l]\n", 2),
    ],
    ids=["anchor-alias", "merge-key", "list-alias"],
)
def test_anchors_aliases_and_merge_keys_are_refused(text: str, line: int) -> None:
    """References are refused at the line of the first one, before anything is built."""
    with pytest.raises(yamlsrc.YamlSyntaxError) as err:
        yamlsrc.parse_yaml(text)
    assert err.value.line == line and "aliases" in err.value.message


def test_an_alias_bomb_is_refused_before_it_expands() -> None:
    """The "billion laughs": nine levels of ten aliases each would be a billion strings."""
    rows = ["a0: &a0 lol"]
    for n in range(1, 10):
        refs = ", ".join(f"*a{n - 1}" for _ in range(10))
        rows.append(f"a{n}: &a{n} [{refs}]")
    with pytest.raises(yamlsrc.YamlSyntaxError) as err:
        yamlsrc.parse_yaml("\n".join(rows) + "\n")
    assert err.value.line == 1
