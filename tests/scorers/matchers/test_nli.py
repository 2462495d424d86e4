"""The NLI matcher: the support engine's nli backend asked about key facts, on a stand-in
classifier and a tiny random model."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.scorers.matchers import Pair, Undecided, match_all, matchers
from bench.scorers.matchers.nli import NLIMatcher
from bench.support.nli import EntailmentModel, NLIBackend
from tests.support.nli_models import Flags, WordTokenizer, tiny_classifier

from .pairs import DENIES, REFUSES, STATES, TROOPS, UNRELATED, decide


def flag_matcher() -> NLIMatcher:
    pytest.importorskip("torch")
    return NLIMatcher(NLIBackend(EntailmentModel(Flags(), WordTokenizer()), 0.5), "nli-test")


def test_an_entailed_fact_is_present_with_the_entailing_sentence_as_evidence() -> None:
    decision = decide(flag_matcher(), TROOPS, [UNRELATED, STATES])
    assert (decision.present, decision.evidence, decision.matcher) == (True, STATES, "nli-test")
    assert decision.score is not None and decision.score > 0.9


def test_a_contradicted_fact_is_absent() -> None:
    assert not decide(flag_matcher(), TROOPS, [UNRELATED, REFUSES]).present
    # entailed by one sentence, contradicted as strongly by another: a tie is not present
    assert not decide(flag_matcher(), TROOPS, [STATES, DENIES]).present


def test_an_empty_summary_states_no_fact() -> None:
    decision = decide(flag_matcher(), TROOPS, [])
    assert (decision.present, decision.evidence, decision.score) == (False, "", 0.0)


def test_nli_runs_a_tiny_random_classifier(tmp_path: Path) -> None:
    model = tiny_classifier(tmp_path / "model")
    matcher = matchers.create("nli", model=str(model), batch=4)
    assert not matcher.light
    [first, second] = match_all(matcher, [Pair(TROOPS, (STATES, REFUSES)), Pair(TROOPS, ())])
    assert not isinstance(first, Undecided) and not isinstance(second, Undecided)
    assert first.score is not None and 0.0 <= first.score <= 1.0
    assert first.matcher == f"nli-v2:{model}"
    assert (second.present, second.evidence) == (False, "")
