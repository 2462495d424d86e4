"""The stats scorer: lengths, compression, Newsroom fragments, novel bigrams."""

from __future__ import annotations

import random
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.request import Summary
from bench.scorers._tokens import TokenizerWarning
from bench.scorers.base import scorers
from bench.scorers.extractive import (
    Fragment,
    Stats,
    coverage_density,
    fragments,
    novel_bigram_share,
)
from bench.task import Document, Task

DOCUMENT = "The storm hit the coast on Monday and power failed across the region."


def make_task(*texts: str) -> Task:
    return Task(
        id="t1",
        title="Test task",
        documents=[Document(id=f"d{i}", text=t) for i, t in enumerate(texts)],
        instructions="Summarize.",
        budget=50,
    )


def stats(summary: str, *documents: str) -> dict[str, float]:
    return Stats().score(make_task(*(documents or (DOCUMENT,))), Summary(text=summary)).values


def test_contiguous_copy_has_coverage_one_and_density_its_length() -> None:
    values = stats("Power failed across the region.")
    assert (values["coverage"], values["density"], values["novel_bigrams"]) == (1.0, 5.0, 0.0)


def test_no_shared_words() -> None:
    values = stats("Markets rallied sharply today.")
    assert (values["coverage"], values["density"], values["novel_bigrams"]) == (0.0, 0.0, 1.0)


def test_hand_computed_fragments() -> None:
    # the storm hit | hard | on monday and power failed
    summary = "The storm hit hard on Monday and power failed."
    values = stats(summary)
    assert values["coverage"] == 8 / 9
    assert values["density"] == (3 * 3 + 5 * 5) / 9
    assert values["novel_bigrams"] == 2 / 8  # (hit, hard), (hard, on)
    assert values["words"] == 9.0
    assert values["sentences"] == 1.0


def test_fragments_skip_like_the_paper() -> None:
    # After matching "a a" at 0 the search resumes at 2, so "a a b" at 1 is never tried.
    assert fragments(list("aab"), list("aaab")) == [Fragment(0, 0, 2), Fragment(2, 3, 1)]
    assert fragments(list("baa"), list("abacbaa")) == [Fragment(0, 4, 3)]


def test_fragments_do_not_cross_documents() -> None:
    values = stats("Storm hit the coast.", "The storm hit", "the coast flooded")
    assert (values["coverage"], values["density"]) == (1.0, 2.0)
    assert values["novel_bigrams"] == 1 / 3  # (hit, the) spans the two documents


def test_compression_counts_words_of_all_documents() -> None:
    assert stats("Storm hit the coast.")["compression"] == 13 / 4
    assert stats("Storm hit the coast.", DOCUMENT, "Power is back.")["compression"] == 16 / 4


def test_empty_summary_is_all_zero() -> None:
    values = stats("")
    assert set(values) == {m.name for m in Stats().metrics()}
    assert all(v == 0.0 for v in values.values())


def test_summary_without_latin_tokens() -> None:
    with pytest.warns(TokenizerWarning, match=r"stats: task 't1'.*dropped \d+% .*the summary"):
        values = stats("Шторм обрушился на побережье.")
    assert values["words"] == 4.0
    assert values["compression"] == 13 / 4
    assert (values["coverage"], values["density"], values["novel_bigrams"]) == (0.0, 0.0, 0.0)


def test_tokenizer_warning_once_per_task_and_never_for_latin_text() -> None:
    scorer = Stats()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scorer.score(make_task(DOCUMENT), Summary(text="Résumé: the storm hit the coast."))
    with pytest.warns(TokenizerWarning, match="document 'd0'") as caught:
        for _ in range(3):
            scorer.score(make_task("Шторм обрушился на побережье."), Summary(text="Storm."))
    assert len(caught) == 1


def test_novel_bigrams_under_two_tokens() -> None:
    assert novel_bigram_share(["storm"], [["rain"]]) == 0.0
    assert coverage_density([], ["storm"]) == (0.0, 0.0)


def test_metrics_signature_requires() -> None:
    scorer = scorers.create("stats")
    assert isinstance(scorer, Stats)
    assert scorer.signature() == "stats:v1|tok:default|split:punkt"
    assert scorer.requires == frozenset({"documents"})
    shown = [(m.name, m.label, m.higher_is_better, m.scale, m.digits) for m in scorer.metrics()]
    assert shown == [
        ("words", "Words", None, 1, 0),
        ("sentences", "Sents", None, 1, 1),
        ("compression", "Compr.", None, 1, 1),
        ("coverage", "Cov.", None, 1, 2),
        ("density", "Dens.", None, 1, 2),
        ("novel_bigrams", "Novel-2", None, 100, 1),
    ]


def paper_fragments(summary: list[str], article: list[str]) -> list[int]:
    """Newsroom Algorithm 1 as a plain linear scan: fragment lengths."""
    lengths: list[int] = []
    i = 0
    while i < len(summary):
        best, j = 0, 0
        while j < len(article):
            if summary[i] == article[j]:
                k = 0
                while i + k < len(summary) and j + k < len(article):
                    if summary[i + k] != article[j + k]:
                        break
                    k += 1
                best = max(best, k)
                j += k
            else:
                j += 1
        if best:
            lengths.append(best)
        i += max(best, 1)
    return lengths


small = st.lists(st.sampled_from("abcd"), max_size=12)


@settings(max_examples=300, deadline=None)
@given(summary=small, article=small)
def test_indexed_fragments_equal_linear_scan(summary: list[str], article: list[str]) -> None:
    assert [f.length for f in fragments(summary, article)] == paper_fragments(summary, article)


def test_long_document_is_fast_enough() -> None:
    rng = random.Random(0)
    vocabulary = [f"w{i}" for i in range(40)] + ["the"] * 20
    article = [rng.choice(vocabulary) for _ in range(3000)]
    summary = article[100:160] + [rng.choice(vocabulary) for _ in range(200)] + article[900:950]
    coverage, density = coverage_density(summary, article)
    assert coverage == 1.0  # every vocabulary word occurs in the article
    assert density >= (60 * 60 + 50 * 50) / len(summary)


def test_unicode_tokenizer_measures_non_latin_summaries() -> None:
    document = "Шторм обрушился на побережье в понедельник. Свет погас по всему региону."
    summary = Summary(text="Шторм обрушился на побережье. Свет погас.")
    scorer = Stats(tokenizer="unicode")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = scorer.score(make_task(document), summary).values
    # Fragments "шторм обрушился на побережье" (4) and "свет погас" (2) cover all 6 tokens.
    assert values["coverage"] == 1.0 and values["density"] == (16 + 4) / 6
    assert values["novel_bigrams"] == 1 / 5  # "побережье свет" is not in the article
    assert scorer.signature() == "stats:v1|tok:unicode|split:punkt"
    with pytest.warns(TokenizerWarning):  # the default tokenizer sees nothing
        assert stats(summary.text, document)["coverage"] == 0.0


def test_one_scorer_reused_across_tasks_equals_a_fresh_scorer_per_item() -> None:
    # stats keeps each task's tokenized sources for its next summaries: reusing one scorer
    # over many tasks (more than it keeps), documents changed under the same id included,
    # gives exactly the values of a fresh scorer per item.
    rng = random.Random(3)
    words = [*DOCUMENT.rstrip(".").split(), "rain", "wind", "crews", "homes", "night"]
    shared = Stats()
    for round_ in range(2):
        for index in range(80):
            text = " ".join(rng.choice(words) for _ in range(30)) + "."
            task = Task(
                id=f"t{index % 70}",
                title="Test task",
                documents=[Document(id="d0", text=text)],
                instructions="Summarize.",
                budget=50,
            )
            summary = Summary(text=" ".join(rng.choice(words) for _ in range(8)) + ".")
            reused = shared.score(task, summary).values
            assert reused == Stats().score(task, summary).values, (round_, index)
