"""Sentence splitting and word budgets."""

from bench.text import alphanumeric_words, count_words, split_sentences, truncate_words


def test_split_sentences_keeps_abbreviations_together() -> None:
    text = (
        "Sir Keir Starmer met the U.S. envoy at 9 a.m. in Paris. "
        "Moscow controls about 75% of Donetsk."
    )
    assert split_sentences(text) == [
        "Sir Keir Starmer met the U.S. envoy at 9 a.m. in Paris.",
        "Moscow controls about 75% of Donetsk.",
    ]


def test_line_breaks_end_sentences_even_without_punctuation() -> None:
    assert split_sentences("Headline without a period\nBody sentence one. Body two.") == [
        "Headline without a period",
        "Body sentence one.",
        "Body two.",
    ]


def test_split_sentences_of_blank_text_is_empty() -> None:
    assert split_sentences("  \n\n ") == []


def test_unknown_language_falls_back_to_english_rules() -> None:
    assert split_sentences("One. Two.", language="xx") == ["One.", "Two."]


def test_truncate_words_keeps_spacing_and_counts_words() -> None:
    assert truncate_words("a  b\nc d", 3) == "a  b\nc"
    assert truncate_words("a b", 5) == "a b"
    assert truncate_words("a b", 0) == ""
    assert count_words(" a  b\nc ") == 3


def test_splitting_in_many_threads_equals_splitting_in_one() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from conftest import REPO

    from bench.task import load_tasks
    from bench.text import _split_cached

    texts = [d.text for t in load_tasks(REPO / "tasks") for d in t.documents]
    texts += [t + " Extra sentence for variety." for t in texts]
    _split_cached.cache_clear()
    serial = [split_sentences(t) for t in texts]
    for _ in range(3):
        _split_cached.cache_clear()
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert list(pool.map(split_sentences, texts * 2)) == serial * 2


def test_alphanumeric_words_are_lowercased_runs_of_letters_and_digits_of_any_script() -> None:
    assert alphanumeric_words("NATO's 3,000 troops_x") == ["nato", "s", "3", "000", "troops", "x"]
    assert alphanumeric_words("Москва, 2024!") == ["москва", "2024"]
    assert alphanumeric_words(" -- ") == []
