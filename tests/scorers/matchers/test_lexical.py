"""The lexical matchers (and the calibrated ones built on them) on hand-made pairs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.scorers.matchers import Pair, match_all, matchers
from bench.scorers.matchers.lexical import _contains
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


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from("abc"), max_size=12).map(tuple),
    st.lists(st.sampled_from("abc"), min_size=1, max_size=4).map(tuple),
)
def test_contiguous_match_equals_a_plain_scan(
    haystack: tuple[str, ...], needle: tuple[str, ...]
) -> None:
    """The scan that starts only at the needle's first word finds what a scan of every
    position finds (repeated words, a match at the very end, a needle longer than the text)."""
    plain = any(
        haystack[i : i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1)
    )
    assert _contains(haystack, needle) is plain
