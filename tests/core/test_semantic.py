"""The semantic signal: WordLlama's bundled vectors, the index over examples, the snapshot."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from bot.core.matching.semantic import SemanticIndex, load_vectors, read_half_tensor
from bot.core.text import normalise, tokens

TEXTS = [
    "what does russia gain in return",
    "was the coup in turkey successful",
    "who invented the telephone",
    "kerry and lavrov spoke on the phone",
    "émigrés in moscow 🙂",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_text_embeds_as_wordllama_embeds_it(text: str) -> None:
    """Summing remembered word vectors gives WordLlama's own sentence embedding."""
    import wordllama
    from wordllama import WordLlama

    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    words = tokens(normalise(text))
    expected = model.embed([" ".join(words)], norm=True)[0]
    assert np.allclose(load_vectors().embed(words), expected, atol=2e-3)


def test_no_known_token_gives_no_scores() -> None:
    """A question with no words has no direction, so it is close to nothing."""
    index = SemanticIndex(load_vectors(), [["hello", "there"]], [0])
    assert index.scores(index.question([])) == {}


def test_similar_meaning_scores_above_shared_letters() -> None:
    """A paraphrase sharing no word scores above an unrelated text sharing one."""
    examples = [["the", "failed", "military", "coup"], ["body", "language", "of", "putin"]]
    index = SemanticIndex(load_vectors(), examples, [0, 1])
    scores = index.scores(index.question(tokens("was the putsch a failure")), [0, 1])
    assert scores[0] > scores[1]


def test_the_closest_intents_join_the_candidates() -> None:
    """Asked for the best one, an exact index adds the closest intent to those named."""
    examples = [["olympic", "games"], ["military", "coup"], ["phone", "call"]]
    index = SemanticIndex(load_vectors(), examples, [0, 1, 2])
    scores = index.scores(index.question(tokens("when do the olympics start")), [2], best=1)
    assert set(scores) == {0, 2}


def test_rebuilt_scores_equal_the_exact_ones() -> None:
    """Past the exact limit, candidates' vectors rebuilt from token ids score as when kept."""
    examples = [tokens(normalise(t)) for t in TEXTS * 3]
    owners = [k % 4 for k in range(len(examples))]
    exact = SemanticIndex(load_vectors(), examples, owners)
    rebuilt = SemanticIndex(load_vectors(), examples, owners, exact_limit=2)
    assert exact.exact and not rebuilt.exact
    question = exact.question(tokens("did russia get something back"))
    everyone = exact.scores(question, best=len(examples))
    some = rebuilt.scores(question, [3, 1, 99])
    assert set(some) == {1, 3}
    for rank in some:
        # Half-precision word vectors past the limit: equal to three decimals.
        assert some[rank] == pytest.approx(everyone[rank], abs=1e-3)


def test_the_snapshot_names_the_vectors_instead_of_copying_them() -> None:
    """A pickled index refers to the bundled vectors (a few bytes), and scores the same."""
    index = SemanticIndex(load_vectors(), [tokens("olympic games")], [0])
    data = pickle.dumps(index)
    assert len(data) < 10_000
    copy = pickle.loads(data)
    question = index.question(tokens("rio olympics"))
    assert copy.scores(question, [0]) == index.scores(question, [0]) != {}


def test_the_vector_table_is_read_as_the_safetensors_library_reads_it(tmp_path: Path) -> None:
    """The bundled table read straight from its file equals what safetensors gives; a tensor
    of another type or a file cut short is refused."""
    import wordllama
    from safetensors.numpy import load_file, save_file

    weights = Path(wordllama.__file__).parent / "weights" / "l2_supercat_256.safetensors"
    expected = load_file(weights)["embedding.weight"]
    table = read_half_tensor(weights, "embedding.weight")
    assert table.dtype == np.float16 and np.array_equal(table, expected)
    assert np.array_equal(load_vectors()._table, expected)
    other = tmp_path / "other.safetensors"
    save_file({"t": np.ones((2, 3), dtype=np.float32)}, str(other))
    with pytest.raises(ValueError, match="not a float16 tensor"):
        read_half_tensor(other, "t")
    save_file({"t": np.ones((4, 3), dtype=np.float16)}, str(other))
    other.write_bytes(other.read_bytes()[:-6])
    with pytest.raises(ValueError, match="cut short"):
        read_half_tensor(other, "t")
