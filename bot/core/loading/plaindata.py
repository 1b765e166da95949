"""Objects to plain data and back (msgpack), for the snapshot: a format that cannot run code.

A pickle names any callable to call while it is read, so whoever can write one runs code as
whoever reads it. This codec writes only msgpack's own types plus a few tagged extensions (tuples,
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
from bot.core.matching.index import CoverageIndex, ExampleIndex, PackedTexts, unpack_texts
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


def dumps(value: object) -> bytes:
    """``value`` as msgpack bytes with this module's extensions."""
    packed: bytes = msgpack.packb(value, default=_default, strict_types=True, use_bin_type=True)
    return packed


def loads(data: bytes) -> Any:
    """The value ``dumps`` wrote; PlainDataError for anything else."""
    try:
        return msgpack.unpackb(data, ext_hook=_ext, strict_map_key=False, raw=False)
    except PlainDataError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, msgpack.UnpackException) as exc:
        raise PlainDataError(str(exc)) from exc


def write_part(stream: IO[bytes], value: object) -> None:
    """Append one value to a stream of values (each one packed on its own, like a pickle)."""
    stream.write(dumps(value))


def read_parts(stream: IO[bytes]) -> Iterator[Any]:
    """The values ``write_part`` appended, one by one, as they are needed."""
    unpacker = msgpack.Unpacker(
        stream, ext_hook=_ext, strict_map_key=False, raw=False, max_buffer_size=1 << 30
    )
    try:
        yield from unpacker
    except PlainDataError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, msgpack.UnpackException) as exc:
        raise PlainDataError(str(exc)) from exc


def _default(value: object) -> msgpack.ExtType:
    if isinstance(value, enum.Enum):
        return _ext_of(_ENUM, [type(value).__name__, value.value])
    if isinstance(value, tuple):
        return _ext_of(_TUPLE, list(value))
    if isinstance(value, frozenset):
        return _ext_of(_FROZENSET, list(value))
    if isinstance(value, set):
        return _ext_of(_SET, list(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return _ext_of(_BIGINT, [value < 0, abs(value).to_bytes((value.bit_length() + 7) // 8)])
    if isinstance(value, np.ndarray) and value.dtype.kind in _NUMPY_KINDS:
        array_bytes = np.ascontiguousarray(value).tobytes()
        return _ext_of(_NDARRAY, [value.dtype.str, list(value.shape), array_bytes])
    if isinstance(value, array):
        return _ext_of(_ARRAY, [value.typecode, value.tobytes()])
    if isinstance(value, WordVectors):
        return msgpack.ExtType(_VECTORS, b"")  # they ship with the library: named, not copied
    if isinstance(value, PackedTexts):
        return _ext_of(_TEXTS, [value.texts.__len__(), "\n".join(value.texts)])
    return _object(value)


def _object(value: object) -> msgpack.ExtType:
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
    return _ext_of(_OBJECT, [name, state])


def _ext_of(code: int, payload: object) -> msgpack.ExtType:
    return msgpack.ExtType(code, dumps(payload))


def _ext(code: int, data: bytes) -> object:
    if code == _VECTORS:
        return load_vectors()
    payload = loads(data)
    builder = _BUILDERS.get(code)
    if builder is None:
        raise PlainDataError(f"unknown extension {code}")
    return builder(payload)


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


def _texts(payload: list[Any]) -> list[str]:
    count, joined = payload
    return unpack_texts((joined, count))


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
    _OBJECT: _instance,
}
