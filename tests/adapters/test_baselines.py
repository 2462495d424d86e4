"""Tests for the lead and random baselines, the shared selection rules and the gold firewall."""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path

import pytest

from bench.adapters import adapters
from bench.adapters._select import NEAR_DUPLICATE_JACCARD, jaccard
from bench.adapters.base import GoldSummarizer, Summarizer
from bench.adapters.baselines import Lead, Random
from bench.adapters.bounds import Oracle
from bench.adapters.graph import LexRank, TextRank
from bench.adapters.precomputed import Precomputed
from bench.request import SummaryRequest
from bench.task import Document, KeyFact, Reference, Task, load_tasks
from bench.text import alphanumeric_words, count_words, split_sentences

ROOT = Path(__file__).resolve().parents[2]

A0 = "Leaders of France and Britain met in Paris on Tuesday to discuss security for Ukraine."
A1 = "The talks lasted six hours."
A2 = "Officials said the meeting was productive."
B0 = "Leaders of France and Britain met in Paris on Tuesday to discuss Ukraine security."
B1 = "Weather in Paris was cold."
B2 = "A joint statement was signed by both governments."
C0 = "The summit produced a declaration on troops."
C1 = "Markets were calm."


def make_task(texts: list[str], budget: int = 100, task_id: str = "t1", **gold: object) -> Task:
    """A task with one document per text."""
    docs = [Document(id=f"d{i}", text=text) for i, text in enumerate(texts)]
    return Task.model_validate(
        {
            "id": task_id,
            "title": "T",
            "documents": docs,
            "instructions": "Summarize.",
            "budget": budget,
            **gold,
        }
    )


def cluster(budget: int = 100, task_id: str = "cluster") -> Task:
    """Three documents; the first sentences of the first two nearly repeat each other."""
    return make_task([f"{A0} {A1} {A2}", f"{B0} {B1} {B2}", f"{C0} {C1}"], budget, task_id)


def lines(text: str) -> list[str]:
    """The sentences of a summary (one per line)."""
    return text.split("\n") if text else []


# ---------------------------------------------------------------------------------- selection


def test_near_duplicate_threshold_separates_the_fixture_sentences() -> None:
    a0, b0, c0 = (frozenset(alphanumeric_words(text)) for text in (A0, B0, C0))
    assert jaccard(a0, b0) >= NEAR_DUPLICATE_JACCARD
    assert jaccard(a0, c0) < NEAR_DUPLICATE_JACCARD


@pytest.mark.parametrize("factory", [Lead, Random, TextRank, LexRank], ids=lambda f: f.__name__)
@pytest.mark.parametrize("budget", [1, 2, 3, 5, 9, 14, 20, 40, 1000])
def test_extractive_output_never_exceeds_the_budget(factory: type[Summarizer], budget: int) -> None:
    summary = factory().summarize(cluster(budget).request())
    assert 0 < count_words(summary.text) <= budget
    assert summary.meta["words"] == count_words(summary.text)


@pytest.mark.parametrize("factory", [Lead, Random, TextRank, LexRank], ids=lambda f: f.__name__)
def test_first_sentence_longer_than_the_budget_is_truncated(factory: type[Summarizer]) -> None:
    summary = factory().summarize(make_task([A0], budget=4).request())
    assert summary.text == "Leaders of France and"
    assert summary.meta["truncated"] is True


def test_sentences_are_joined_one_per_line() -> None:
    summary = Lead(k=2).summarize(make_task([f"{A0} {A1}"]).request())
    assert summary.text == f"{A0}\n{A1}"


def test_punctuation_only_fragments_are_never_selected() -> None:
    task = make_task(["He called them 'legitimate targets.'\n\nThen he left the room.\n\n' —"])
    assert split_sentences(task.documents[0].text)[-1] == "' —"
    assert Lead(k=5).summarize(task.request()).meta["selected"] == [[0, 0], [0, 1]]


# --------------------------------------------------------------------------------------- lead


def test_lead_takes_the_first_k_sentences_of_a_single_document() -> None:
    summary = Lead(k=2).summarize(make_task([f"{A0} {A1} {A2}"]).request())
    assert lines(summary.text) == [A0, A1]
    assert summary.meta["selected"] == [[0, 0], [0, 1]]


def test_lead_round_robins_over_a_cluster_skipping_near_duplicates() -> None:
    summary = Lead(k=4).summarize(cluster().request())
    assert lines(summary.text) == [A0, C0, A1, B1]
    assert summary.meta["selected"] == [[0, 0], [2, 0], [0, 1], [1, 1]]


def test_lead_stops_at_the_first_sentence_that_does_not_fit() -> None:
    budget = count_words(A0) + count_words(C0) + count_words(A1) - 1
    summary = Lead(k=10).summarize(cluster(budget).request())
    assert lines(summary.text) == [A0, C0]


def test_lead_parses_k_from_a_string() -> None:
    lead = adapters.create("lead", k="5")
    assert isinstance(lead, Lead) and lead.k == 5


@pytest.mark.parametrize("value", ["five", "0", "-1", "2.5", True])
def test_lead_rejects_a_bad_k_naming_adapter_and_parameter(value: object) -> None:
    with pytest.raises(ValueError, match=r"adapter 'lead': parameter 'k' expects an integer"):
        adapters.create("lead", k=value)


# ------------------------------------------------------------------------------------- random


def test_random_is_reproducible_for_the_same_seed() -> None:
    request = cluster(budget=25).request()
    from_text = adapters.create("random", seed="7")
    assert isinstance(from_text, Random)
    assert Random(seed=7).summarize(request) == from_text.summarize(request)


def test_random_differs_for_another_seed() -> None:
    request = cluster(budget=25).request()
    texts = {Random(seed=seed).summarize(request).text for seed in range(5)}
    assert len(texts) > 1


def test_random_does_not_depend_on_task_order() -> None:
    first, second = cluster(25, "first").request(), cluster(25, "second").request()
    forward = Random(seed=3)
    one, two = forward.summarize(first), forward.summarize(second)
    backward = Random(seed=3)
    assert backward.summarize(second) == two
    assert backward.summarize(first) == one


def test_random_differs_between_tasks_with_the_same_documents() -> None:
    texts = {Random().summarize(cluster(25, f"task-{i}").request()).text for i in range(5)}
    assert len(texts) > 1


@pytest.mark.slow
def test_random_is_the_same_whatever_python_hash_seed() -> None:
    script = (
        "import sys; from bench.request import SummaryRequest;"
        "from bench.adapters.baselines import Random;"
        "request = SummaryRequest.model_validate_json(sys.stdin.read());"
        "print(Random(seed=1).summarize(request).meta['selected'])"
    )
    request = cluster(25).request().model_dump_json()
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            input=request,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": hash_seed},
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(outputs) == 1 and outputs != {""}


def test_random_outputs_sentences_in_source_order() -> None:
    selected = Random(seed=2).summarize(cluster(40).request()).meta["selected"]
    assert selected == sorted(selected)


def test_random_stops_after_k_sentences() -> None:
    assert Random(k=1).summarize(cluster(1000).request()).meta["sentences"] == 1


def test_random_fills_the_budget_when_k_is_unset() -> None:
    summary = Random().summarize(cluster(1000).request())
    assert summary.meta["sentences"] == 7  # all 8 sentences but the near-duplicate


def test_random_parses_string_parameters() -> None:
    random = adapters.create("random", seed="4", k="none")
    assert isinstance(random, Random) and (random.seed, random.k) == (4, None)


# ------------------------------------------------------------------------------ gold firewall


@pytest.mark.parametrize(
    "factory", [Lead, Random, TextRank, LexRank, Precomputed], ids=lambda f: f.__name__
)
def test_ordinary_adapters_only_accept_a_summary_request(factory: type[Summarizer]) -> None:
    assert issubclass(factory, Summarizer) and not issubclass(factory, GoldSummarizer)
    assert not hasattr(factory, "summarize_task")
    hints = typing.get_type_hints(factory.summarize)
    assert hints["request"] is SummaryRequest


def test_a_summary_request_carries_no_references_or_key_facts() -> None:
    task = cluster()
    task = task.model_copy(
        update={
            "references": [Reference(id="r1", text="Zanzibar quokkas negotiated the armistice.")],
            "keyfacts": [KeyFact(id="k1", text="Penguins chaired the plenary session.")],
        }
    )
    dumped = task.request().model_dump_json()
    assert "Zanzibar quokkas" not in dumped and "Penguins chaired" not in dumped
    assert not [
        name
        for name in SummaryRequest.model_fields
        if any(word in name.lower() for word in ("reference", "keyfact", "key_fact", "gold"))
    ]


# --------------------------------------------------------------------------- bundled tasks


def _bundled_tasks() -> list[Task]:
    if not (ROOT / "references").is_dir():
        pytest.skip("references/ is missing: the bundled tasks have no gold yet")
    try:
        tasks = load_tasks(ROOT / "tasks")
    except Exception as error:  # any failure means the bundled data is not ready, not a bug here
        pytest.skip(f"bundled tasks do not load: {error}")
    if not tasks:
        pytest.skip("no bundled tasks found")
    return tasks


def test_extractive_adapters_respect_the_budget_on_the_bundled_tasks() -> None:
    for task in _bundled_tasks():
        request = task.request()
        for adapter in (Lead(), Random(), TextRank(), LexRank(), LexRank(threshold=0.1)):
            summary = adapter.summarize(request)
            assert 0 < count_words(summary.text) <= task.budget, (task.id, adapter)
        if task.references:
            (summary,) = Oracle().summarize_task(task)
            assert 0 < count_words(summary.text) <= task.budget, (task.id, "oracle")
