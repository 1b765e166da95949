"""Objects to plain data and back (msgpack), for the snapshot: a format that cannot run code.

A pickle names any callable to call while it is read, so whoever can write one runs code as
whoever reads it. This codec writes only msgpack's own types plus a few tagged lists (tuples,
sets, numpy and ``array`` arrays, big integers) and objects of the classes listed in ``CLASSES``,
as their class name and attribute values. Reading builds exactly those: an unknown name, a
malformed extension or a wrong shape is an error (``PlainDataError``), never a call.
"""

from __future__ import annotations

import dataclasses
import enum
from array import array
from collections.abc import Callable, Iterator
from typing import IO, Any

import msgpack
import numpy as np

from bot.core.intents import Intent, IntentKind, IntentSet
from bot.core.loading.intent_files import Checked
from bot.core.matching.aliases import Aliases
from bot.core.matching.index import CoverageIndex, ExampleIndex, PackedTexts
from bot.core.matching.matcher import Matcher
from bot.core.matching.semantic import SemanticIndex, WordVectors, load_vectors
from bot.core.matching.spelling import Speller
from bot.core.matching.types import MatchSettings, ScanLimits
from bot.errors import Problem

# Classes a snapshot may hold, by the name it is written under. Dataclasses are rebuilt by their
# constructor (their checks and derived fields run again); the others get their state back the
# way pickle would give it (``__setstate__`` or the instance dictionary).
CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        Checked,
        Intent,
        IntentSet,
        Problem,
        MatchSettings,
        ScanLimits,
        Matcher,
        Aliases,
        SemanticIndex,
        ExampleIndex,
        CoverageIndex,
        Speller,
    )
}
ENUMS: dict[str, type[enum.Enum]] = {IntentKind.__name__: IntentKind}
# Fields not written: rebuilt by the constructor from the others.
_DERIVED = {"IntentSet": {"by_id"}}

_TUPLE, _SET, _FROZENSET, _NDARRAY, _ARRAY, _OBJECT, _ENUM, _VECTORS, _TEXTS, _BIGINT = range(1, 11)
_NUMPY_KINDS = set("biuf")


class PlainDataError(ValueError):
    """The data is not what this codec writes."""


class _Tag:
    """What a tag decodes to while its list is read: the kind of value the list stands for."""

    __slots__ = ("code",)

    def __init__(self, code: int) -> None:
        self.code = code


# A value msgpack has no type for is written as a list headed by its tag, an empty extension:
# [tag, ...its parts]. The list is packed in the same pass as everything around it, so a part of
# the snapshot is encoded once, not once more for every tuple or object it is nested in (as an
# extension holding its own encoded bytes would be), and read back without a nested decode.
_TAG_CODES = {code: msgpack.ExtType(code, b"") for code in range(_TUPLE, _BIGINT + 1)}
_TAGS = {code: _Tag(code) for code in _TAG_CODES}


# PartWriter: leaves past DIRECT_BYTES are written from their own memory, not copied into the
# buffer, which is written out whenever it holds more than FLUSH_BYTES. Containers of up to
# _FEW items are walked item by item (objects' states, tuples: a big array may be inside);
# longer ones are packed whole, in C (walking a list of 100,000 items in Python would be slow).
DIRECT_BYTES = 1 << 16
FLUSH_BYTES = 1 << 20
_FEW = 64
# A list of texts (examples by the hundred thousand) is written as pieces of this many texts,
# each joined by newlines (texts hold none): one string apiece, not one string per text.
_TEXTS_PIECE = 4096
# What msgpack packs as it is (a tag is an ExtType).
_NATIVE = frozenset(
    {list, dict, str, bytes, bool, int, float, type(None), memoryview, msgpack.ExtType}
)


def _tagged(code: int, *parts: object) -> list[object]:
    return [_TAG_CODES[code], *parts]


def dumps(value: object) -> bytes:
    """``value`` as msgpack bytes with this module's tags."""
    packed: bytes = msgpack.packb(value, default=_default, strict_types=True, use_bin_type=True)
    return packed


def loads(data: bytes) -> Any:
    """The value ``dumps`` wrote; PlainDataError for anything else."""
    try:
        return msgpack.unpackb(data, **_READING)
    except PlainDataError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, msgpack.UnpackException) as exc:
        raise PlainDataError(str(exc)) from exc


class PartWriter:
    """Appends values to a stream one by one, like pickles, each read back by ``read_parts``.

    A value is packed as it is walked: a container of a few items (an object's state, a
    tuple) item by item, a big array or text written straight from its own memory, and what
    is packed written out once it passes ``FLUSH_BYTES``. Packing a whole value at once would
    hold all its bytes, in a buffer grown by doubling, while it is written (megabytes at 10k
    intents). The bytes are msgpack either way: the reader cannot tell.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._packer = msgpack.Packer(
            default=_default, strict_types=True, use_bin_type=True, autoreset=False
        )

    def write(self, value: object) -> None:
        """Append ``value``."""
        self._put(value)
        self._flush()

    def _put(self, value: object) -> None:
        if type(value) is PackedTexts:  # as _default lists it, each piece joined when written
            texts = value.texts
            starts = range(0, len(texts), _TEXTS_PIECE)
            self._packer.pack_array_header(2 + len(starts))
            self._packer.pack(_TAG_CODES[_TEXTS])
            self._packer.pack(len(texts))
            for start in starts:
                self._put("\n".join(texts[start : start + _TEXTS_PIECE]))
            return
        if type(value) not in _NATIVE:
            value = _default(value)  # a tuple, set, object or array: its tagged list
        if type(value) is list and len(value) <= _FEW:
            self._packer.pack_array_header(len(value))
            for item in value:
                self._put(item)
        elif type(value) is dict and len(value) <= _FEW:
            self._packer.pack_map_header(len(value))
            for key, item in value.items():
                self._packer.pack(key)
                self._put(item)
        elif type(value) is memoryview and value.nbytes > DIRECT_BYTES:
            self._direct(b"\xc6", value)  # bin 32
        elif type(value) is str and len(value) > DIRECT_BYTES:
            self._direct(b"\xdb", memoryview(value.encode()))  # str 32
        else:
            self._packer.pack(value)
            with self._packer.getbuffer() as packed:
                full = len(packed) > FLUSH_BYTES
            if full:
                self._flush()

    def _direct(self, marker: bytes, data: memoryview) -> None:
        self._flush()
        self._stream.write(marker + data.nbytes.to_bytes(4, "big"))
        self._stream.write(data)

    def _flush(self) -> None:
        with self._packer.getbuffer() as packed:
            self._stream.write(packed)
        self._packer.reset()


def read_parts(stream: IO[bytes]) -> Iterator[Any]:
    """The values ``write_part`` appended, one by one, as they are needed."""
    unpacker = msgpack.Unpacker(stream, max_buffer_size=1 << 30, **_READING)
    try:
        yield from unpacker
    except PlainDataError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, msgpack.UnpackException) as exc:
        raise PlainDataError(str(exc)) from exc


def _default(value: object) -> list[object]:
    if isinstance(value, enum.Enum):
        return _tagged(_ENUM, type(value).__name__, value.value)
    if isinstance(value, tuple):
        return _tagged(_TUPLE, *value)
    if isinstance(value, frozenset):
        return _tagged(_FROZENSET, *value)
    if isinstance(value, set):
        return _tagged(_SET, *value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _tagged(_BIGINT, value < 0, abs(value).to_bytes((value.bit_length() + 7) // 8))
    if isinstance(value, np.ndarray) and value.dtype.kind in _NUMPY_KINDS:
        data = np.ascontiguousarray(value).data.cast("B")  # packed without a copy
        return _tagged(_NDARRAY, value.dtype.str, list(value.shape), data)
    if isinstance(value, array):
        return _tagged(_ARRAY, value.typecode, memoryview(value).cast("B"))
    if isinstance(value, WordVectors):
        return _tagged(_VECTORS)  # they ship with the library: named, not copied
    if isinstance(value, PackedTexts):
        texts = value.texts
        pieces = (
            "\n".join(texts[n : n + _TEXTS_PIECE]) for n in range(0, len(texts), _TEXTS_PIECE)
        )
        return _tagged(_TEXTS, len(texts), *pieces)
    return _object(value)


def _object(value: object) -> list[object]:
    name = type(value).__name__
    if CLASSES.get(name) is not type(value):
        raise TypeError(f"cannot write {type(value).__qualname__} as plain data")
    if dataclasses.is_dataclass(value):
        skip = _DERIVED.get(name, set())
        state = {
            f.name: getattr(value, f.name)
            for f in dataclasses.fields(value)
            if f.init and f.name not in skip
        }
    else:
        getstate = getattr(value, "__getstate__", None)
        state = getstate() if getstate is not None else vars(value)
    return _tagged(_OBJECT, name, state)


def _ext(code: int, data: bytes) -> _Tag:
    tag = _TAGS.get(code)
    if tag is None or data:
        raise PlainDataError(f"unknown extension {code}")
    return tag


def _list(items: list[Any]) -> object:
    # Lists are read inside out: a tagged list's parts are already values when it is built.
    if not items or type(items[0]) is not _Tag:
        return items
    return _BUILDERS[items[0].code](items[1:])


def _enum(payload: list[Any]) -> enum.Enum:
    name, value = payload
    return ENUMS[name](value)


def _bigint(payload: list[Any]) -> int:
    negative, magnitude = payload
    number = int.from_bytes(magnitude)
    return -number if negative else number


def _ndarray(payload: list[Any]) -> np.ndarray[Any, Any]:
    dtype_name, shape, data = payload
    dtype = np.dtype(dtype_name)
    if dtype.kind not in _NUMPY_KINDS:
        raise PlainDataError(f"array of {dtype_name} is not plain data")
    return np.frombuffer(bytearray(data), dtype=dtype).reshape(shape)


def _array(payload: list[Any]) -> array[Any]:
    typecode, data = payload
    if typecode not in "bBhHiIlLqQfd":
        raise PlainDataError(f"array type {typecode!r} is not plain data")
    found = array(typecode)
    found.frombytes(data)
    return found


def _vectors(payload: list[Any]) -> WordVectors:
    if payload:
        raise PlainDataError("the word vectors are named, never written")
    return load_vectors()


def _texts(payload: list[Any]) -> list[str]:
    count, *pieces = payload
    texts = [text for piece in pieces for text in piece.split("\n")]
    if len(texts) != count:
        raise PlainDataError(f"{count} texts expected, {len(texts)} found")
    return texts


def _instance(payload: list[Any]) -> object:
    name, state = payload
    cls = CLASSES.get(name)
    if cls is None or not isinstance(state, dict):
        raise PlainDataError(f"{name!r} is not a class a snapshot may hold")
    if dataclasses.is_dataclass(cls):
        return cls(**state)
    value: Any = object.__new__(cls)
    setstate = getattr(value, "__setstate__", None)
    if setstate is not None:
        setstate(state)
    else:
        value.__dict__.update(state)
    return value


_BUILDERS: dict[int, Callable[[Any], object]] = {
    _TUPLE: tuple,
    _SET: set,
    _FROZENSET: frozenset,
    _ENUM: _enum,
    _BIGINT: _bigint,
    _NDARRAY: _ndarray,
    _ARRAY: _array,
    _TEXTS: _texts,
    _VECTORS: _vectors,
    _OBJECT: _instance,
}
_READING: dict[str, Any] = {
    "ext_hook": _ext,
    "list_hook": _list,
    "strict_map_key": False,
    "raw": False,
}
