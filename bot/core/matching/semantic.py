"""Meaning-level similarity of a question to intents' examples, from static word embeddings.

RapidFuzz sees letters: "was the coup successful" and "the failed coup" share one word, "what
language do they speak in syria" shares two with the body-language passage. Word embeddings see
that "successful" is about "failed" and that "language" in a question about Syria is not body
language. The vectors are WordLlama's (256 dimensions, 32k tokens), which ship inside its wheel:
nothing is downloaded at run time.

WordLlama embeds a text as the mean of its tokens' vectors, normalised. Only the direction counts,
so a text's vector is the sum of its tokens' vectors; the words of examples and questions are
already normalised by ``text.normalise``, so each word is tokenised once and remembered.

Up to ``EXACT_EXAMPLES`` examples every example's vector is kept and a question is compared with
all of them. Past that (moderators' intents by the thousand) the vectors would not fit the memory
budget: each example keeps its token ids and its vector's length, and only the intents the
lexical matcher ranks first are compared. Their cosines need no vectors: a question's dot product
with a sum of tokens is the sum of its dot products with the tokens.
"""

from __future__ import annotations

import importlib.util
import json
import math
from array import array
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

Matrix = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int64]
EXACT_EXAMPLES = 20_000
_DIMENSIONS = 256
# The files WordLlama's default model ("l2_supercat", 256 dimensions) ships in its wheel.
_WEIGHTS = "l2_supercat_256.safetensors"
_TOKENIZER = "l2_supercat_tokenizer_config.json"
_TENSOR = "embedding.weight"
# Word rows gathered at once while summing texts of one length (bounds the temporary array:
# 4,096 rows of 256 floats, 4 MB; the texts are summed the same way in any grouping).
_ROWS = 4096


class WordVectors:
    """Token vectors and the tokenizer: words -> vectors, texts -> unit vectors."""

    def __init__(self, tokenizer: Tokenizer, table: npt.NDArray[np.float16]) -> None:
        self._tokenizer = tokenizer
        self._table = table
        self._ids: dict[str, list[int]] = {}

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        # The table ships with the library: a snapshot names it, never copies it.
        return (load_vectors, ())

    def ids(self, word: str) -> list[int]:
        """The token ids of one word, remembered."""
        found = self._ids.get(word)
        if found is None:
            encoded = self._tokenizer.encode(word, add_special_tokens=False).ids
            found = self._ids[word] = [i for i in encoded if 0 <= i < len(self._table)]
        return found

    def embed(self, words: Sequence[str]) -> Matrix:
        """A text's unit vector (all zeros when no word has a token)."""
        ids = [i for word in words for i in self.ids(word)]
        total = self._table[ids].sum(axis=0, dtype=np.float32).reshape(1, -1)
        vector: Matrix = _unit(total)[0]
        return vector

    def words(self, words: Sequence[str]) -> Matrix:
        """Each word's vector (the sum of its tokens'), one row per word."""
        ids = [self.ids(w) for w in words]
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter((i for t in ids for i in t), dtype=np.int64, count=int(lengths.sum()))
        return grouped_sums(self._table, flat, lengths)


def grouped_sums(
    rows: npt.NDArray[Any],
    flat: npt.NDArray[np.integer[Any]],
    lengths: Ints,
    *,
    norms: bool = False,
) -> Matrix:
    """Sums of ``rows`` by groups: group k is the next ``lengths[k]`` indices of ``flat``
    (with ``norms``, only each sum's length, one column: all the sums would not fit in memory).

    Groups of one length are summed together, as a (groups x length) array of indices: no
    padding, and only a few dozen array operations for any number of texts.
    """
    out = np.zeros((len(lengths), 1 if norms else rows.shape[1]), dtype=np.float32)
    offsets = np.cumsum(lengths) - lengths
    for length in np.unique(lengths[lengths > 0]).tolist():
        group = np.flatnonzero(lengths == length)
        for part in np.array_split(group, 1 + len(group) // max(1, _ROWS // length)):
            where = offsets[part][:, None] + np.arange(length)
            sums = rows[flat[where]].sum(axis=1, dtype=np.float32)
            out[part] = np.linalg.norm(sums, axis=1, keepdims=True) if norms else sums
    return out


def _unit(rows: Matrix) -> Matrix:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    np.divide(rows, norms, out=rows, where=norms > 0)
    return rows


@lru_cache(maxsize=1)
def load_vectors() -> WordVectors:
    """WordLlama's bundled vectors and tokenizer, read once per process from its package.

    The two files are read without importing the library itself: its import pulls in
    pydantic, an HTTP client and the Hub client (memory and time at every start) for what is a
    lookup. The tokenizer is read as ``WordLlama.load`` reads it (``Tokenizer.from_file``).
    """
    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("wordllama is not installed (pip install wordllama)")
    folder = Path(spec.origin).parent
    tokenizer = Tokenizer.from_file(str(folder / "tokenizers" / _TOKENIZER))
    return WordVectors(tokenizer, read_half_tensor(folder / "weights" / _WEIGHTS, _TENSOR))


def read_half_tensor(path: Path, name: str) -> npt.NDArray[np.float16]:
    """One float16 tensor of a safetensors file, read straight into its array.

    The format is an 8-byte little-endian header size, a JSON header giving each tensor's
    dtype, shape and byte range after the header, then the bytes. The safetensors library
    reads the bytes and then copies them into the array: twice the table at once, at start.
    """
    with path.open("rb") as file:
        size = int.from_bytes(file.read(8), "little")
        entry = json.loads(file.read(size))[name]
        start, end = entry["data_offsets"]
        shape = tuple(entry["shape"])
        if entry["dtype"] != "F16" or end - start != 2 * math.prod(shape):
            raise ValueError(f"{path}: {name} is not a float16 tensor of shape {shape}")
        file.seek(8 + size + start)
        table = np.fromfile(file, dtype="<f2", count=(end - start) // 2)
    if table.size != math.prod(shape):
        raise ValueError(f"{path}: {name} is cut short")
    return table.reshape(shape)


class NumberedWords:
    """Examples as numbers while they are read: each distinct word once, each example a run of
    word numbers. Keeping every example's word list instead held one string per word read."""

    def __init__(self) -> None:
        self.number: dict[str, int] = _Numbering()
        self.flat = array("i")  # word numbers: far fewer than 2**31
        self.lengths = array("q")

    def add(self, words: Sequence[str]) -> None:
        """Number one example's words."""
        self.flat.extend(map(self.number.__getitem__, words))
        self.lengths.append(len(words))


class _Numbering(dict[str, int]):
    """word -> its number, the next one for a word not seen before."""

    def __missing__(self, word: str) -> int:
        number = self[word] = len(self)
        return number


class SemanticIndex:
    """Each intent's best cosine similarity to a question, over its examples."""

    def __init__(
        self,
        vectors: WordVectors,
        examples: NumberedWords | Sequence[Sequence[str]],
        owners: Sequence[int],
        *,
        exact_limit: int = EXACT_EXAMPLES,
    ) -> None:
        """Example ``k`` (normalised words) belongs to the intent ranked ``owners[k]``."""
        self._vectors = vectors
        if not isinstance(examples, NumberedWords):
            numbered = NumberedWords()
            for example in examples:
                numbered.add(example)
            examples = numbered
        ranks = np.asarray(owners, dtype=np.int64)
        order = np.argsort(ranks, kind="stable")
        # Examples grouped by intent: the intent ranked _ranks[k] owns examples _first[k]..
        self._ranks, self._first = np.unique(ranks[order], return_index=True)
        self._position = {int(r): k for k, r in enumerate(self._ranks.tolist())}
        self._last = np.append(self._first[1:], len(order))
        # Each distinct word once: its vector is a row of ``words``; examples in intent order.
        read_lengths = np.asarray(examples.lengths, dtype=np.int64)
        read_flat = np.asarray(examples.flat, dtype=np.int32)
        starts = np.cumsum(read_lengths) - read_lengths
        lengths = read_lengths[order]
        flat = read_flat[_ranges(starts[order], lengths)]
        words = vectors.words(list(examples.number))
        self.exact = len(order) <= exact_limit
        self._matrix: Matrix | None = None
        if self.exact:
            self._matrix = _unit(grouped_sums(words, flat, lengths))
            return
        # Past the limit: each example's words and length, word vectors at half precision
        # (made after the lengths, which are measured at full precision).
        self._flat = flat
        self._offsets = np.concatenate(([0], np.cumsum(lengths)))
        self._norms = grouped_sums(words, flat, lengths, norms=True)[:, 0]
        self._norms[self._norms == 0] = 1.0
        self._words = words.astype(np.float16)

    def question(self, words: Sequence[str]) -> Matrix:
        """The unit vector of a question's (normalised) words."""
        return self._vectors.embed(words)

    def scores(
        self, vector: Matrix, candidates: Iterable[int] = (), *, best: int = 0
    ) -> dict[int, float]:
        """Intent rank -> best cosine (0-1) for ``candidates``, plus the ``best`` closest intents
        of all (only when exact: past the limit, no intent is looked at but the candidates)."""
        if not self._first.size or not vector.any():
            return {}
        if self._matrix is None:
            return self._rebuilt(vector, candidates)
        per_intent = np.clip(np.maximum.reduceat(self._matrix @ vector, self._first), 0.0, 1.0)
        wanted = [self._position[r] for r in candidates if r in self._position]
        if 0 < best < len(per_intent):
            wanted += np.argpartition(-per_intent, best)[:best].tolist()
        elif best:
            wanted = list(range(len(per_intent)))
        return {int(self._ranks[k]): float(per_intent[k]) for k in wanted}

    def _rebuilt(self, vector: Matrix, candidates: Iterable[int]) -> dict[int, float]:
        """Scores of some intents from their examples' token ids and vector lengths."""
        ranks = [r for r in dict.fromkeys(candidates) if r in self._position]
        if not ranks:
            return {}
        positions = np.asarray([self._position[r] for r in ranks])
        counts = self._last[positions] - self._first[positions]
        # Every example of those intents, intent after intent, then every token of those.
        examples = _ranges(self._first[positions], counts)
        lengths = self._offsets[examples + 1] - self._offsets[examples]
        words = self._flat[_ranges(self._offsets[examples], lengths)]
        unique, where = np.unique(words, return_inverse=True)
        dots = (self._words[unique].astype(np.float32) @ vector)[where]
        # Per example: the sum of its words' dot products (reduceat needs no empty example).
        sums = np.add.reduceat(np.append(dots, 0.0), np.cumsum(lengths) - lengths)
        cosines = np.where(lengths > 0, sums, 0.0) / self._norms[examples]
        best = np.maximum.reduceat(cosines, np.cumsum(counts) - counts)
        return dict(zip(ranks, np.clip(best, 0.0, 1.0).tolist(), strict=True))


def _ranges(starts: Ints, counts: Ints) -> Ints:
    """``starts[0]..starts[0]+counts[0]-1``, then the next range, ... as one array."""
    steps = np.ones(int(counts.sum()), dtype=np.int64)
    kept = counts > 0
    heads = (np.cumsum(counts) - counts)[kept]
    ends = (starts + counts - 1)[kept]
    steps[heads] = starts[kept] - np.concatenate(([0], ends[:-1]))
    return np.cumsum(steps, out=steps)  # in place: half a million indices at a first start
