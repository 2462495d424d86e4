"""The keyfacts scorer: pattern decisions, the matcher for other facts, recall and signature."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score.tokenizers import DefaultTokenizer

from bench.request import Summary
from bench.scorers._tokens import TokenizerWarning, tokens
from bench.scorers.base import CannotScore, FactDecision, scorers
from bench.scorers.keyfacts import KeyFacts, LexicalMatcherV1, content_words
from bench.task import Document, KeyFact, Task

SUMMARY = (
    "NATO deployed 3,000 troops to Estonia on Tuesday. The alliance said the move was "
    "defensive. Russia condemned the decision."
)
S1, S2, S3 = (
    "NATO deployed 3,000 troops to Estonia on Tuesday.",
    "The alliance said the move was defensive.",
    "Russia condemned the decision.",
)


def make_task(facts: list[KeyFact]) -> Task:
    return Task(
        id="t1",
        title="Test task",
        documents=[Document(id="d1", text="NATO sent troops to Estonia. Moscow objected.")],
        instructions="Summarize.",
        budget=50,
        keyfacts=facts,
    )


def decide(fact: KeyFact, text: str = SUMMARY, threshold: float = 0.6) -> FactDecision:
    scorer = KeyFacts(matcher="lexical-v1", threshold=threshold)
    [decision] = scorer.score(make_task([fact]), Summary(text=text)).facts
    return decision


def fact(patterns: list[list[str]] | None = None, text: str = "A claim.") -> KeyFact:
    return KeyFact(id="f1", text=text, patterns=patterns)


def test_inflection_matched_through_stemming() -> None:
    decision = decide(fact([["NATO"], ["deploy"], ["Estonia"]]))
    assert decision == FactDecision("f1", 1.0, True, S1, "patterns-v3", 1.0)


def test_paraphrase_matched_through_alternatives() -> None:
    decision = decide(fact([["Russia", "Moscow"], ["criticise", "denounce", "condemn"]]))
    assert decision.present
    assert decision.evidence == S3


def test_multi_word_alternative_must_be_contiguous() -> None:
    pattern = [["prime minister"], ["resign"]]
    assert decide(fact(pattern), "The prime minister resigned on Friday.").present
    absent = decide(fact(pattern), "The minister, in his prime, resigned on Friday.")
    assert (absent.present, absent.evidence) == (False, "")


def test_one_group_unmatched_makes_the_fact_absent() -> None:
    decision = decide(fact([["NATO"], ["Latvia", "Lithuania"]]))
    assert (decision.present, decision.evidence) == (False, "")


def test_cross_sentence_match_gives_both_sentences() -> None:
    decision = decide(fact([["NATO"], ["defensive", "defence"]]))
    assert decision.present
    assert decision.evidence == f"{S1} … {S2}"


def test_single_sentence_preferred_over_several() -> None:
    # "alliance" alone is in S2, but S1 holds both groups.
    decision = decide(fact([["NATO", "alliance"], ["troops"]]))
    assert decision.evidence == S1


def test_evidence_uses_fewest_sentences_in_summary_order() -> None:
    patterns = [["Russia"], ["decision"], ["NATO"], ["Estonia"]]
    assert decide(fact(patterns)).evidence == f"{S1} … {S3}"


@pytest.mark.filterwarnings("ignore::bench.scorers._tokens.TokenizerWarning")
def test_alternative_without_latin_tokens_never_matches() -> None:
    assert not decide(fact([["Москва"]]), "Москва protested.").present


THRESHOLD_FACT = "Rain flooded Dresden's old town."  # content: rain flood dresden old town


def test_content_words_are_stemmed_without_stopwords() -> None:
    assert content_words(THRESHOLD_FACT) == ["rain", "flood", "dresden", "old", "town"]
    assert content_words("It did not rise.") == ["not", "rise"]


@pytest.mark.parametrize(
    ("text", "threshold", "present"),
    [
        ("Floods hit the old town.", 0.6, True),  # 3 of 5 = 0.6
        ("Floods hit the old town.", 0.7, False),
        ("The old town was hit.", 0.6, False),  # 2 of 5 = 0.4
        ("The old town was hit.", 0.4, True),
    ],
)
def test_threshold_without_patterns(text: str, threshold: float, present: bool) -> None:
    decision = decide(fact(text=THRESHOLD_FACT), text, threshold)
    assert decision.present is present
    assert decision.evidence == (text if present else "")


def test_evidence_without_patterns_is_the_sentence_with_most_overlap() -> None:
    text = "Rain fell all week. Floods hit the old town. Dresden is calm."
    decision = decide(fact(text=THRESHOLD_FACT), text)
    assert (decision.present, decision.evidence) == (True, "Floods hit the old town.")


def test_recall_weighted_and_unweighted() -> None:
    facts = [
        KeyFact(id="a", text="NATO deployed troops.", weight=3, patterns=[["NATO"], ["deploy"]]),
        KeyFact(id="b", text="Latvia protested.", weight=1, patterns=[["Latvia"]]),
        KeyFact(id="c", text="Russia condemned it.", weight=1, patterns=[["condemn"]]),
    ]
    result = KeyFacts().score(make_task(facts), Summary(text=SUMMARY))
    assert result.values == {"kf_recall": 2 / 3, "kf_wrecall": 4 / 5}
    assert [(f.fact_id, f.weight, f.present) for f in result.facts] == [
        ("a", 3.0, True),
        ("b", 1.0, False),
        ("c", 1.0, True),
    ]
    assert {f.matcher for f in result.facts} == {"patterns-v3"}


def test_empty_summary_recalls_nothing() -> None:
    task = make_task([fact([["NATO"]]), KeyFact(id="f2", text=THRESHOLD_FACT)])
    result = KeyFacts().score(task, Summary(text=""))
    assert result.values == {"kf_recall": 0.0, "kf_wrecall": 0.0}
    assert not any(f.present for f in result.facts)


def test_no_keyfacts_cannot_score() -> None:
    task, summary = make_task([]), Summary(text=SUMMARY)
    assert KeyFacts().cannot_score(task, summary) == "task 't1' has no key facts"
    with pytest.raises(CannotScore, match="no key facts"):
        KeyFacts().score(task, summary)


def test_params_signature_and_metrics() -> None:
    assert KeyFacts().signature() == "keyfacts:v3|matcher:lexical-v2|patterns:first|stem:porter"
    scorer = scorers.create("keyfacts", matcher="lexical-v1", threshold="0.75")
    assert isinstance(scorer, KeyFacts)
    assert scorer.signature().endswith("threshold:0.75")
    labels = [(m.name, m.label) for m in scorer.metrics()]
    assert labels == [("kf_recall", "KF"), ("kf_wrecall", "KF-w")]
    for bad, message in [("0", "in \\(0, 1\\], got 0.0"), ("1.5", "in"), ("high", "or none")]:
        with pytest.raises(ValueError, match=f"'threshold' expects a number {message}"):
            scorers.create("keyfacts", threshold=bad)


def test_matcher_is_usable_alone() -> None:
    decision = LexicalMatcherV1(0.6).match(fact([["troops"]]), [S2, S1])
    assert (decision.present, decision.evidence) == (True, S1)


def test_pattern_match_that_negates_the_fact_gets_no_credit() -> None:
    troops = KeyFact(id="uk", text="The UK sent troops.", patterns=[["UK", "Britain"], ["troops"]])
    assert decide(troops, "The UK sent troops to Estonia.").present
    refused = decide(troops, "The UK refused to send troops.")
    assert (refused.present, refused.score) == (False, 0.0)


def test_pattern_match_with_a_false_number_gets_no_credit() -> None:
    count = KeyFact(id="n", text="NATO deployed 3,000 troops.", patterns=[["NATO"], ["troops"]])
    assert decide(count).present
    assert not decide(count, "NATO deployed 2,000 troops to Estonia.").present


def test_patterns_ignored_on_request_go_to_the_matcher() -> None:
    troops = KeyFact(id="uk", text="NATO deployed troops to Estonia.", patterns=[["Latvia"]])
    scorer = KeyFacts(matcher="lexical", patterns="ignore")
    [decision] = scorer.score(make_task([troops]), Summary(text=SUMMARY)).facts
    assert (decision.present, decision.matcher, decision.evidence) == (True, "lexical-v2", S1)
    assert decision.score is not None and decision.score > 0.9
    with pytest.raises(ValueError, match="'patterns' must be"):
        KeyFacts(patterns="sometimes")


def test_default_matcher_uses_the_other_facts_as_context() -> None:
    facts = [
        KeyFact(id="a", text="NATO deployed troops to Estonia."),
        KeyFact(id="b", text="NATO said the move was defensive."),
        KeyFact(id="c", text="NATO troops will stay in Latvia."),
    ]
    result = KeyFacts().score(make_task(facts), Summary(text=SUMMARY))
    assert [f.present for f in result.facts] == [True, True, False]
    assert result.facts[1].evidence == f"{S1} … {S2}"  # "NATO" is only in S1


def test_a_summary_s_facts_go_to_the_matcher_in_one_batch_around_pattern_facts() -> None:
    from bench.scorers.matchers import Pair, Undecided

    class Batched:
        name = "batched-test"
        light = False

        def __init__(self) -> None:
            self.batches: list[list[str]] = []

        def match(self, fact: KeyFact, sentences: object, siblings: object = ()) -> FactDecision:
            raise AssertionError("a batching matcher is asked through match_many")

        def match_many(self, pairs: list[Pair]) -> list[FactDecision | Undecided]:
            self.batches.append([p.fact.id for p in pairs])
            return [
                FactDecision(p.fact.id, p.fact.weight, p.fact.id != "c", "", self.name)
                if p.fact.id != "d"
                else Undecided("judge said nothing")
                for p in pairs
            ]

    facts = [
        KeyFact(id="a", text="One."),
        KeyFact(id="p", text="NATO.", patterns=[["NATO"]]),
        KeyFact(id="c", text="Two."),
    ]
    scorer = KeyFacts()
    scorer.matcher = batched = Batched()
    result = scorer.score(make_task(facts), Summary(text=SUMMARY))
    assert batched.batches == [["a", "c"]]
    assert [(f.fact_id, f.present) for f in result.facts] == [
        ("a", True),
        ("p", True),
        ("c", False),
    ]
    with pytest.raises(CannotScore, match="fact 'd': batched-test: judge said nothing"):
        scorer.score(make_task([*facts, KeyFact(id="d", text="Three.")]), Summary(text=SUMMARY))


def test_other_parameters_go_to_the_matcher_and_are_checked_by_it(tmp_path: Path) -> None:
    from bench.scorers.matchers.llm import LLMMatcher

    scorer = scorers.create(
        "keyfacts",
        matcher="llm",
        model="judge",
        concurrency="2",
        replay="true",
        cache=str(tmp_path / "v.jsonl"),
    )
    assert isinstance(scorer, KeyFacts) and isinstance(scorer.matcher, LLMMatcher)
    assert (scorer.matcher.model, scorer.matcher.concurrency) == ("judge", 2)
    assert "matcher:llm-v3:judge:yesno-v1" in scorer.signature()
    # replay without a cached verdict: undecided, so the summary is skipped, not scored 0
    with pytest.raises(CannotScore, match="no cached verdict"):
        scorer.score(make_task([KeyFact(id="a", text="NATO sent troops.")]), Summary(text=SUMMARY))
    with pytest.raises(TypeError, match="matcher 'lexical' has no parameter 'model'"):
        scorers.create("keyfacts", matcher="lexical", model="judge")
    with pytest.raises(TypeError, match="keyfacts's own parameters are matcher, threshold"):
        scorers.create("keyfacts", patern="ignore")


def test_facts_sharing_an_id_keep_their_own_decisions() -> None:
    twins = [
        KeyFact(id="x", text="NATO deployed troops to Estonia."),
        KeyFact(id="x", text="Japan launched a rocket to Mars."),
    ]
    result = KeyFacts().score(make_task(twins), Summary(text=SUMMARY))
    assert [f.present for f in result.facts] == [True, False]


def test_unknown_matcher_is_named() -> None:
    with pytest.raises(KeyError, match="unknown matcher 'exact'"):
        KeyFacts(matcher="exact")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdeéingsy ,.'-0Ж\n", max_size=60) | st.text(max_size=30))
def test_tokens_equal_rouge_score_tokenizer(text: str) -> None:
    assert tokens(text, stem=True) == DefaultTokenizer(use_stemmer=True).tokenize(text)
    assert tokens(text) == DefaultTokenizer(use_stemmer=False).tokenize(text)


class _ModelMatcher:
    """A stand-in for a model-based matcher (embedding, nli, llm): not token based."""

    name = "model-v1"
    light = False

    def match(self, fact: KeyFact, sentences: list[str], siblings: object = ()) -> FactDecision:
        return FactDecision(fact.id, fact.weight, True, sentences[0], self.name, 1.0)


def test_tokenizer_warning_for_non_latin_facts_once_per_task() -> None:
    task = make_task([KeyFact(id="f1", text="НАТО направило войска в Эстонию.")])
    scorer = KeyFacts()
    with pytest.warns(TokenizerWarning, match=r"keyfacts: task 't1'.*key fact 'f1'.*never found"):
        for _ in range(3):
            assert scorer.score(task, Summary(text=SUMMARY)).values["kf_recall"] == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scorer.score(task, Summary(text=SUMMARY))  # once per task
        latin = make_task([fact([["NATO"], ["Estonia"]]), KeyFact(id="f2", text="Café owners.")])
        KeyFacts().score(latin, Summary(text=SUMMARY))
        model = KeyFacts()
        model.matcher = _ModelMatcher()
        model.score(task, Summary(text="НАТО направило войска в Эстонию."))
    with pytest.warns(TokenizerWarning, match="key fact 'f1'"):
        model.score(make_task([fact([["НАТО"]])]), Summary(text="НАТО."))  # patterns are tokens


def test_an_alternative_in_capitals_is_an_acronym_not_the_word_spelled_alike() -> None:
    group = [["US", "United States"], ["monitor"]]
    assert decide(fact(group), "The US will monitor the ceasefire.").present
    assert decide(fact(group), "The United States will monitor it.").present
    assert not decide(fact(group), "He told us they would monitor it.").present
    assert not decide(fact([["UK troops"]]), "It took uk troops.").present
    assert decide(fact([["UK troops"]]), "The UK troops stayed.").present
    assert decide(fact([["us"]]), "He told us.").present  # lowercase stays case-blind


def test_only_token_matchers_are_light_enough_for_every_scoring_process() -> None:
    from bench.scorers.matchers.llm import LLMMatcher
    from bench.scorers.matchers.nli import NLIMatcher

    assert KeyFacts().light  # lexical-v2
    for name, light in (
        ("lexical-v1", True),
        ("calibrated-v2", True),
        ("calibrated-embed-v2", False),
        ("embedding", False),
    ):
        assert KeyFacts(matcher=name).light is light, name
    assert not NLIMatcher.light and not LLMMatcher.light
