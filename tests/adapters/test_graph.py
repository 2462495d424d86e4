"""Tests for the TextRank and LexRank adapters and their graph code."""

from __future__ import annotations

import tracemalloc
from collections import Counter

import numpy as np
import pytest

from bench.adapters import adapters
from bench.adapters._select import sentence_pool
from bench.adapters.base import Summarizer
from bench.adapters.graph import (
    LexRank,
    TextRank,
    content_words,
    pagerank,
    ranking,
    textrank_similarity,
    tfidf_cosine,
)
from bench.request import RequestDocument, SummaryRequest
from bench.text import count_words

HUB = "The summit in Paris agreed troops for Ukraine after a ceasefire."
SPOKES = [
    "Macron hosted the summit.",
    "Paris was cold and rainy.",
    "Troops would come from Britain.",
    "Ukraine welcomed the plan.",
    "A ceasefire remains distant.",
]
ADAPTERS = [TextRank(), LexRank(), LexRank(threshold=0.05)]
IDS = ["textrank", "lexrank", "lexrank-threshold"]


def request(texts: list[str], budget: int = 100) -> SummaryRequest:
    """A request with one document per text."""
    return SummaryRequest(
        task_id="g",
        instructions="Summarize.",
        budget=budget,
        documents=tuple(RequestDocument(id=f"d{i}", text=t) for i, t in enumerate(texts)),
    )


def star(budget: int) -> SummaryRequest:
    """Two documents: the hub sentence (third overall) shares a word with every other one."""
    return request([" ".join(SPOKES[:2]) + " " + HUB, " ".join(SPOKES[2:])], budget)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_the_central_sentence_is_picked_first(adapter: Summarizer) -> None:
    summary = adapter.summarize(star(budget=count_words(HUB)))
    assert summary.text == HUB
    assert summary.meta["selected"] == [[0, 2]]


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_output_is_in_source_order(adapter: Summarizer) -> None:
    summary = adapter.summarize(star(budget=20))
    selected = summary.meta["selected"]
    assert len(selected) > 1 and selected == sorted(selected)
    assert summary.text.split("\n")[0] != HUB


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
@pytest.mark.parametrize("budget", [1, 3, 7, 12, 20, 1000])
def test_output_never_exceeds_the_budget(adapter: Summarizer, budget: int) -> None:
    assert 0 < count_words(adapter.summarize(star(budget)).text) <= budget


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_a_single_sentence_is_returned_whole(adapter: Summarizer) -> None:
    assert adapter.summarize(request(["Only one sentence here."])).text == "Only one sentence here."


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_unrelated_sentences_fall_back_to_source_order(adapter: Summarizer) -> None:
    summary = adapter.summarize(request(["Apples grow. Rivers flow. Kings rule."], budget=2))
    assert summary.text == "Apples grow."


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_near_duplicates_are_skipped(adapter: Summarizer) -> None:
    summary = adapter.summarize(request([HUB, HUB.replace("Paris", "France"), *SPOKES]))
    assert [0, 0] in summary.meta["selected"] and [1, 0] not in summary.meta["selected"]


def test_pagerank_has_no_nan_for_one_sentence() -> None:
    assert pagerank(np.zeros((1, 1))).tolist() == [1.0]


def test_pagerank_is_uniform_on_an_empty_graph() -> None:
    assert np.allclose(pagerank(np.zeros((4, 4))), 0.25)


def test_pagerank_of_no_sentences_is_empty() -> None:
    assert pagerank(np.zeros((0, 0))).shape == (0,)


def test_ranking_breaks_ties_by_position() -> None:
    assert ranking(np.array([0.2, 0.3, 0.2, 0.3])) == [1, 3, 0, 2]


def test_textrank_similarity_of_one_word_sentences_is_finite() -> None:
    similarity = textrank_similarity(sentence_pool(request(["Paris.\nParis.\nLondon."])))
    assert np.isfinite(similarity).all() and similarity[0, 1] == 1.0


def test_similarities_equal_a_direct_dense_computation() -> None:
    """Sparse term matrices, same numbers as the formulas computed sentence pair by pair."""
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(60)]
    texts = [" ".join(rng.choice(words, size=int(rng.integers(1, 12)))) + "." for _ in range(40)]
    pool = sentence_pool(request(["\n".join(texts)]))
    bags = [content_words(s.text) for s in pool]
    n = len(pool)
    textrank = textrank_similarity(pool)
    for i in range(n):
        for j in range(n):
            overlap = len(set(bags[i]) & set(bags[j]))
            denominator = np.log(max(len(bags[i]), 1)) + np.log(max(len(bags[j]), 1))
            assert textrank[i, j] == pytest.approx(
                overlap / denominator if denominator > 0 else overlap, abs=1e-12
            )
    document_frequency = Counter(w for bag in bags for w in set(bag))
    vectors = [
        {w: c * np.log(n / document_frequency[w]) for w, c in Counter(bag).items()} for bag in bags
    ]
    cosine = tfidf_cosine(pool)
    for i in range(n):
        for j in range(n):
            dot = sum(v * vectors[j].get(w, 0.0) for w, v in vectors[i].items())
            norms = np.linalg.norm(list(vectors[i].values())) * np.linalg.norm(
                list(vectors[j].values())
            )
            assert cosine[i, j] == pytest.approx(dot / norms if norms > 0 else 0.0, abs=1e-12)


def test_a_cluster_with_a_large_vocabulary_stays_small() -> None:
    """4,000 sentences over 40,000 word types: dense term matrices would need 1.3 GB."""
    texts = [" ".join(f"w{i}x{k}" for k in range(10)) + " shared." for i in range(4000)]
    pool = sentence_pool(request(["\n".join(texts)]))
    tracemalloc.start()
    similarity = tfidf_cosine(pool)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert similarity.shape == (4000, 4000)
    assert peak < 600 * 2**20  # the 4,000 x 4,000 result is 128 MB


def test_tfidf_cosine_of_a_single_sentence_is_finite() -> None:
    assert np.isfinite(tfidf_cosine(sentence_pool(request(["Just one."])))).all()


def test_lexrank_parses_the_threshold_from_a_string() -> None:
    lexrank = adapters.create("lexrank", threshold="0.1")
    assert isinstance(lexrank, LexRank) and lexrank.threshold == 0.1


@pytest.mark.parametrize("value", ["high", "1.5", "-0.1"])
def test_lexrank_rejects_a_bad_threshold(value: str) -> None:
    with pytest.raises(ValueError, match=r"adapter 'lexrank': parameter 'threshold' expects"):
        adapters.create("lexrank", threshold=value)
