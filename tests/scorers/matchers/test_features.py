"""The v2 lexical features: local windows, shared prefixes, numbers that agree, missing words."""

from __future__ import annotations

import pytest

from bench.scorers.matchers._features import (
    EXTRA_FEATURES,
    extra_features,
    lexical_features_v2,
    prefix_coverage,
    window_coverage,
)
from bench.scorers.matchers.calibrated import LEXICAL_FEATURES, LEXICAL_FEATURES_V2
from bench.task import KeyFact

FACT = KeyFact(id="f", text="Students discovered bacteria on coins.")
SIBLINGS = (FACT, KeyFact(id="g", text="The coins came from Surrey."))


def test_window_coverage_rewards_words_that_sit_together() -> None:
    weights = {"student": 1.0, "discov": 1.0, "bacteria": 1.0, "coin": 1.0}
    together = ["Students discovered bacteria on coins last week."]
    scattered = [
        "Students, who had been told many stories about the strange and unusual "
        "history of the place over the years, discovered coins; bacteria grew later."
    ]
    assert window_coverage(weights, together) == 1.0
    assert window_coverage(weights, scattered) == pytest.approx(0.75)  # "students" is far
    assert window_coverage(weights, []) == 0.0
    assert window_coverage({}, together) == 0.0


def test_prefix_coverage_counts_related_words_of_five_letters_or_more() -> None:
    weights = {"discov": 2.0, "coin": 1.0, "bank": 1.0}
    assert prefix_coverage(weights, frozenset({"discoveri", "coin"})) == pytest.approx(0.75)
    # Short words need the same stem: "bank" and "banner" are not related.
    assert prefix_coverage(weights, frozenset({"banner"})) == 0.0


@pytest.mark.parametrize(
    ("fact", "summary", "found", "missing"),
    [
        ("NATO sent 3,000 troops.", "NATO sent three thousand troops.", 1.0, 0.0),
        ("NATO sent 3,000 troops.", "NATO sent 2,000 troops.", 0.0, 1.0),
        ("NATO sent troops.", "NATO sent 2,000 troops.", 0.0, 0.0),
        ("The list has one for an engineer.", "The list has an engineer.", 0.0, 0.0),
    ],
)
def test_numbers_found_and_missing(fact: str, summary: str, found: float, missing: float) -> None:
    values = extra_features(KeyFact(id="f", text=fact), [summary])
    assert values["numbers_found"] == found
    assert values["numbers_missing_v2"] == missing


def test_missing_words_counts_the_fact_words_the_summary_lacks() -> None:
    values = extra_features(FACT, ["Students found bacteria."], SIBLINGS)
    assert values["missing_words"] == 2.0  # "discovered" and "coins"
    assert extra_features(FACT, [], SIBLINGS)["missing_words"] == 4.0


def test_v2_features_extend_the_v1_features() -> None:
    values, support = lexical_features_v2(
        FACT, ["Hello.", "Students discovered bacteria on coins."], SIBLINGS
    )
    assert set(values) == set(LEXICAL_FEATURES) | set(EXTRA_FEATURES)
    assert set(LEXICAL_FEATURES_V2) <= set(values)
    assert support == [1]
    assert values["window_coverage"] == values["prefix_coverage"] == 1.0
