"""Calibrated matchers: shipped calibrations, fitting, vetoes, labelled pairs."""

from __future__ import annotations

import pytest

from bench.scorers.matchers import matchers
from bench.scorers.matchers.calibrated import (
    EMBEDDING_FEATURES_V2,
    LEXICAL_FEATURES,
    LEXICAL_FEATURES_V2,
    SHIPPED_V2,
    CalibratedMatcher,
    Calibration,
    fit,
    load_calibrations,
)
from bench.task import KeyFact

from .pairs import COUNT, DENIES, REFUSES, TROOPS, UNRELATED, decide


def test_shipped_calibration_loads_and_names_the_data() -> None:
    found = load_calibrations()
    assert set(found) >= {"calibrated", "calibrated-embed"}
    assert "keyfacts-dev" in found["calibrated"].fitted_on
    assert found["calibrated"].features == LEXICAL_FEATURES


def test_fit_separates_labelled_rows() -> None:
    rows = [{"a": x / 10, "b": 1.0} for x in range(11)]
    labels = [x >= 6 for x in range(11)]
    calibration = fit(rows, labels, ["a", "b"])
    assert [calibration.probability(r) >= calibration.threshold for r in rows] == labels
    assert Calibration.from_dict(calibration.to_dict()) == calibration


def test_calibrated_veto_beats_the_model() -> None:
    always = Calibration(("coverage",), (0.0,), (1.0,), (0.0,), 50.0)
    matcher = CalibratedMatcher(always, "always")
    assert decide(matcher, TROOPS, [UNRELATED]).present
    assert not decide(matcher, TROOPS, [REFUSES]).present
    assert not decide(matcher, COUNT, ["NATO deployed 2,000 troops."]).present


@pytest.mark.parametrize("sentences", [[REFUSES], [DENIES], ["NATO deployed 2,000 troops."]])
def test_calibrated_v2_veto_beats_the_model_and_scores_zero(sentences: list[str]) -> None:
    always = Calibration(("coverage",), (0.0,), (1.0,), (0.0,), 50.0)
    matcher = CalibratedMatcher(always, "always", version=2)
    fact = COUNT if "NATO" in sentences[0] else TROOPS
    found = decide(matcher, fact, sentences)
    assert not found.present and found.score == 0.0
    assert decide(matcher, TROOPS, [UNRELATED]).score == pytest.approx(1.0)


def test_shipped_v2_calibration_loads_with_its_name_in_the_signature() -> None:
    found = load_calibrations(shipped=SHIPPED_V2)
    assert set(found) == {"calibrated-v2", "calibrated-embed-v2"}
    assert found["calibrated-v2"].features == LEXICAL_FEATURES_V2
    assert found["calibrated-embed-v2"].features == LEXICAL_FEATURES_V2 + EMBEDDING_FEATURES_V2
    assert all("keyfacts-dev" in c.fitted_on for c in found.values())
    assert matchers.create("calibrated-v2").name == "calibrated-v2"


LABELLED = [  # (fact, the story's other facts, summary sentences, present): hand-made
    (
        "Dayna Dobias is 19 years old.",
        ["Dayna Dobias has cerebral palsy."],
        ["Dayna Dobias, 19, from Downers Grove, was born with cerebral palsy."],
        True,
    ),
    (
        "The listings include one for a battery engineer.",
        ["Apple posted job listings."],
        ["Apple's job listings include a battery engineer and a cell engineer."],
        True,
    ),
    (
        "The couple won the lottery last year.",
        ["The couple lost their home."],
        ["The couple won the lottery last year, a friend said."],
        True,
    ),
    (
        "Phil Smith forgot his keys.",
        ["Phil Smith died in hospital.", "Phil Smith was 25."],
        ["Phil Smith scaled a fence to get into his flat in Hull."],
        False,
    ),
    (
        "The strike was from 25 yards.",
        ["Bobby Zamora scored a lob."],
        ["Bobby Zamora scored the third goal with a lob from a narrow angle."],
        False,
    ),
]


@pytest.mark.parametrize(("text", "others", "sentences", "present"), LABELLED)
def test_calibrated_v2_on_labelled_pairs(
    text: str, others: list[str], sentences: list[str], present: bool
) -> None:
    fact = KeyFact(id="f", text=text)
    siblings = (fact, *(KeyFact(id=f"o{i}", text=t) for i, t in enumerate(others)))
    found = matchers.create("calibrated-v2").match(fact, sentences, siblings)
    assert found.present is present
    assert found.score is not None and 0.0 <= found.score <= 1.0


def test_calibrated_matchers_are_light_without_embedding_features() -> None:
    assert matchers.create("calibrated").light and matchers.create("calibrated-v2").light
    always = Calibration(("coverage",), (0.0,), (1.0,), (0.0,), 50.0)
    assert not CalibratedMatcher(always, "always", extra=_NoFeatures()).light


class _NoFeatures:
    """A stand-in feature source (the embedding features hold a model)."""

    def features_many(self, pairs: object) -> list[dict[str, float]]:
        return []
