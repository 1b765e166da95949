"""The snapshot's plain-data codec: every kind of value comes back as it was, part by part."""

from __future__ import annotations

import io
from array import array
from pathlib import Path
from typing import Any

import msgpack
import numpy as np
import pytest

from bot.config import Config
from bot.core.article import Article
from bot.core.intents import IntentKind
from bot.core.knowledge import Knowledge
from bot.core.loading.fingerprint import contexts
from bot.core.loading.plaindata import (
    DIRECT_BYTES,
    PartWriter,
    PlainDataError,
    dumps,
    loads,
    read_parts,
)
from bot.core.loading.snapshot import read_snapshot
from bot.core.matching.index import PackedTexts
from bot.errors import Problem

VALUES: list[Any] = [
    (),
    (1, "a", None, 2.5),
    ((1, 2), (3,)),  # a tuple headed by a tuple
    [(1, 2), [3]],  # a list headed by a tuple stays a list
    [[], [[]], ""],
    {(1, "x"): "tuple key", "nested": {"s": {1, 2}, "f": frozenset({"a"})}},
    set(),
    frozenset(),
    1 << 200,
    -(1 << 70),
    (1 << 64) - 1,
    IntentKind.ANSWER,
    array("I", [1, 2, 3]),
    array("q"),
    Problem("a.yaml", 3, "x.examples", "same example"),
    b"\x00bytes",
]


def same(found: object, expected: object) -> bool:
    """Equal, with numpy arrays compared by dtype, shape and contents."""
    if isinstance(expected, np.ndarray):
        return (
            isinstance(found, np.ndarray)
            and found.dtype == expected.dtype
            and np.array_equal(found, expected)
        )
    return type(found) is type(expected) and found == expected


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:30] for v in VALUES])
def test_a_value_comes_back_as_it_was(value: object) -> None:
    """Tuples, sets, big integers, enums, arrays and listed objects keep their types."""
    assert same(loads(dumps(value)), value)


@pytest.mark.parametrize(
    "value",
    [np.arange(6, dtype=np.float16).reshape(2, 3), np.zeros(0, dtype=np.int32), np.eye(3)[:, 1]],
    ids=["2d-half", "empty", "not-contiguous"],
)
def test_a_numpy_array_comes_back_as_it_was(value: np.ndarray[Any, Any]) -> None:
    """An array comes back with its dtype and shape, and can be written to."""
    back = loads(dumps(value))
    assert same(back, value) and back.flags.writeable


@pytest.mark.parametrize(
    "texts",
    [[], [""], ["a b", "", "c"], [f"text {n}" if n % 4095 else "" for n in range(10_000)]],
    ids=["none", "one-empty", "few", "several-pieces"],
)
def test_packed_texts_come_back_as_a_list(texts: list[str]) -> None:
    """A PackedTexts is written as a few joined strings (by dumps, or piece by piece by a
    PartWriter) and read back as the plain list of texts, empty texts included."""
    assert loads(dumps(PackedTexts(texts))) == texts
    stream = io.BytesIO()
    PartWriter(stream).write(("texts", PackedTexts(texts)))
    assert loads(stream.getvalue()) == ("texts", texts)


@pytest.mark.parametrize(
    "data",
    [
        msgpack.packb(msgpack.ExtType(99, b"")),  # no such tag
        msgpack.packb([msgpack.ExtType(1, b"\x90")]),  # a tag with a payload: the old format
        msgpack.packb([msgpack.ExtType(6, b""), "Planted", {}]),  # a class not listed
        msgpack.packb([msgpack.ExtType(4, b""), "|O", [1], b"\x00" * 8]),  # object array
        msgpack.packb([msgpack.ExtType(9, b""), 3, "a\nb"]),  # texts: two of three
    ],
    ids=["unknown-tag", "tag-with-payload", "unlisted-class", "object-array", "texts-short"],
)
def test_what_the_codec_does_not_write_is_refused(data: bytes) -> None:
    """An unknown tag, a payload, an unlisted class, an object array or a list of texts
    short of its count is PlainDataError."""
    with pytest.raises(PlainDataError):
        loads(data)


def test_parts_written_one_by_one_read_back_in_order() -> None:
    """Values appended by one PartWriter come back one by one and as ``dumps`` would give them:
    a big array inside an object, a big text, a long list packed whole, many small items."""
    big = np.arange(100_000, dtype=np.int32)
    values: list[Any] = [
        ("header", 1),
        ("array in a tuple", (big, array("q", range(20_000)))),
        ["é" * 70_000, "x" * (DIRECT_BYTES + 1), ""],
        {"long": ["x" * 100] * 20_000, "many": {str(n): (n, "y" * 30_000) for n in range(60)}},
        3,
    ]
    stream = io.BytesIO()
    parts = PartWriter(stream)
    for value in values:
        parts.write(value)
    stream.seek(0)
    back = list(read_parts(stream))
    assert len(back) == len(values)
    for found, value in zip(back, values, strict=True):
        assert equal_state(found, value) == []
        assert equal_state(found, loads(dumps(value))) == []


def equal_state(found: object, expected: object, where: str = "") -> list[str]:
    """Where two objects' states differ (attribute by attribute, arrays by content)."""
    if isinstance(expected, (np.ndarray, array)):
        return [] if same(found, expected) else [where]
    if isinstance(expected, dict):
        if not isinstance(found, dict) or found.keys() != expected.keys():
            return [where]
        return [d for k in expected for d in equal_state(found[k], expected[k], f"{where}.{k}")]
    if isinstance(expected, (list, tuple)) and not isinstance(expected, str):
        if type(found) is not type(expected) or len(found) != len(expected):
            return [where]
        pairs = zip(found, expected, strict=True)
        return [d for n, (f, e) in enumerate(pairs) for d in equal_state(f, e, f"{where}[{n}]")]
    if hasattr(expected, "__dict__") and not isinstance(expected, type):
        if type(found) is not type(expected):
            return [where]
        return equal_state(vars(found), vars(expected), where)
    return [] if found == expected else [where]


def test_a_snapshot_written_part_by_part_reads_back_equal(
    config: Config, article: Article, tmp_path: Path
) -> None:
    """The snapshot a load writes holds its files, set and matcher: read back, each is equal
    to what was built, the matcher attribute by attribute."""
    cache = tmp_path / "snapshot"
    built = Knowledge(article, config.intents, config.matching, config.dialogue, snapshot=cache)
    assert built.snapshot_written(timeout=60)
    wanted = contexts(article, config.matching)
    back = read_snapshot(cache, wanted.files, whole=wanted.whole)
    assert back is not None and back.matcher is not None
    assert back.listing == built.listing
    assert [back.files[name][0] for name, _ in back.listing] == [s for _, s in built.listing]
    assert back.intents == built.intents
    # Memos are written empty; the examples are written packed and read back as the list.
    expected = {**vars(built.engine.matcher), "_shown": {}}
    assert equal_state(vars(back.matcher), expected) == []
