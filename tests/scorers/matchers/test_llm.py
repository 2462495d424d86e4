"""The LLM judge: verdict cache and replay, parsing, concurrency, retries, stopping."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.scorers.matchers import Pair, Undecided, match_all, matchers
from bench.scorers.matchers._judge_prompts import BUILTIN
from bench.scorers.matchers._judge_replies import Reply, read_verdict
from bench.scorers.matchers.llm import LLMMatcher
from bench.task import KeyFact

from .pairs import COUNT, REFUSES, STATES, TROOPS, UNRELATED, decide


def parse_verdict(reply: str, sentences: int) -> tuple[bool, int | None]:
    verdict = read_verdict(Reply(reply), sentences)
    return verdict.present, verdict.sentence


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
    matcher = LLMMatcher(
        "judge", "http://judge.test/v1", cache=cache, transport=_judge(_reply, calls)
    )
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
    matcher = LLMMatcher(
        "judge", "http://judge.test/v1", cache=tmp_path / "c.jsonl", transport=_judge(_reply, [])
    )
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
        return httpx.Response(
            200,
            json={
                "choices": [
                    {
                        "message": {
                            "content": _reply(json.loads(request.content)["messages"][0]["content"])
                        }
                    }
                ]
            },
        )

    matcher = LLMMatcher(
        "judge",
        "http://judge.test/v1",
        cache=tmp_path / "c.jsonl",
        transport=httpx.MockTransport(handle),
        concurrency=4,
    )
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
    replies = iter(
        [
            httpx.Response(503, headers={"Retry-After": "0"}, text="busy"),
            httpx.Response(
                200,
                json={"choices": [{"message": {"content": '{"present": true, "sentence": 1}'}}]},
            ),
        ]
    )
    busy = LLMMatcher(
        "judge",
        "http://judge.test/v1",
        api_key_env="JUDGE_KEY",
        cache=tmp_path / "a.jsonl",
        transport=httpx.MockTransport(lambda request: next(replies)),
    )
    assert decide(busy, TROOPS, [STATES]).present
    assert busy.errors == 0

    down = LLMMatcher(
        "judge",
        "http://judge.test/v1",
        api_key_env="JUDGE_KEY",
        cache=tmp_path / "b.jsonl",
        retries=0,
        transport=httpx.MockTransport(
            lambda request: httpx.Response(500, text=f"echo {request.headers['authorization']}")
        ),
    )
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
    kept = LLMMatcher("judge", cache=cache, replay=True).cache
    assert len(kept) == 1 and kept.get("k1") == Reply("{}")
    # The next run appends on a line of its own, and the file reads whole afterwards.
    judge = LLMMatcher("judge", "http://judge.test/v1", cache=cache, transport=_judge(_reply, []))
    assert decide(judge, TROOPS, [STATES]).present
    assert len(LLMMatcher("judge", cache=cache, replay=True).cache) == 2
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
        "llm-v3:judge:yesno-v1:max_tokens=64"
    )
    judge = matchers.create("llm", model="judge", concurrency="8", max_tokens="32")
    assert isinstance(judge, LLMMatcher) and (judge.concurrency, judge.max_tokens) == (8, 32)


def test_llm_judge_that_never_gives_a_verdict_stops_the_matcher(tmp_path: Path) -> None:
    from bench.scorers.matchers import MatcherFailed
    from bench.scorers.matchers.llm import GIVE_UP

    calls: list[str] = []
    echo = LLMMatcher(
        "tiny",
        "http://judge.test/v1",
        cache=tmp_path / "c.jsonl",
        transport=_judge(lambda text: "1. " + text[:40], calls),
        concurrency=2,
    )
    facts = [KeyFact(id=f"f{i}", text=f"Fact number {i}.") for i in range(3 * GIVE_UP)]
    with pytest.raises(MatcherFailed, match=r"none of the judge's first \d+ replies"):
        match_all(echo, [Pair(f, (STATES,)) for f in facts])
    assert GIVE_UP <= len(calls) < 3 * GIVE_UP  # stopped asking
    # One verdict among the failures: a judge that can answer is never stopped.
    mixed = LLMMatcher(
        "judge",
        "http://judge.test/v1",
        cache=tmp_path / "d.jsonl",
        transport=_judge(_reply, []),
        concurrency=1,
    )
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

    down = LLMMatcher(
        "judge",
        "http://judge.test/v1",
        cache=tmp_path / "c.jsonl",
        retries=0,
        transport=httpx.MockTransport(refuse),
        concurrency=1,
    )
    facts = [KeyFact(id=f"f{i}", text=f"Fact {i}.") for i in range(2 * GIVE_UP)]
    with pytest.raises(MatcherFailed, match=f"{GIVE_UP} got no answer.*connection refused"):
        match_all(down, [Pair(f, (STATES,)) for f in facts])
    assert len(calls) == GIVE_UP


def test_llm_verdicts_are_cached_per_reply_length(tmp_path: Path) -> None:
    pytest.importorskip("httpx")
    calls: list[str] = []
    cache = tmp_path / "verdicts.jsonl"
    for max_tokens in (64, 64, 256):
        judge = LLMMatcher(
            "judge",
            "http://judge.test/v1",
            cache=cache,
            max_tokens=max_tokens,
            transport=_judge(_reply, calls),
        )
        assert decide(judge, TROOPS, [UNRELATED, STATES]).present
    assert len(calls) == 2  # a capped reply is not replayed for a longer cap
    httpx = pytest.importorskip("httpx")
    bodies: list[dict[str, Any]] = []

    def record(request: Any) -> Any:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json={"choices": [{"message": {"content": _reply("")}}]})

    judge = LLMMatcher(
        "judge",
        "http://judge.test/v1",
        cache=tmp_path / "other.jsonl",
        max_tokens=32,
        transport=httpx.MockTransport(record),
    )
    decide(judge, TROOPS, [STATES])
    assert (bodies[0]["model"], bodies[0]["max_tokens"], bodies[0]["temperature"]) == (
        "judge",
        32,
        0,
    )


def test_llm_prompt_and_parse() -> None:
    text = BUILTIN["finesure-v1"].render(["One.", "Two."], ["A fact."])
    assert "1. One.\n2. Two." in text and "Key fact: A fact." in text
    assert parse_verdict('{"present": false, "sentence": 9}', 2) == (False, None)
    with pytest.raises(Undecided):
        parse_verdict('{"present": "yes"}', 2)
    # Replies as small and chatty models write them.
    assert parse_verdict('Sure!\n```json\n{"present": true, "sentence": "2"}\n```', 2) == (True, 1)
    assert parse_verdict('{"note": {"k": 1}} then {"present": false, "sentence": null}', 2) == (
        False,
        None,
    )
    assert parse_verdict('{"present": true, "sentence": true}', 2) == (True, None)
    assert parse_verdict('{broken {"present": true, "sentence": 1}', 2) == (True, 0)
    with pytest.raises(Undecided, match="unparsable judge reply"):
        parse_verdict('1. The summary again.\n{"present": tr', 2)  # cut off by max_tokens
    # Replies that would crash a careless parser are undecided, never errors.
    assert parse_verdict('{"present": true, "sentence": "²"}', 2) == (True, None)
    for absurd in (
        '{"present": true, "sentence": ' + "9" * 5000 + "}",
        '{"a": ' * 3000 + "1" + "}" * 3000,
    ):
        with pytest.raises(Undecided):
            parse_verdict(absurd, 2)
