"""The LLM matcher: an OpenAI-compatible chat model judges each (summary, fact) pair with a
FineSurE-style prompt (numbered summary sentences; answer present/absent and the supporting
sentence), several pairs at a time. Verdicts are cached by prompt and replayable offline;
unparsable replies and unanswered requests are counted and raised as :class:`Undecided`, never
read as absent."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.clients.openai import ChatClient, RequestFailed
from bench.params import at_least
from bench.scorers.base import FactDecision
from bench.scorers.matchers.base import (
    MatcherFailed,
    Pair,
    Undecided,
    decision,
    register_matcher,
)
from bench.task import KeyFact

COMPONENT = "matcher 'llm'"
PROMPT_VERSION = "finesure-v1"
PROMPT = """You will receive a summary, split into numbered sentences, and one key fact.
Decide whether the key fact can be inferred from the summary. A summary that states the
opposite of the fact, or a different number, does not contain it.

Summary:
{sentences}

Key fact: {fact}

Answer with JSON only: {{"present": true or false, "sentence": the number of the sentence
that states the fact, or null}}"""

_DECODER = json.JSONDecoder()
DEFAULT_MAX_TOKENS = 128
"""The judge's reply cap unless ``max_tokens`` says otherwise (a verdict needs ~20 tokens)."""
GIVE_UP = 20
"""Replies that were no verdict (unparsable, or no answer after retries), before any verdict,
after which the judge is deemed unusable (a small model echoing the summary, a server that is
down): the matcher stops instead of asking on."""


def prompt(fact: str, sentences: Sequence[str]) -> str:
    """The judge prompt for one pair."""
    numbered = "\n".join(f"{i}. {s}" for i, s in enumerate(sentences, 1))
    return PROMPT.format(sentences=numbered or "(empty)", fact=fact)


def _verdicts(reply: str) -> Iterator[dict[str, Any]]:
    """Every JSON object in ``reply`` with a boolean ``present``, in order (objects nested in
    others and prose around them are passed over)."""
    start = reply.find("{")
    while start != -1:
        try:
            data, end = _DECODER.raw_decode(reply, start)
        except json.JSONDecodeError:
            start = reply.find("{", start + 1)
            continue
        if isinstance(data, dict) and isinstance(data.get("present"), bool):
            yield data
        start = reply.find("{", end)


def parse_verdict(reply: str, sentences: int) -> tuple[bool, int | None]:
    """``(present, sentence index)`` from the first verdict object in a reply (a sentence number
    may come as a string; one out of range is dropped); raises :class:`Undecided` when the reply
    holds none."""
    try:
        data = next(_verdicts(reply), None)
    except (ValueError, RecursionError):  # a number past int's digit limit, absurd nesting
        data = None
    if data is None:
        raise Undecided(f"unparsable judge reply: {reply[:200]!r}")
    number = data.get("sentence")
    if isinstance(number, str) and number.strip().isascii() and number.strip().isdecimal():
        number = int(number)
    if isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= sentences:
        return data["present"], number - 1
    return data["present"], None


class LLMMatcher:
    """Asks a chat model per pair, ``concurrency`` pairs at a time, through the shared
    OpenAI-compatible client (timeouts, 429 and 5xx are retried with backoff or after the
    server's Retry-After; the key stays in its header). ``replay`` answers from the cache only
    (a miss is undecided), so a published run can be re-scored without the model."""

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
        max_tokens: int = DEFAULT_MAX_TOKENS,
    ) -> None:
        if not model.strip():
            raise ValueError(f"{COMPONENT}: parameter 'model' must not be empty")
        self.model = model
        self.base_url = (
            base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        ).rstrip("/")
        self.api_key_env = api_key_env
        self.cache_path = Path(cache)
        self.replay = replay
        self.timeout = timeout
        self.concurrency = at_least(COMPONENT, "concurrency", concurrency, 1)
        self.retries = retries
        self.max_tokens = at_least(COMPONENT, "max_tokens", max_tokens, 1)
        cap = "" if max_tokens == DEFAULT_MAX_TOKENS else f":max_tokens={max_tokens}"
        self.name = f"llm-v2:{model}:{PROMPT_VERSION}{cap}"
        self.failures = 0
        """Replies that could not be parsed (each raised as :class:`Undecided`)."""
        self.verdicts = 0
        """Replies parsed into a verdict."""
        self._first_failure = ""
        self.errors = 0
        """Requests the judge did not answer (after retries; each raised as :class:`Undecided`)."""
        self._lock = threading.Lock()
        self._chat = None if replay else self._client(api_key_env, transport)
        self._cache = self._load_cache()

    def _client(self, api_key_env: str, transport: httpx.BaseTransport | None) -> ChatClient:
        """The judge's client; bad parameters fail here, when the matcher is made."""
        return ChatClient(
            self.base_url,
            component=COMPONENT,
            api_key_env=api_key_env,
            timeout=self.timeout,
            concurrency=self.concurrency,
            retries=self.retries,
            transport=transport,
        )

    def _load_cache(self) -> dict[str, str]:
        """Cached replies by key. A last line cut short by a killed run is dropped from the file
        (its pair is asked again), so the next record starts on a line of its own."""
        if not self.cache_path.is_file():
            return {}
        text = self.cache_path.read_text(encoding="utf-8")
        found = {}
        lines = text.splitlines()
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                found[str(record["key"])] = str(record["reply"])
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                if number == len(lines) and not text.endswith("\n"):
                    kept = text[: len(text) - len(line)]
                    self.cache_path.write_text(kept, encoding="utf-8")
                    break
                raise ValueError(
                    f"{self.cache_path}:{number}: not a verdict record "
                    f'({{"key": ..., "reply": ...}}): {error}'
                ) from None
        return found

    def _key(self, text: str) -> str:
        # The reply depends on the model, the prompt and how long it may be (temperature is 0).
        identity = f"{self.model}\n{self.max_tokens}\n{text}"
        return hashlib.sha256(identity.encode()).hexdigest()

    def _ask(self, text: str) -> str:
        key = self._key(text)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        if self._chat is None:
            raise Undecided("no cached verdict (replay mode)")
        body = {
            "model": self.model,
            "temperature": 0,
            "max_tokens": self.max_tokens,
            "messages": [{"role": "user", "content": text}],
        }
        try:
            reply = self._chat.complete(body).content
        except RequestFailed as error:
            with self._lock:
                self.errors += 1
                self._first_failure = self._first_failure or f"(no answer: {error})"
            self._check_usable()
            raise Undecided(f"no verdict from the judge: {error}") from None
        record = json.dumps({"key": key, "model": self.model, "reply": reply}) + "\n"
        with self._lock:
            self._cache[key] = reply
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            with self.cache_path.open("a", encoding="utf-8") as handle:
                handle.write(record)
        return reply

    def match(
        self, fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
    ) -> FactDecision:
        """The judge's verdict; raises :class:`Undecided` on an unparsable reply."""
        self._check_usable()
        reply = self._ask(prompt(fact.text, sentences))
        try:
            present, index = parse_verdict(reply, len(sentences))
        except Undecided:
            with self._lock:
                self.failures += 1
                self._first_failure = self._first_failure or reply
            self._check_usable()
            raise
        with self._lock:
            self.verdicts += 1
        support = [index] if index is not None else []
        return decision(fact, sentences, support, present, float(present), self.name)

    def _check_usable(self) -> None:
        """Raise :class:`MatcherFailed` once :data:`GIVE_UP` requests, and no verdict, came back."""
        failed = self.failures + self.errors
        if failed >= GIVE_UP and not self.verdicts:
            raise MatcherFailed(
                f"{self.name}: none of the judge's first {failed} replies was a JSON verdict "
                f'({{"present": true or false, "sentence": N}}; {self.errors} got no answer); '
                f"first: {self._first_failure[:200]!r}. Is the server up, and the model able to "
                "follow the prompt?"
            )

    def _match_pair(self, pair: Pair) -> FactDecision | Undecided:
        try:
            return self.match(pair.fact, pair.sentences, pair.siblings)
        except Undecided as error:
            return error

    def match_many(self, pairs: Sequence[Pair]) -> list[FactDecision | Undecided]:
        """Verdicts for many pairs, in order, ``concurrency`` requests at a time; undecided
        ones are returned as their error."""
        if self.concurrency == 1 or len(pairs) < 2:
            return [self._match_pair(pair) for pair in pairs]
        with ThreadPoolExecutor(min(self.concurrency, len(pairs))) as pool:
            return list(pool.map(self._match_pair, pairs))


@register_matcher("llm")
def llm(
    model: str,
    base_url: str | None = None,
    cache: str = ".sumbench-cache/llm-verdicts.jsonl",
    replay: bool = False,
    api_key_env: str = "OPENAI_API_KEY",
    concurrency: int = 4,
    retries: int = 5,
    timeout: float = 60.0,
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> LLMMatcher:
    """An OpenAI-compatible judge (key from the variable ``api_key_env`` names), asked
    ``concurrency`` pairs at a time; verdicts cached and replayable."""
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
    )
