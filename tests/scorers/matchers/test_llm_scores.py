"""The LLM judge's scores from log-probabilities, its prompt files and its per-summary prompt."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.scorers.matchers import Pair, Undecided, match_all, matchers
from bench.scorers.matchers._judge_prompts import BUILTIN, load_judge_prompt
from bench.scorers.matchers._judge_replies import Reply, read_verdict, read_verdicts
from bench.scorers.matchers.llm import LLMMatcher
from bench.task import KeyFact

from .pairs import SIBLINGS, STATES, TROOPS, UNRELATED


def _top(*alternatives: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"token": t, "logprob": math.log(p)} for t, p in alternatives]


def _answer(content: str, tokens: list[tuple[str, list[dict[str, Any]]]] | None) -> dict[str, Any]:
    choice: dict[str, Any] = {"message": {"content": content}, "finish_reason": "stop"}
    if tokens is not None:
        choice["logprobs"] = {
            "content": [
                {
                    "token": t,
                    "logprob": next((a["logprob"] for a in top if a["token"] == t), -9.0),
                    "top_logprobs": top,
                }
                for t, top in tokens
            ]
        }
    return {"choices": [choice]}


class Judge:
    """A scripted judge: answers every request with ``answer(prompt)``; records the bodies."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.bodies: list[dict[str, Any]] = []

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content)
            self.bodies.append(body)
            return httpx.Response(200, json=self.answer(body["messages"][0]["content"]))

        return httpx.MockTransport(handle)


def _yes_no(text: str) -> dict[str, Any]:
    """P(yes) 0.6 (as "Yes" 0.5 and " yes" 0.1) against P(no) 0.3 for the troops fact when the
    summary states it; a clear "no" otherwise."""
    if "send troops" in text.split("Key fact:")[0]:
        top = _top(("Yes", 0.5), ("No", 0.3), (" yes", 0.1), ("Let", 0.05))
        return _answer("Yes", [("Yes", top)])
    return _answer("No", [("No", _top(("No", 0.9), ("Yes", 0.05)))])


def test_llm_score_is_the_answer_tokens_probability_of_yes_summed_over_variants(
    tmp_path: Path,
) -> None:
    judge = Judge(_yes_no)
    cache = tmp_path / "c.jsonl"
    matcher = LLMMatcher("j", "http://judge.test/v1", cache=cache, transport=judge.transport())
    [states, unrelated] = match_all(
        matcher, [Pair(TROOPS, (UNRELATED, STATES), SIBLINGS), Pair(TROOPS, (UNRELATED,))]
    )
    assert not isinstance(states, Undecided) and not isinstance(unrelated, Undecided)
    assert states.present and states.score == pytest.approx(0.6 / 0.9)
    assert not unrelated.present and unrelated.score == pytest.approx(0.05 / 0.95)
    assert states.evidence == STATES  # no sentence named: the one sharing the fact's words
    assert judge.bodies[0]["logprobs"] is True and judge.bodies[0]["top_logprobs"] == 5
    assert judge.bodies[0]["max_tokens"] == 1
    # The threshold decides on the score; the reply's log-probabilities are cached with it.
    strict = LLMMatcher("j", cache=cache, replay=True, threshold=0.7)
    [again] = match_all(strict, [Pair(TROOPS, (UNRELATED, STATES), SIBLINGS)])
    assert not isinstance(again, Undecided)
    assert again.score == pytest.approx(0.6 / 0.9) and not again.present
    assert strict.name == "llm-v3:j:yesno-v1:threshold=0.7"
    assert (strict.cached, strict.requests) == (1, 0)
    assert "0 requests to the judge, 1 answered from the cache" in strict.usage()


def test_llm_without_logprobs_decides_by_the_reply_text(tmp_path: Path) -> None:
    judge = Judge(lambda text: _answer("No, it does not.", None))
    matcher = LLMMatcher(
        "j", "http://judge.test/v1", cache=tmp_path / "c.jsonl", transport=judge.transport()
    )
    found = matcher.match(TROOPS, [STATES])
    assert (found.present, found.score) == (False, 0.0)  # the server sent no logprobs
    plain = LLMMatcher(
        "j",
        "http://judge.test/v1",
        cache=tmp_path / "c.jsonl",
        logprobs=False,
        transport=judge.transport(),
    )
    assert not plain.match(TROOPS, [STATES]).present
    assert "logprobs" not in judge.bodies[-1] and plain.name == "llm-v3:j:yesno-v1:text"
    assert len(judge.bodies) == 2  # a reply with logprobs asked for is not reused without


def _lines(text: str) -> dict[str, Any]:
    """Answers the facts-v1 prompt: yes to facts that mention troops, no line for the last."""
    facts = re.findall(r"^(\d+)\. (.*)$", text.split("Key facts:")[1], re.MULTILINE)
    tokens: list[tuple[str, list[dict[str, Any]]]] = []
    for number, fact in facts[:-1]:
        word = " yes" if "troops" in fact else " no"
        top = (
            _top((" yes", 0.8), (" no", 0.2))
            if "troops" in fact
            else _top((" no", 0.7), (" yes", 0.3))
        )
        tokens += [(f"{number}.", _top((f"{number}.", 1.0))), (word, top), ("\n", [])]
    return _answer("".join(t for t, _ in tokens) or "I cannot tell.", tokens or None)


def test_llm_per_summary_prompt_asks_once_per_summary_and_reads_a_line_per_fact(
    tmp_path: Path,
) -> None:
    judge = Judge(_lines)
    matcher = LLMMatcher(
        "j",
        "http://judge.test/v1",
        cache=tmp_path / "c.jsonl",
        prompt="facts-v1",
        transport=judge.transport(),
    )
    other = KeyFact(id="paris", text="Leaders met in Paris.")
    last = KeyFact(id="last", text="Russia objected.")
    one, two = (UNRELATED, STATES), (STATES,)
    pairs = [Pair(TROOPS, one), Pair(other, one), Pair(last, one), Pair(TROOPS, two)]
    found = match_all(matcher, pairs)
    assert len(judge.bodies) == 2  # one request per summary
    assert "1. The UK agreed" in judge.bodies[0]["messages"][0]["content"]
    assert judge.bodies[0]["max_tokens"] == 3 * 6 + 8
    troops, paris, unanswered, alone = found
    assert not isinstance(troops, Undecided) and not isinstance(paris, Undecided)
    assert troops.present and troops.score == pytest.approx(0.8)
    assert not paris.present and paris.score == pytest.approx(0.3)
    assert isinstance(unanswered, Undecided) and "no line for fact 3" in str(unanswered)
    assert isinstance(alone, Undecided)  # a summary's only fact is its last line, unanswered
    assert matcher.verdicts == 1 and matcher.failures == 1


def test_llm_prompt_file_sets_the_prompt_and_its_signature(tmp_path: Path) -> None:
    template = tmp_path / "judge.txt"
    template.write_text('Text: {summary}\nClaim: {fact}\nReply {"ok": yes} or no.\n')
    judge = Judge(lambda text: _answer("yes", None))
    matcher = matchers.create(
        "llm",
        model="j",
        base_url="http://judge.test/v1",
        prompt=f"@{template}",
        cache=str(tmp_path / "c.jsonl"),
    )
    assert isinstance(matcher, LLMMatcher)
    matcher.session._chat = LLMMatcher(  # the same client, over the scripted judge
        "j", "http://judge.test/v1", cache=tmp_path / "x.jsonl", transport=judge.transport()
    ).session._chat
    assert matcher.match(TROOPS, [UNRELATED, STATES]).present
    sent = judge.bodies[0]["messages"][0]["content"]
    assert sent == (f'Text: {UNRELATED} {STATES}\nClaim: {TROOPS.text}\nReply {{"ok": yes}} or no.')
    assert re.fullmatch(r"llm-v3:j:file-[0-9a-f]{8}", matcher.name)
    assert judge.bodies[0]["max_tokens"] == 128
    template.write_text("Text: {summary}\nClaim: {fact}\nAnswer yes or no.")
    assert load_judge_prompt(f"@{template}", "p").name != matcher.prompt.name


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("{summary} {fact} {fcat}", r"unknown placeholder \{fcat\}"),
        ("{summary} {fact} {facts}", r"exactly one of \{fact\}"),
        ("{summary} only", r"exactly one of \{fact\}"),
        ("{fact} only", r"no \{sentences\} or \{summary\}"),
    ],
)
def test_llm_prompt_file_errors_name_the_file_and_the_problem(
    tmp_path: Path, text: str, error: str
) -> None:
    template = tmp_path / "bad.txt"
    template.write_text(text)
    with pytest.raises(
        ValueError, match=rf"matcher 'llm': parameter 'prompt' file .*bad.txt.*{error}"
    ):
        matchers.create("llm", model="j", prompt=f"@{template}")


def test_llm_prompt_that_is_neither_builtin_nor_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'yesno' is neither a built-in prompt \(finesure-v1"):
        matchers.create("llm", model="j", prompt="yesno")
    with pytest.raises(ValueError, match="cannot read template file"):
        matchers.create("llm", model="j", prompt=f"@{tmp_path / 'missing.txt'}")
    with pytest.raises(ValueError, match=r"'threshold' expects a number in \(0, 1\)"):
        matchers.create("llm", model="j", threshold="1")


def test_llm_builtin_prompts_put_the_summary_before_the_fact() -> None:
    for prompt in BUILTIN.values():
        text = prompt.render(["First one.", "Second one."], ["The fact.", "Another."])
        assert text.index("Second one.") < text.index("The fact.")


def test_llm_reply_reading_finds_the_verdict_token_and_its_probability() -> None:
    top = _top(("true", 0.7), ("false", 0.2), (" true", 0.1))
    tokens = [('{"', []), ("present", []), ('":', []), (" ", []), ("true", top), ("}", [])]
    reply = Reply.from_choice(_answer('{"present": true}', tokens)["choices"][0])
    verdict = read_verdict(reply, 1)
    assert verdict.present and verdict.probability == pytest.approx(0.8 / 1.0)
    assert Reply.from_record(reply.to_record()) == reply
    assert read_verdict(Reply("**Yes**, sentence 2"), 2).present
    assert not read_verdict(Reply("No."), 2).present
    with pytest.raises(Undecided):
        read_verdict(Reply("Nothing suggests it; no."), 2)  # only the first word counts
    lines = read_verdicts(Reply("1. yes\n2) No\n2. yes\n4: true\nFact 3 is unclear"), 4)
    assert [v.present if v else None for v in lines] == [True, False, None, True]
    # A server's malformed logprobs are ignored, not an error.
    odd = {"message": {"content": "Yes"}, "logprobs": {"content": [{"token": "Yes"}]}}
    assert Reply.from_choice(odd) == Reply("Yes")
