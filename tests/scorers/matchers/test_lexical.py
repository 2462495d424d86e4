"""The lexical matchers (and the calibrated ones built on them) on hand-made pairs."""

from __future__ import annotations

import pytest

from bench.scorers.matchers import Pair, match_all, matchers
from bench.task import KeyFact

from .pairs import CASES, REFUSES, SIBLINGS, STATES, TROOPS, UNRELATED, decide

LEXICAL_MATCHERS = ["lexical", "calibrated", "calibrated-v2"]


@pytest.mark.parametrize("name", LEXICAL_MATCHERS)
@pytest.mark.parametrize(("fact", "sentences", "present"), CASES)
def test_offline_matchers_credit_statements_not_contradictions(
    name: str, fact: KeyFact, sentences: list[str], present: bool
) -> None:
    decision = decide(matchers.create(name), fact, sentences)
    assert decision.present is present
    assert decision.score is not None
    if present:
        assert decision.evidence in sentences


def test_lexical_evidence_and_score() -> None:
    decision = decide(matchers.create("lexical"), TROOPS, [UNRELATED, STATES])
    assert (decision.evidence, decision.matcher) == (STATES, "lexical-v2")
    assert decision.score == pytest.approx(1.0)
    absent = decide(matchers.create("lexical"), TROOPS, [UNRELATED, REFUSES])
    assert (absent.evidence, absent.score) == ("", 0.0)


def test_lexical_weights_words_the_other_facts_share_less() -> None:
    # "UK" is in two facts and "troops" in two; "Ukraine" only in this one.
    matcher = matchers.create("lexical")
    feats, _ = matcher.features(TROOPS, ["The UK sent troops."], SIBLINGS)
    assert 0.3 < feats["coverage"] < feats["plain_coverage"]


def test_lexical_morphology_and_synonyms() -> None:
    fact = KeyFact(id="f", text="The children were killed when the building fell.")
    sentences = ["A child died as the building had fallen."]
    assert decide(matchers.create("lexical"), fact, sentences).present


def test_lexical_is_fast() -> None:
    import time

    matcher = matchers.create("lexical")
    pairs = [Pair(f, (STATES, REFUSES, UNRELATED), SIBLINGS) for f in SIBLINGS] * 400
    start = time.perf_counter()
    match_all(matcher, pairs)
    assert time.perf_counter() - start < 2.0
