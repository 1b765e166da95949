"""The line-tracking YAML loader: libyaml's parser gives the same values, lines and errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core import yamlsrc
from tests.conftest import ROOT

DATA_FILES = sorted(
    [*(ROOT / "intents").glob("*.yaml"), ROOT / "seeds" / "sections.yaml", ROOT / "config.yaml"]
)


def _shape(value: Any) -> Any:
    """Values with their recorded lines, for comparing two parses."""
    if isinstance(value, yamlsrc.LineDict):
        items = {k: _shape(v) for k, v in value.items()}
        return ("map", value.line, value.key_lines, items)
    if isinstance(value, yamlsrc.LineList):
        return ("list", value.line, value.item_lines, [_shape(v) for v in value])
    return value


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: Path(p).name)
def test_fast_and_pure_loaders_agree_on_shipped_files(path: Path) -> None:
    """Every shipped data file parses to the same values and lines with either parser."""
    text = path.read_text(encoding="utf-8")
    fast = yaml.load(text, Loader=yamlsrc._FastLineLoader)
    pure = yaml.load(text, Loader=yamlsrc._LineLoader)
    assert _shape(fast) == _shape(pure)


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
