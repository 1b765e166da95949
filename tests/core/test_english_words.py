"""The common-English word list is read from wordfreq's wheel file exactly as wordfreq reads it."""

from __future__ import annotations

from wordfreq import get_frequency_dict, zipf_to_freq

from bot.core.matching.spelling import ENGLISH_ZIPF, is_english, load_english


def test_the_list_is_wordfreqs_own_down_to_the_floor() -> None:
    """Read straight from the file, the list equals wordfreq's words at or above Zipf 3."""
    floor = zipf_to_freq(ENGLISH_ZIPF)
    expected = {w for w, f in get_frequency_dict("en", wordlist="small").items() if f >= floor}
    assert load_english() == expected
    assert len(expected) > 20_000


def test_common_words_are_english_and_typos_are_not() -> None:
    """ "stock" is a word; "shcok" and "kerry" are not common English."""
    assert is_english("stock") and is_english("telephone")
    assert not is_english("shcok") and not is_english("lavrov")
