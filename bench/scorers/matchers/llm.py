"""The LLM matcher: an OpenAI-compatible chat model judges whether a summary states each key fact.

The prompt is a built-in one or a template file (:mod:`._judge_prompts`): one request per
(summary, fact) pair, the summary first so a server that caches prompt prefixes reads it once,
or one request per summary listing all its facts. Where the server returns log-probabilities,
each verdict's score is P(yes) from the answer token (:mod:`._judge_replies`) and ``threshold``
decides; otherwise the reply's text does. Replies are cached and replayable offline;
unparsable replies and unanswered requests are counted and raised as :class:`Undecided`, never
read as absent.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.clients.judge import GIVE_UP, JudgeSession, Reply, Unanswered, VerdictCache
from bench.params import at_least, invalid
from bench.scorers.base import FactDecision
from bench.scorers.matchers._judge_prompts import load_judge_prompt
from bench.scorers.matchers._judge_replies import Verdict, read_verdict, read_verdicts
from bench.scorers.matchers.base import (
    MatcherFailed,
    Pair,
    Undecided,
    decision,
    match_one,
    register_matcher,
)
from bench.scorers.matchers.lexical import LexicalMatcher
from bench.task import KeyFact

__all__ = ["GIVE_UP", "LLMMatcher", "llm"]

COMPONENT = "matcher 'llm'"
_LEXICAL = LexicalMatcher()

Outcome = FactDecision | Undecided


class LLMMatcher:
    """Asks a chat model through the shared OpenAI-compatible client (timeouts, 429 and 5xx are
    retried with backoff or after the server's Retry-After; the key stays in its header),
    ``concurrency`` requests at a time. ``replay`` answers from the cache only (a miss is
    undecided), so a published run can be re-scored without the model."""

    light = False

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        cache: str | Path = ".sumbench-cache/llm-verdicts.jsonl",
        replay: bool = False,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 60.0,
        concurrency: int = 4,
        retries: int = 5,
        max_tokens: int | None = None,
        prompt: str | None = None,
        logprobs: bool = True,
        threshold: float = 0.5,
    ) -> None:
        if not 0 < threshold < 1:
            raise invalid(COMPONENT, "threshold", "a number in (0, 1)", threshold)
        self.session = JudgeSession(
            COMPONENT,
            model,
            base_url,
            api_key_env=api_key_env,
            cache=cache,
            replay=replay,
            transport=transport,
            timeout=timeout,
            concurrency=concurrency,
            retries=retries,
            logprobs=logprobs,
        )
        self.model = model
        self.prompt = load_judge_prompt(prompt, f"{COMPONENT}: parameter 'prompt'")
        self.concurrency = self.session.concurrency
        cap = self.prompt.max_tokens if max_tokens is None else max_tokens
        self.max_tokens = at_least(COMPONENT, "max_tokens", cap, 1)
        self.logprobs = logprobs
        self.threshold = threshold
        self.name = self._name(max_tokens)
        self.cache_path = self.session.cache.path

    @property
    def cache(self) -> VerdictCache:
        """The reply cache."""
        return self.session.cache

    @property
    def requests(self) -> int:
        """Requests answered by the judge (cached replies excluded)."""
        return self.session.requests

    @property
    def cached(self) -> int:
        """Requests answered from the cache."""
        return self.session.cached

    @property
    def failures(self) -> int:
        """Replies that could not be parsed (each raised as :class:`Undecided`)."""
        return self.session.failures

    @property
    def verdicts(self) -> int:
        """Replies parsed into a verdict."""
        return self.session.verdicts

    @property
    def errors(self) -> int:
        """Requests the judge did not answer (after retries; each raised as :class:`Undecided`)."""
        return self.session.errors

    @property
    def seconds(self) -> float:
        """Wall time spent deciding pairs."""
        return self.session.seconds

    def _name(self, max_tokens: int | None) -> str:
        parts = ["llm-v3", self.model, self.prompt.name]
        if not self.logprobs:
            parts.append("text")
        if max_tokens is not None and max_tokens != self.prompt.max_tokens:
            parts.append(f"max_tokens={max_tokens}")
        if self.threshold != 0.5:
            parts.append(f"threshold={self.threshold:g}")
        return ":".join(parts)

    def usage(self) -> str:
        """Requests made, cached replies, wall time and requests per second, for reports."""
        return self.session.usage(self.name)

    def _ask(self, text: str, max_tokens: int) -> Reply:
        try:
            return self.session.ask(text, max_tokens)
        except Unanswered as error:
            self._check_usable()
            raise Undecided(str(error)) from None

    def _decision(self, pair: Pair, verdict: Verdict) -> FactDecision:
        """The decision for a verdict: by its probability where the reply had one, else by its
        text; the evidence is the sentence the judge named, else the sentences sharing most of
        the fact's words."""
        probability = verdict.probability if self.logprobs else None
        present = verdict.present if probability is None else probability >= self.threshold
        score = float(verdict.present) if probability is None else probability
        if verdict.sentence is not None:
            support = [verdict.sentence]
        else:
            support = _LEXICAL.features(pair.fact, pair.sentences, pair.siblings)[1]
        return decision(pair.fact, pair.sentences, support, present, score, self.name)

    def _failed(self, reply: Reply) -> None:
        self.session.failed(reply)
        self._check_usable()

    def _verdict_ok(self) -> None:
        self.session.verdict_ok()

    def _one(self, pair: Pair) -> list[Outcome]:
        """One request for one pair."""
        try:
            self._check_usable()
            text = self.prompt.render(pair.sentences, [pair.fact.text])
            reply = self._ask(text, self.max_tokens)
            try:
                verdict = read_verdict(reply, len(pair.sentences))
            except Undecided:
                self._failed(reply)
                raise
        except Undecided as error:
            return [error]
        self._verdict_ok()
        return [self._decision(pair, verdict)]

    def _summary(self, pairs: Sequence[Pair]) -> list[Outcome]:
        """One request for all facts of one summary (``pairs`` share their sentences)."""
        sentences = pairs[0].sentences
        try:
            self._check_usable()
            text = self.prompt.render(sentences, [p.fact.text for p in pairs])
            reply = self._ask(text, self.max_tokens * len(pairs) + 8)
        except Undecided as error:
            return [error] * len(pairs)
        verdicts = read_verdicts(reply, len(pairs))
        if not any(verdicts):
            self._failed(reply)
            unparsable = Undecided(f"unparsable judge reply: {reply.text[:200]!r}")
            return [unparsable] * len(pairs)
        self._verdict_ok()
        return [
            self._decision(pair, verdict)
            if verdict is not None
            else Undecided(f"the judge's reply has no line for fact {n}: {reply.text[:200]!r}")
            for n, (pair, verdict) in enumerate(zip(pairs, verdicts, strict=True), 1)
        ]

    def _check_usable(self) -> None:
        """Raise :class:`MatcherFailed` once :data:`GIVE_UP` requests, and no verdict, came back."""
        hint = " (a server that rejects logprobs needs logprobs=false)" if self.logprobs else ""
        why = self.session.give_up(self.name, hint)
        if why:
            raise MatcherFailed(why)

    def match(
        self, fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
    ) -> FactDecision:
        """The judge's verdict; raises :class:`Undecided` on an unparsable reply."""
        return match_one(self.match_many, fact, sentences, siblings)

    def _requests(self, pairs: Sequence[Pair]) -> list[list[int]]:
        """Pair indices per request: one each, or runs of pairs on the same summary."""
        if not self.prompt.per_summary:
            return [[i] for i in range(len(pairs))]
        groups: list[list[int]] = []
        for i, pair in enumerate(pairs):
            if groups and pairs[groups[-1][0]].sentences == pair.sentences:
                groups[-1].append(i)
            else:
                groups.append([i])
        return groups

    def match_many(self, pairs: Sequence[Pair]) -> list[Outcome]:
        """Verdicts for many pairs, in order, ``concurrency`` requests at a time; undecided
        ones are returned as their error."""
        started = time.perf_counter()
        groups = self._requests(pairs)

        def ask(group: list[int]) -> list[Outcome]:
            if len(group) == 1 and not self.prompt.per_summary:
                return self._one(pairs[group[0]])
            return self._summary([pairs[i] for i in group])

        try:
            if self.concurrency == 1 or len(groups) < 2:
                answers = [ask(g) for g in groups]
            else:
                with ThreadPoolExecutor(min(self.concurrency, len(groups))) as pool:
                    answers = list(pool.map(ask, groups))
        finally:
            with self.session.lock:
                self.session.seconds += time.perf_counter() - started
        found: list[Outcome | None] = [None] * len(pairs)
        for group, answer in zip(groups, answers, strict=True):
            for i, outcome in zip(group, answer, strict=True):
                found[i] = outcome
        return [f for f in found if f is not None]


@register_matcher("llm")
def llm(
    model: str,
    base_url: str | None = None,
    prompt: str | None = None,
    logprobs: bool = True,
    threshold: float = 0.5,
    cache: str = ".sumbench-cache/llm-verdicts.jsonl",
    replay: bool = False,
    api_key_env: str = "OPENAI_API_KEY",
    concurrency: int = 4,
    retries: int = 5,
    timeout: float = 60.0,
    max_tokens: int | None = None,
) -> LLMMatcher:
    """An OpenAI-compatible judge (key from the variable ``api_key_env`` names); ``prompt`` is
    a built-in prompt (yesno-v1, facts-v1, finesure-v1) or ``@template-file``; verdicts are
    scored from log-probabilities where the server gives them, cached and replayable."""
    return LLMMatcher(
        model,
        base_url,
        api_key_env=api_key_env,
        cache=cache,
        replay=replay,
        concurrency=concurrency,
        retries=retries,
        timeout=timeout,
        max_tokens=max_tokens,
        prompt=prompt,
        logprobs=logprobs,
        threshold=threshold,
    )
