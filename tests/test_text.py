"""Sentence splitting and word budgets."""

from typing import Any

import pytest

from bench.text import (
    SPLITTERS,
    _splitter,
    alphanumeric_words,
    chunks,
    count_words,
    parse_splitter,
    split_sentences,
    truncate_words,
)


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


def _news(count: int, seed: int = 0, quotes: bool = True) -> str:
    import random

    rng = random.Random(seed)
    words = [
        "the",
        "minister",
        "said",
        "on",
        "Monday",
        "that",
        "Mr.",
        "Smith",
        "of",
        "the",
        "U.S.",
        "team",
        "met",
        "at",
        "9",
        "a.m.",
        "in",
    ]
    ends = [".", ".", "?", "!"] + (['."', ".'"] if quotes else [])
    return " ".join(
        " ".join(rng.choice(words) for _ in range(rng.randint(4, 40))).capitalize()
        + rng.choice(ends)
        for _ in range(count)
    )


@pytest.mark.parametrize("splitter", SPLITTERS)
def test_splitting_in_bounded_chunks_equals_splitting_whole(splitter: str) -> None:
    # Sentences up to ~300 characters; chunks of at least twice that. pysbd pairs quotation
    # marks across a whole text, so its text here has none.
    text = _news(300, quotes=splitter != "pysbd")
    split = _splitter(splitter, "en")
    whole = [s.strip() for s in split(text)]
    for limit in (700, 1500, 4000):
        assert [s.strip() for s in chunks(text, split, limit)] == whole


def test_splitting_hands_the_splitter_bounded_chunks_and_linear_work() -> None:
    seen: list[int] = []

    def recording(text: str) -> list[str]:
        seen.append(len(text))
        return _splitter("punkt", "en")(text)

    for text in (_news(2000, seed=1), "word " * 40_000, "x" * 50_000, "a.b. " * 20_000):
        seen.clear()
        chunks(text, recording, 1000)
        assert max(seen) <= 1000
        assert sum(seen) <= 4 * len(text) + 1000  # every chunk moves on by >= 250 characters


def test_a_long_paragraph_without_breaks_keeps_every_character() -> None:
    text = "word " * 3000 + "end. " + "x" * 9000
    sentences = split_sentences(text)
    assert "".join("".join(s.split()) for s in sentences) == "".join(text.split())


def test_pysbd_stays_available_by_name() -> None:
    text = "He said 'no.' Then he left."
    assert split_sentences(text, splitter="pysbd") == [
        s.strip() for s in _splitter("pysbd", "en")(text)
    ]
    with pytest.raises(ValueError, match="must be one of punkt, pysbd"):
        parse_splitter("spacy")


def _plain_punkt() -> Any:
    import punkt
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    model = punkt.load_model("english")
    parameters = PunktParameters()
    parameters.abbrev_types = set(model.abbrev_types)
    parameters.collocations = set(model.collocations)
    parameters.sent_starters = set(model.sent_starters)
    for key, value in model.ortho_context.items():
        parameters.ortho_context[key] = value
    return PunktSentenceTokenizer(parameters)


TRICKY = [
    "Dr. Smith met Mr. Jones at 9 a.m. on Jan. 5. They talked.",
    "The U.S. economy grew 3.5 per cent. Analysts (in N.Y.) were surprised.",
    'He said "no." Then he left... The end! Or not? Yes.',
    "J. R. R. Tolkien wrote it. No. 2 was next. See p. 5. Done.",
]


def test_remembered_punkt_decisions_split_as_plain_punkt(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _plain_punkt()
    remembering = _splitter("punkt", "en").__self__  # type: ignore[attr-defined]
    texts = TRICKY + [_news(40, seed=seed) for seed in range(6)]
    for _ in range(2):  # the second time every decision is remembered
        for text in texts:
            assert remembering.tokenize(text) == plain.tokenize(text)
    assert remembering.decided["Dr. Smith"] is False and remembering.decided["5. They"] is True
    # A full memory starts again rather than growing.
    monkeypatch.setattr("bench.text.DECISIONS", 3)
    remembering.decided.clear()
    for text in texts:
        assert remembering.tokenize(text) == plain.tokenize(text)
        assert len(remembering.decided) <= 3


def test_punkt_splits_as_nltk_sent_tokenize_does_with_the_same_parameters() -> None:
    text = _news(60, seed=3)
    assert split_sentences(text) == _plain_punkt().tokenize(text)
    assert split_sentences("Dr. Smith went home. He was tired.") == [
        "Dr. Smith went home.",
        "He was tired.",
    ]
