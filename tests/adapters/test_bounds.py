"""Tests for the oracle and human bounds."""

from __future__ import annotations

import pytest
from rouge_score.rouge_scorer import RougeScorer

from bench.adapters import adapters, is_bound
from bench.adapters.base import NotApplicable
from bench.adapters.baselines import Lead
from bench.adapters.bounds import Human, Oracle
from bench.request import Summary
from bench.task import Document, Reference, Task
from bench.text import count_words

A = "Leaders of France and Britain met in Paris on Tuesday to discuss security for Ukraine."
A1 = "The talks lasted six hours."
B = "Leaders of France and Britain met in Paris on Tuesday to discuss Ukraine security."
B1 = "A joint statement was signed by both governments."
C = "The summit produced a declaration on troops."
C1 = "Markets were calm."


def make_task(references: list[str], budget: int = 20) -> Task:
    """A three-document cluster with the given references."""
    texts = [f"{A} {A1}", f"{B} {B1}", f"{C} {C1}"]
    return Task(
        id="cluster",
        title="T",
        documents=[Document(id=f"d{i}", text=t) for i, t in enumerate(texts)],
        instructions="Summarize.",
        budget=budget,
        references=[Reference(id=f"r{i}", text=t) for i, t in enumerate(references)],
    )


REFERENCES = [
    "The summit produced a declaration on troops, and a joint statement was signed.",
    "A declaration on troops was produced; both governments signed a joint statement.",
]


def rouge(summary: str, references: list[str], metrics: tuple[str, ...]) -> float:
    """Mean over references of the summed ROUGE F scores, by the real scorer."""
    scorer = RougeScorer(list(metrics), use_stemmer=True)
    total = 0.0
    for reference in references:
        scores = scorer.score(reference, summary)
        total += sum(scores[m].fmeasure for m in metrics)
    return total / len(references)


def only(summaries: list[Summary]) -> Summary:
    """The single summary of a list."""
    assert len(summaries) == 1
    return summaries[0]


# ------------------------------------------------------------------------------------- oracle


def test_oracle_scores_higher_rouge_than_lead() -> None:
    task = make_task(REFERENCES)
    oracle = only(Oracle().summarize_task(task)).text
    lead = Lead().summarize(task.request()).text
    metrics = ("rouge1", "rouge2")
    assert rouge(oracle, REFERENCES, metrics) > rouge(lead, REFERENCES, metrics) + 0.2


def test_oracle_picks_the_sentences_the_references_restate() -> None:
    assert only(Oracle().summarize_task(make_task(REFERENCES))).text == f"{B1}\n{C}"
    # (source order: B1 is in document 1, C in document 2)


def test_oracle_objective_matches_the_rouge_scorer_for_unigrams() -> None:
    summary = only(Oracle(metric="rouge1").summarize_task(make_task(REFERENCES)))
    expected = rouge(summary.text, REFERENCES, ("rouge1",))
    assert summary.meta["objective"] == pytest.approx(expected, abs=1e-6)


def test_oracle_stops_when_no_sentence_improves_the_score() -> None:
    summary = only(Oracle().summarize_task(make_task(["Markets were calm today."], budget=100)))
    assert summary.text == C1


def test_oracle_skips_near_duplicates() -> None:
    summary = only(Oracle().summarize_task(make_task([f"{A} {B}"], budget=100)))
    assert summary.meta["selected"] == [[0, 0]]


@pytest.mark.parametrize("budget", [1, 4, 8, 15, 16, 30, 1000])
def test_oracle_never_exceeds_the_budget(budget: int) -> None:
    summary = only(Oracle().summarize_task(make_task(REFERENCES, budget)))
    assert 0 < count_words(summary.text) <= budget


def test_oracle_truncates_when_no_sentence_fits() -> None:
    summary = only(Oracle().summarize_task(make_task(REFERENCES, budget=3)))
    assert summary.text == "A joint statement"  # both references say it
    assert summary.meta["truncated"] is True


def test_oracle_needs_references() -> None:
    with pytest.raises(NotApplicable, match=r"^oracle needs references; task cluster has none$"):
        Oracle().summarize_task(make_task([]))


def test_oracle_accepts_other_rouge_n_combinations() -> None:
    oracle = adapters.create("oracle", metric="rouge1+rouge2+rouge3")
    assert isinstance(oracle, Oracle) and oracle.orders == (1, 2, 3)


@pytest.mark.parametrize("metric", ["rougeL", "rouge1+", "bleu", "rouge1+rouge1"])
def test_oracle_rejects_an_unknown_metric(metric: str) -> None:
    with pytest.raises(ValueError, match=r"adapter 'oracle': parameter 'metric' expects"):
        Oracle(metric=metric)


# -------------------------------------------------------------------------------------- human


def test_human_returns_each_reference_marked_with_its_id() -> None:
    summaries = Human().summarize_task(make_task(REFERENCES))
    assert [(s.text, s.reference_id, s.meta) for s in summaries] == [
        (REFERENCES[0], "r0", {"reference": "r0"}),
        (REFERENCES[1], "r1", {"reference": "r1"}),
    ]


def test_human_leaves_its_own_reference_out_of_scoring() -> None:
    task = make_task(REFERENCES)
    for summary in Human().summarize_task(task):
        assert [r.id for r in task.references_for(summary)] == [
            r.id for r in task.references if r.id != summary.reference_id
        ]


@pytest.mark.parametrize("count", [0, 1])
def test_human_needs_at_least_two_references(count: int) -> None:
    expected = rf"^human needs at least 2 references; task cluster has {count}$"
    with pytest.raises(NotApplicable, match=expected):
        Human().summarize_task(make_task(REFERENCES[:count]))


def test_oracle_and_human_are_bounds() -> None:
    assert is_bound(adapters.create("oracle")) and is_bound(adapters.create("human"))
