"""Meaning-level similarity of a question to intents' examples, from static word embeddings.

RapidFuzz sees letters: "was the coup successful" and "the failed coup" share one word, "what
language do they speak in syria" shares two with the body-language passage. Word embeddings see
that "successful" is about "failed" and that "language" in a question about Syria is not body
language. The vectors are WordLlama's (256 dimensions, 32k tokens), which ship inside its wheel:
nothing is downloaded at run time.

WordLlama embeds a text as the mean of its tokens' vectors, normalised. Since only the direction
counts, a text's vector is the sum of its words' vectors, each the sum of its tokens'; the words
of the examples and questions are already normalised by ``text.normalise``, so each word is
tokenised once and remembered. This is what lets ten thousand intents be embedded at a first
start in a fraction of a second, where embedding their examples as sentences takes seconds.

Up to ``EXACT_EXAMPLES`` examples, every example's vector is kept and a question is compared with
all of them. Past that (moderators' intents by the thousand), the vectors would not fit the
memory budget: the examples are kept as token ids and only the intents the lexical matcher
already picked are compared, their vectors rebuilt from the ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

Matrix = npt.NDArray[np.float32]
# A text as token ids: a list while building, an array once stored.
TokenIds = Sequence[int] | npt.NDArray[np.int32]
EXACT_EXAMPLES = 20_000
_DIMENSIONS = 256
_WEIGHTS = "l2_supercat_256.safetensors"


class WordVectors:
    """Token vectors and the tokenizer: texts given as normalised words -> unit vectors."""

    def __init__(self, tokenizer: Tokenizer, table: npt.NDArray[np.float16]) -> None:
        self._tokenizer = tokenizer
        self._table = table
        self._ids: dict[str, tuple[int, ...]] = {}

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        # The table is 16 MB and ships with the library: a snapshot names it, never copies it.
        return (load_vectors, ())

    def ids(self, word: str) -> tuple[int, ...]:
        """The token ids of one word, remembered."""
        found = self._ids.get(word)
        if found is None:
            encoded = self._tokenizer.encode(word, add_special_tokens=False).ids
            found = self._ids[word] = tuple(i for i in encoded if 0 <= i < len(self._table))
        return found

    def token_ids(self, words: Iterable[str]) -> list[int]:
        """The token ids of a text's words, in order."""
        return [i for word in words for i in self.ids(word)]

    def embed(self, words: Sequence[str]) -> Matrix:
        """A text's unit vector (all zeros when no word has a token)."""
        vector: Matrix = self.embed_many([self.token_ids(words)])[0]
        return vector

    def embed_many(self, texts: Sequence[TokenIds]) -> Matrix:
        """Unit vectors of many texts given as token ids, one row each."""
        out = np.zeros((len(texts), _DIMENSIONS), dtype=np.float32)
        lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        filled = np.flatnonzero(lengths)
        if filled.size:
            flat = np.concatenate([np.asarray(texts[int(k)], dtype=np.int64) for k in filled])
            starts = np.concatenate(([0], np.cumsum(lengths[filled])[:-1]))
            rows = self._table[flat].astype(np.float32)
            out[filled] = np.add.reduceat(rows, starts, axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out


@lru_cache(maxsize=1)
def load_vectors() -> WordVectors:
    """WordLlama's bundled vectors and tokenizer, read once per process from its package."""
    import wordllama  # a heavy import (safetensors, pydantic): only when vectors are needed
    from wordllama import WordLlama

    folder = Path(wordllama.__file__).parent
    # WordLlama's own look-up of its bundled tokenizer path is broken without a cache folder:
    # point it at the package itself and forbid any download.
    model = WordLlama.load(cache_dir=folder, disable_download=True)
    return WordVectors(model.tokenizer, np.asarray(model.embedding, dtype=np.float16))


class SemanticIndex:
    """Each intent's best cosine similarity to a question, over its examples."""

    def __init__(
        self,
        vectors: WordVectors,
        examples: Sequence[Sequence[str]],
        owners: Sequence[int],
        *,
        exact_limit: int = EXACT_EXAMPLES,
    ) -> None:
        """``examples[k]`` (normalised words) belongs to the intent ranked ``owners[k]``."""
        self._vectors = vectors
        order = np.argsort(np.asarray(owners, dtype=np.int64), kind="stable")
        sorted_owners = np.asarray(owners, dtype=np.int64)[order]
        # Examples grouped by intent: intent r owns rows _starts[k]..; _ranks[k] = r.
        self._ranks, self._starts = np.unique(sorted_owners, return_index=True)
        tokens = [vectors.token_ids(examples[k]) for k in order]
        self.exact = len(tokens) <= exact_limit
        self._matrix: Matrix | None = vectors.embed_many(tokens) if self.exact else None
        self._tokens = None if self.exact else [np.asarray(t, dtype=np.int32) for t in tokens]
        self._position = {int(r): k for k, r in enumerate(self._ranks)}

    def question(self, words: Sequence[str]) -> Matrix:
        """The unit vector of a question's (normalised) words."""
        return self._vectors.embed(words)

    def scores(self, vector: Matrix, candidates: Iterable[int] = ()) -> dict[int, float]:
        """Intent rank -> best cosine (0-1): every intent when exact, else ``candidates``."""
        if not self._starts.size or not vector.any():
            return {}
        if self._matrix is not None:
            best = np.maximum.reduceat(self._matrix @ vector, self._starts)
            return dict(zip(self._ranks.tolist(), np.clip(best, 0.0, 1.0).tolist(), strict=True))
        return self._rebuilt(vector, candidates)

    def _rebuilt(self, vector: Matrix, candidates: Iterable[int]) -> dict[int, float]:
        """Scores of some intents, their example vectors rebuilt from token ids."""
        assert self._tokens is not None
        ranks = [r for r in dict.fromkeys(candidates) if r in self._position]
        if not ranks:
            return {}
        rows: list[TokenIds] = []
        starts: list[int] = []
        for rank in ranks:
            k = self._position[rank]
            end = self._starts[k + 1] if k + 1 < len(self._starts) else len(self._tokens)
            starts.append(len(rows))
            rows.extend(self._tokens[self._starts[k] : end])
        best = np.maximum.reduceat(self._vectors.embed_many(rows) @ vector, starts)
        return dict(zip(ranks, np.clip(best, 0.0, 1.0).tolist(), strict=True))
