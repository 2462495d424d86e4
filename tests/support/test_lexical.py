"""The lexical support backend: claims against a source, with verdict, score and evidence."""

from __future__ import annotations

import pytest

from bench.support import CONTRADICTED, NOT_MENTIONED, SUPPORTED, Premise, backends

SOURCE = (
    "The council met on Tuesday in Leeds. "
    "It approved a budget of 40 million pounds for new schools. "
    "The mayor said the plan would be finished by 2028. "
    "Opposition members voted against the plan."
)


def judge(claim: str, source: str = SOURCE) -> tuple[str, float | None, tuple[int, ...], str]:
    backend = backends.create("lexical")
    [result] = backend.judge([Premise.of_text(source, "d1")], [claim])
    assert not isinstance(result, Exception)
    [support] = result.by_premise
    return support.verdict, support.score, support.evidence, support.reason


def test_paraphrase_of_a_source_sentence_is_supported_with_that_sentence_as_evidence() -> None:
    verdict, score, evidence, _ = judge("The council approved a budget of 40 million pounds.")
    assert verdict == SUPPORTED
    assert score is not None and score >= 0.5
    assert 1 in evidence


def test_a_wrong_number_is_not_supported_and_the_reason_names_it() -> None:
    verdict, _, _, reason = judge("The council approved a budget of 60 million pounds.")
    assert verdict != SUPPORTED
    assert "60" in reason


def test_a_claim_about_something_the_source_never_mentions_is_not_mentioned() -> None:
    verdict, _, _, reason = judge("The council also closed three hospitals.")
    assert verdict == NOT_MENTIONED
    assert "hospit" in reason


def test_a_negated_claim_the_source_states_positively_is_contradicted() -> None:
    verdict, score, evidence, _ = judge("The council did not approve a budget for new schools.")
    assert verdict == CONTRADICTED
    assert score == 0.0
    assert 1 in evidence


def test_an_antonym_of_the_source_verb_is_contradicted() -> None:
    source = "Shares in the company rose sharply on Monday after the results."
    verdict, _, _, reason = judge("Shares in the company fell sharply on Monday.", source)
    assert verdict == CONTRADICTED
    assert "fall" in reason or "rise" in reason


def test_a_claim_spanning_two_source_sentences_is_supported_by_both() -> None:
    verdict, _, evidence, _ = judge("The council met in Leeds and approved a budget for schools.")
    assert verdict == SUPPORTED
    assert set(evidence) == {0, 1}


def test_an_empty_source_supports_nothing() -> None:
    verdict, _, _, reason = judge("The council met.", "")
    assert verdict == NOT_MENTIONED
    assert "empty" in reason


def _judge_with(claim: str, **knobs: str) -> tuple[str, float | None, str]:
    backend = backends.create("lexical", **knobs)
    [result] = backend.judge([Premise.of_text(SOURCE, "d1")], [claim])
    assert not isinstance(result, Exception)
    [support] = result.by_premise
    return support.verdict, support.score, support.reason


def test_novel_knob_tolerates_that_many_words_the_source_never_uses() -> None:
    claim = "The council approved a budget of 40 million pounds for new primary schools."
    assert _judge_with(claim)[0] == NOT_MENTIONED  # "primary" is not in the source
    verdict, score, _ = _judge_with(claim, novel="1", threshold="0.4")
    assert verdict == SUPPORTED and score is not None and 0.4 <= score < 1


def test_order_knob_weighs_word_order_in_the_score() -> None:
    claim = "Members of the opposition voted against the plan."
    strict, loose = _judge_with(claim)[1], _judge_with(claim, order="0")[1]
    assert strict is not None and loose is not None and loose > strict


def test_lexical_knobs_out_of_range_are_named() -> None:
    with pytest.raises(ValueError, match="novel must be 0 or more"):
        backends.create("lexical", novel="-1")
    with pytest.raises(ValueError, match=r"order must be in \[0, 1\]"):
        backends.create("lexical", order="2")


def test_a_copy_of_a_source_sentence_with_two_negations_is_supported() -> None:
    source = "Since then Billy hasn't been seen and he isn't returning any phone calls or texts."
    claim = "since then billy has n't been seen and he is n't returning any phone calls or texts ."
    assert judge(claim, source)[0] == SUPPORTED


def test_a_word_the_source_states_both_ways_is_not_contradicted() -> None:
    source = "Watford will be promoted if they win and Norwich fail to win."
    assert judge("Watford will be promoted if they win.", source)[0] == SUPPORTED
    assert judge("Norwich fail to win.", source)[0] == SUPPORTED


def test_a_plain_claim_the_source_only_denies_is_contradicted() -> None:
    source = "The council refused to approve the budget on Tuesday."
    verdict, _, _, reason = judge("The council approved the budget on Tuesday.", source)
    assert verdict == CONTRADICTED
    assert "opposite" in reason


def test_no_before_a_number_is_a_rank_not_a_negation() -> None:
    source = "He was No 2 under Johnston for three years."
    assert judge("He was under Johnston for three years.", source)[0] == SUPPORTED


def test_a_time_written_with_or_without_a_space_is_the_same() -> None:
    source = "The shop was robbed at around 9pm on Thursday night."
    assert judge("The shop was robbed at around 9 pm on Thursday night.", source)[0] == SUPPORTED
    assert judge("The shop was robbed at around 8 pm on Thursday night.", source)[0] != SUPPORTED


def test_a_fragment_without_content_words_is_not_supported() -> None:
    source = "There was a fire in the town on Sunday."
    verdict, _, _, reason = judge("There was.", source)
    assert verdict == NOT_MENTIONED
    assert "no content words" in reason
