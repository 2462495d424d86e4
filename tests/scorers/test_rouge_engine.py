"""Every ROUGE engine against rouge-score itself: random texts, tricky inputs, ties, batches."""

from __future__ import annotations

import random
import sys
import warnings
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer, scoring, tokenize

from bench.scorers import rouge_engine
from bench.scorers.rouge_engine import (
    ROUGE_TYPES,
    BatchEngine,
    EngineUnavailable,
    EngineWarning,
    RsEngine,
    available_engines,
    lcs,
    make_engine,
    parallel,
    python,
    verify,
)
from bench.scorers.rouge_engine.checks import CHECK_PAIRS
from bench.scorers.rouge_engine.lcs import ReferenceSentences
from bench.scorers.rouge_engine.tokens import Vocabulary, nltk_stemmer

_NO_RS = pytest.mark.skipif(
    "rs" not in available_engines(), reason="rouge-score-rs not installed (extra [fast])"
)
FAST_ENGINES = ["python", pytest.param("rs", marks=_NO_RS)]
_REFERENCE = {
    stem: rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=stem) for stem in (True, False)
}


def expected(target: str, prediction: str, stem: bool) -> dict[str, tuple[float, ...]]:
    """rouge-score's (precision, recall, fmeasure) per type."""
    found = _REFERENCE[stem].score(target, prediction)
    return {t: tuple(found[t]) for t in ROUGE_TYPES}


def engine_for(name: str, stem: bool) -> BatchEngine:
    """A fresh engine, checked against rouge-score first where it is an accelerator."""
    return make_engine(name, use_stemmer=stem)


def got(engine: str, target: str, prediction: str, stem: bool) -> dict[str, tuple[float, ...]]:
    found = engine_for(engine, stem).score(target, prediction)
    return {t: tuple(found[t]) for t in ROUGE_TYPES}


# Few words with stems in common and many repeats, so that LCS ties are frequent.
WORDS = [
    "the",
    "the",
    "a",
    "of",
    "bank",
    "banks",
    "banking",
    "rate",
    "rates",
    "rose",
    "rise",
    "rising",
    "city",
    "cities",
    "storm",
    "floods",
    "flooded",
    "said",
    "says",
    "on",
    "in",
    "4,000",
    "2023",
    "u.s.",
    "Minister",
    "MINISTERS",
    "don't",
    "state-of-the-art",
    "café",
]
SEPARATORS = [" ", " ", " ", ", ", " - ", "\t", "  "]
word = st.sampled_from(WORDS)
sentence = st.builds(
    lambda ws, seps, end: "".join(w + s for w, s in zip(ws, seps, strict=False)).strip() + end,
    st.lists(word, min_size=0, max_size=12),
    st.lists(st.sampled_from(SEPARATORS), min_size=12, max_size=12),
    st.sampled_from([".", "!", "", "?", "..."]),
)
text = st.lists(sentence, min_size=0, max_size=5).flatmap(
    lambda lines: st.sampled_from(["\n", "\n", "\r\n", "\n\n", ". "]).map(lambda s: s.join(lines))
)


@pytest.mark.parametrize("engine", FAST_ENGINES)
@pytest.mark.parametrize("stem", [True, False])
@settings(max_examples=30, deadline=None)
@given(target=text, prediction=text)
def test_random_texts_equal_rouge_score(
    engine: str, stem: bool, target: str, prediction: str
) -> None:
    assert got(engine, target, prediction, stem) == expected(target, prediction, stem)


WALKS = {"pair by pair": (10**9, 10**9), "blocks": (0, 10**9), "blocks, numpy layout": (0, 1)}
"""rougeLsum's two walks (and two layouts), forced by (PAIR_BY_PAIR, NUMPY_FROM)."""


@pytest.mark.parametrize("walk", WALKS)
@settings(max_examples=25, deadline=None)
@given(target=text, prediction=text, stem=st.booleans())
def test_every_union_walk_equals_rouge_score(
    walk: str, target: str, prediction: str, stem: bool
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lcs, "PAIR_BY_PAIR", WALKS[walk][0])
        patch.setattr(lcs, "NUMPY_FROM", WALKS[walk][1])
        assert got("python", target, prediction, stem) == expected(target, prediction, stem)


@pytest.mark.parametrize("engine", FAST_ENGINES)
def test_many_sentences_equal_rouge_score(engine: str) -> None:
    # 12 x 15 sentence pairs: the block walk with the numpy layout, as for long documents.
    rng = random.Random(8)
    for _ in range(3):
        target, prediction = (
            "\n".join(" ".join(rng.choices(WORDS, k=rng.randint(3, 14))) for _ in range(n))
            for n in (12, 15)
        )
        assert got(engine, target, prediction, True) == expected(target, prediction, True)


@pytest.mark.parametrize("engine", FAST_ENGINES)
@settings(max_examples=10, deadline=None)
@given(target=st.text(max_size=60), prediction=st.text(max_size=60), stem=st.booleans())
def test_arbitrary_unicode_equals_rouge_score(
    engine: str, target: str, prediction: str, stem: bool
) -> None:
    assert got(engine, target, prediction, stem) == expected(target, prediction, stem)


@pytest.mark.parametrize("engine", [*FAST_ENGINES, "rouge-score"])
@pytest.mark.parametrize("stem", [True, False])
def test_tricky_inputs_equal_rouge_score(engine: str, stem: bool) -> None:
    # Empty, blank, punctuation only, accents, Cyrillic, Chinese, full-width, Kelvin sign and
    # dotted I (lowercase to ASCII), $1,234,567.89, hyphens, apostrophes, CRLF, tabs, repeats.
    for target, prediction in CHECK_PAIRS:
        for a, b in ((target, prediction), (prediction, target)):
            assert got(engine, a, b, stem) == expected(a, b, stem), (a, b)


def _lcs_length(a: list[str], b: list[str]) -> int:
    """Row-by-row LCS DP in numpy: an independent exact length for long texts."""
    ids = {w: i for i, w in enumerate(dict.fromkeys(a + b))}
    cb = np.array([ids[w] for w in b])
    row = np.zeros(len(b) + 1, dtype=np.int64)
    for w in a:
        diagonal = np.where(cb == ids[w], row[:-1] + 1, 0)
        row[1:] = np.maximum.accumulate(np.maximum(row[1:], diagonal))
    return int(row[-1])


@pytest.mark.parametrize("engine", FAST_ENGINES)
def test_3000_word_single_lines(engine: str) -> None:
    rng = random.Random(5)
    vocabulary = [f"{rng.choice(WORDS)}{rng.randrange(300)}ing" for _ in range(400)]
    words = rng.choices(vocabulary, k=3000)
    target = " ".join(words)
    prediction = ", ".join(w if rng.random() < 0.7 else rng.choice(vocabulary) for w in words)
    found = engine_for(engine, True).score(target, prediction)
    # rouge-score's LCS table would take seconds here: check 1/2 against it, L/Lsum by a DP.
    reference = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    for t, score in reference.score(target, prediction).items():
        assert tuple(found[t]) == tuple(score)
    stemmer = rouge_scorer.tokenizers.DefaultTokenizer(use_stemmer=True)
    a, b = stemmer.tokenize(target), stemmer.tokenize(prediction)
    lcs = _lcs_length(a, b)
    assert 2000 < lcs < 3000
    precision, recall = lcs / len(b), lcs / len(a)
    # With one line on each side the union LCS is a single LCS: rougeLsum equals rougeL.
    for t in ("rougeL", "rougeLsum"):
        assert tuple(found[t]) == (precision, recall, scoring.fmeasure(precision, recall))


def _alternative_union_hits(target: str, prediction: str) -> int:
    """rougeLsum hits with a plain LCS that prefers the *left* cell on ties."""

    def lcs_indices(ref: list[str], can: list[str]) -> list[int]:
        table = rouge_scorer._lcs_table(ref, can)
        i, j, found = len(ref), len(can), []
        while i > 0 and j > 0:
            if ref[i - 1] == can[j - 1]:
                found.append(i - 1)
                i, j = i - 1, j - 1
            elif table[i][j - 1] >= table[i - 1][j]:
                j -= 1
            else:
                i -= 1
        return found

    refs = [tokenize.tokenize(s, None) for s in target.split("\n") if s]
    cans = [tokenize.tokenize(s, None) for s in prediction.split("\n") if s]
    counts = Counter(w for c in cans for w in c)
    union = Counter(r[i] for r in refs for i in set().union(*(lcs_indices(r, c) for c in cans)))
    return sum(min(n, counts[w]) for w, n in union.items())


@pytest.mark.parametrize("engine", FAST_ENGINES)
def test_union_lcs_follows_rouge_score_tie_breaking(engine: str) -> None:
    # "a b" against "b a": two LCS of length 1. rouge-score keeps "a", so the union with
    # "b" (from the second sentence) holds both words; keeping "b" would give one hit.
    target, prediction = "a b", "b a\nb"
    hits = expected(target, prediction, False)["rougeLsum"][1] * 2
    assert hits == 2
    assert _alternative_union_hits(target, prediction) == 1
    assert got(engine, target, prediction, False) == expected(target, prediction, False)
    rng = random.Random(3)
    differs = 0
    for _ in range(300):
        lines = [" ".join(rng.choices("abcd", k=rng.randint(1, 7))) for _ in range(6)]
        target, prediction = "\n".join(lines[:3]), "\n".join(lines[3:])
        want = expected(target, prediction, False)
        differs += _alternative_union_hits(target, prediction) != round(
            want["rougeLsum"][1] * len(target.split())
        )
        assert got(engine, target, prediction, False) == want
    assert differs > 10  # ties matter often on such texts


@pytest.mark.parametrize("engine", FAST_ENGINES)
@pytest.mark.parametrize("stem", [True, False])
def test_score_multi_keeps_the_first_best_target(engine: str, stem: bool) -> None:
    multi = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=stem)
    cases = [
        (["storm coast power outage", "storm"], "storm coast"),  # equal F: the first wins
        (["storm", "storm coast power outage"], "storm coast"),
        (["", "The banks rose.\nRates fell.", "rates fell", "Banks rose."], "Rates fell.\nBanks"),
        ([""], ""),
    ]
    engine_ = engine_for(engine, stem)
    for targets, prediction in cases:
        want = multi.score_multi(targets, prediction)
        found = engine_.score_multi(targets, prediction)
        assert {t: tuple(found[t]) for t in ROUGE_TYPES} == {t: tuple(want[t]) for t in ROUGE_TYPES}
    assert engine_.score_multi_batch([(t, p) for t, p in cases], processes=1) == [
        engine_.score_multi(t, p) for t, p in cases
    ]


@pytest.mark.parametrize("engine", FAST_ENGINES)
def test_parallel_batch_equals_serial(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_CHARS", 0)
    rng = random.Random(11)
    references = ["\n".join(" ".join(rng.choices(WORDS, k=9)) for _ in range(3)) for _ in range(8)]
    pairs = [
        (reference, "\n".join(" ".join(rng.choices(WORDS, k=8)) for _ in range(2)))
        for reference in references
        for _ in range(5)
    ]
    rng.shuffle(pairs)
    scorer = engine_for(engine, True)
    serial = scorer.score_batch(pairs, processes=1)
    assert scorer.score_batch(pairs, processes=2) == serial
    assert serial == [scorer.score(t, p) for t, p in pairs]
    assert [{k: tuple(s[k]) for k in ROUGE_TYPES} for s in serial] == [
        expected(t, p, True) for t, p in pairs
    ]
    one_reference = [(references[0], p) for _, p in pairs]
    assert scorer.score_batch(one_reference, processes=2) == scorer.score_batch(
        one_reference, processes=1
    )
    with pytest.raises(ValueError, match="processes must be at least 1"):
        scorer.score_batch(pairs, processes=0)


def test_engine_subsets_of_types() -> None:
    for types in (("rouge1",), ("rougeLsum",), ("rouge2", "rougeL")):
        found = make_engine("python", types=types).score("The cat sat.\nIt ran.", "The cat ran.")
        assert tuple(found) == types
    with pytest.raises(ValueError, match="ROUGE types must be among"):
        make_engine("python", types=("rouge3",))


def test_make_engine_names_and_auto() -> None:
    assert make_engine("python").name == "python"
    assert make_engine("rouge-score").name == "rouge-score"
    assert make_engine(" Auto ").name == ("rs" if "rs" in available_engines() else "python")
    with pytest.raises(ValueError, match="unknown ROUGE engine 'fast'"):
        make_engine("fast")


def test_auto_skips_an_accelerator_that_differs(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rouge_score_rs")
    real = RsEngine.score_multi

    def off_by_one(self: RsEngine, targets: list[str], prediction: str) -> dict[str, object]:
        found = real(self, targets, prediction)
        return {t: type(s)(s.precision, s.recall, s.fmeasure + 1e-9) for t, s in found.items()}

    monkeypatch.setattr(RsEngine, "score_multi", off_by_one)
    monkeypatch.setattr(rouge_engine, "_verdicts", {})
    assert verify(RsEngine(ROUGE_TYPES, True)) is not None
    with pytest.warns(EngineWarning, match="differs from rouge-score"):
        assert make_engine("auto").name == "python"
    with pytest.raises(EngineUnavailable, match="differs from rouge-score"):
        make_engine("rs")


def test_verify_checks_the_whole_batch_path_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large batch goes to rouge-score-rs whole (its own stemming): that path is verified too."""
    pytest.importorskip("rouge_score_rs")
    engine_ = RsEngine(ROUGE_TYPES, True)
    assert len(engine_.checked_paths()) == 2
    real = RsEngine.checked_paths

    def wrong_batch(self: RsEngine) -> list[object]:
        score, batch = real(self)

        def off(target: str, prediction: str) -> dict[str, object]:
            found = batch(target, prediction)
            return {t: type(s)(s.precision + 1e-9, s.recall, s.fmeasure) for t, s in found.items()}

        return [score, off]

    monkeypatch.setattr(RsEngine, "checked_paths", wrong_batch)
    monkeypatch.setattr(rouge_engine, "_verdicts", {})
    assert "rouge1" in (verify(RsEngine(ROUGE_TYPES, True)) or "")
    monkeypatch.setattr(rouge_engine, "_verdicts", {})
    monkeypatch.setattr(RsEngine, "checked_paths", real)
    assert verify(RsEngine(ROUGE_TYPES, True)) is None


def test_missing_accelerator_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m.startswith("rouge_score_rs")] + ["rouge_score_rs"]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(EngineUnavailable, match=r"pip install 'sumbench\[fast\]'"):
        make_engine("rs")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert make_engine("auto").name == "python"


def test_vocabulary_starts_afresh_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine("python", use_stemmer=False)
    monkeypatch.setattr(python, "MAX_WORDS", 3)  # a new vocabulary for nearly every pair
    for target, prediction in CHECK_PAIRS[4:12]:
        found = engine.score(target, prediction)
        assert {t: tuple(found[t]) for t in ROUGE_TYPES} == expected(target, prediction, False)


def test_tokens_stand_for_rouge_score_tokens_one_to_one() -> None:
    vocabulary = Vocabulary(nltk_stemmer())
    tokenizer = rouge_scorer.tokenizers.DefaultTokenizer(use_stemmer=True)
    pairs: set[tuple[str, str]] = set()
    for text in [t for pair in CHECK_PAIRS for t in pair]:
        found = vocabulary.tokenize(text)
        lines = [tokenizer.tokenize(line) for line in text.split("\n")]
        assert found.lines == tuple(
            "".join(vocabulary.word(w) for w in words) for words in lines if words
        )
        assert found.tokens == "".join(found.lines)
        assert len(found.tokens) == len(tokenizer.tokenize(text))
        pairs.update(zip(found.tokens, tokenizer.tokenize(text), strict=True))
    assert len({c for c, _ in pairs}) == len({w for _, w in pairs}) == len(pairs)


def test_reference_sentences_pad_is_no_token() -> None:
    vocabulary = Vocabulary(None)
    reference = vocabulary.tokenize("a b c\nd a")
    sentences = ReferenceSentences(reference.lines)
    assert sentences.pad not in reference.tokens
    assert sentences.width % 8 == 0
