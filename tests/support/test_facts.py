"""The support engine's lexical backend for key facts (``claims=facts``), and the key-fact scorer
deciding through it."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from bench.request import Summary
from bench.scorers.keyfacts import KeyFacts
from bench.scorers.matchers import matchers
from bench.support import CONTRADICTED, NOT_MENTIONED, SUPPORTED, Premise, backends
from bench.support.facts import FACTS_THRESHOLD, fact_features, judge_fact
from bench.task import Document, KeyFact, Task, load_tasks
from bench.text import split_sentences
from tests.scorers.matchers.pairs import CASES, REFUSES, SIBLINGS, STATES, TROOPS, UNRELATED

ROOT = Path(__file__).resolve().parents[2]
CONTEXT = [f.text for f in SIBLINGS]


def summary(*sentences: str) -> Premise:
    return Premise.of_sentences(sentences, "summary")


def test_a_stated_fact_is_supported_with_its_sentence_as_evidence() -> None:
    found = judge_fact(summary(UNRELATED, STATES), TROOPS.text, CONTEXT)
    assert found.verdict == SUPPORTED
    assert found.evidence == (1,)
    assert found.score == pytest.approx(1.0)


def test_a_reversed_fact_is_contradicted_and_a_false_number_not_mentioned() -> None:
    refused = judge_fact(summary(UNRELATED, REFUSES), TROOPS.text, CONTEXT)
    assert (refused.verdict, refused.score) == (CONTRADICTED, 0.0)
    assert refused.coverage > FACTS_THRESHOLD  # the words are there; the polarity is not
    count = judge_fact(
        summary("NATO deployed 2,000 troops to Estonia."), "NATO deployed 3,000 troops to Estonia."
    )
    assert (count.verdict, count.score) == (NOT_MENTIONED, 0.0)
    assert "number" in count.reason


def test_the_registry_gives_the_facts_backend_and_refuses_what_does_not_apply() -> None:
    backend = backends.create("lexical", claims="facts")
    assert (backend.name, backend.threshold) == ("lexical-facts-v2", FACTS_THRESHOLD)
    [found] = backend.judge([summary(UNRELATED, STATES)], [TROOPS.text], CONTEXT)
    assert found.by_premise[0].verdict == SUPPORTED
    with pytest.raises(ValueError, match="claims must be 'sentences' or 'facts'"):
        backends.create("lexical", claims="atoms")
    with pytest.raises(ValueError, match="novel and order apply to summary sentences"):
        backends.create("lexical", claims="facts", novel=2)


@pytest.mark.parametrize(("fact", "sentences", "present"), CASES)
def test_the_backend_decides_the_shared_matcher_cases(
    fact: KeyFact, sentences: list[str], present: bool
) -> None:
    backend = backends.create("lexical", claims="facts")
    [found] = backend.judge([summary(*sentences)], [fact.text], CONTEXT)
    assert (found.by_premise[0].verdict == SUPPORTED) is present


def test_keyfacts_on_the_bundled_tasks_equal_the_engine_verdicts() -> None:
    """Every fact the scorer decides with its default matcher (not by curated patterns) is
    present exactly when the engine's backend finds it supported, with the same score."""
    scorer = KeyFacts(patterns="ignore")
    backend = backends.create("lexical", claims="facts")
    tasks = load_tasks(ROOT / "tasks", ROOT / "references")
    compared = 0
    for task in tasks:
        context = [f.text for f in task.keyfacts]
        for reference in task.references:
            scored = scorer.score(task, Summary(text=reference.text))
            sentences = split_sentences(reference.text, task.language)
            judged = backend.judge([summary(*sentences)], context, context)
            for decision, claim in zip(scored.facts, judged, strict=True):
                support = claim.by_premise[0]
                assert decision.present is (support.verdict == SUPPORTED)
                assert decision.score == support.score
                compared += 1
    assert compared > 50


SEEDED = """
from bench.support import Premise
from bench.support.facts import fact_features
from tests.scorers.matchers.pairs import SIBLINGS, STATES, UNRELATED
context = [f.text for f in SIBLINGS]
premise = Premise.of_sentences([UNRELATED, STATES, "Russia condemned the plan in Paris."])
print([fact_features(premise, f.text, context)[0]["coverage"].hex() for f in SIBLINGS])
"""


@pytest.mark.slow  # five interpreters importing sumbench: ~7 s
def test_scores_do_not_depend_on_the_hash_seed() -> None:
    """Weights are summed in word order, never set order (which follows the hash seed)."""
    found = {
        subprocess.run(
            [sys.executable, "-c", SEEDED],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2", "3", "4", "5")
    }
    assert len(found) == 1


def test_weighted_coverage_by_hand() -> None:
    """Words shared by both facts weigh log(3/2.5), words of one fact log(3/1.5) (n = 2 facts);
    the summary holds NATO, deployed and troops but not Estonia."""
    fact = "NATO deployed troops to Estonia."
    premise = summary("NATO deployed troops.", "Paris is pleasant in spring.")
    feats, support = fact_features(premise, fact, [fact, "NATO met in Paris."])
    shared, own = math.log(3 / 2.5), math.log(3 / 1.5)
    assert feats["coverage"] == pytest.approx((shared + 2 * own) / (shared + 3 * own))
    assert feats["sentence_coverage"] == feats["coverage"] and support == [0]
    assert feats["fact_words"] == 4.0 and feats["numbers_missing"] == 0.0


def test_the_matchers_threshold_is_the_one_that_decides() -> None:
    # STATES without "to Ukraine": most of the fact's weight, not all of it
    partial = ["Britain's prime minister said the UK agreed to send troops."]
    lenient, strict = (
        matchers.create("lexical", threshold=0.3),
        matchers.create("lexical", threshold=0.99),
    )
    assert strict.backend.threshold == 0.99 and strict.threshold == 0.99
    assert lenient.match(TROOPS, partial, SIBLINGS).present
    assert not strict.match(TROOPS, partial, SIBLINGS).present
    facts = [TROOPS, *[f for f in SIBLINGS if f is not TROOPS]]
    task = Task(
        id="t",
        title="t",
        documents=[Document(id="d", text=STATES)],
        instructions="Summarize.",
        budget=50,
        keyfacts=facts,
    )
    text = " ".join(partial)
    assert KeyFacts(threshold=0.3).score(task, Summary(text=text)).facts[0].present
    assert not KeyFacts(threshold=0.99).score(task, Summary(text=text)).facts[0].present


@pytest.mark.parametrize("threshold", [0.0, -0.5, 1.5])
def test_a_threshold_outside_0_1_is_refused(threshold: float) -> None:
    with pytest.raises(ValueError, match=r"threshold must be in \(0, 1\]"):
        matchers.create("lexical", threshold=threshold)
    with pytest.raises(ValueError, match=r"threshold must be in \(0, 1\]"):
        backends.create("lexical", claims="facts", threshold=threshold)
