"""The LLM matcher: an OpenAI-compatible chat model judges each (summary, fact) pair with a
FineSurE-style prompt (numbered summary sentences; answer present/absent and the supporting
sentence). Verdicts are cached by prompt and replayable offline; unparsable replies are counted
and raised as :class:`Undecided`, never read as absent."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.scorers.base import FactDecision
from bench.scorers.matchers.base import Pair, Undecided, decision, register_matcher
from bench.task import KeyFact

PROMPT_VERSION = "finesure-v1"
PROMPT = """You will receive a summary, split into numbered sentences, and one key fact.
Decide whether the key fact can be inferred from the summary. A summary that states the
opposite of the fact, or a different number, does not contain it.

Summary:
{sentences}

Key fact: {fact}

Answer with JSON only: {{"present": true or false, "sentence": the number of the sentence
that states the fact, or null}}"""

_JSON = re.compile(r"\{.*?\}", re.S)


def prompt(fact: str, sentences: Sequence[str]) -> str:
    """The judge prompt for one pair."""
    numbered = "\n".join(f"{i}. {s}" for i, s in enumerate(sentences, 1))
    return PROMPT.format(sentences=numbered or "(empty)", fact=fact)


def parse_verdict(reply: str, sentences: int) -> tuple[bool, int | None]:
    """``(present, sentence index)`` from a reply; raises :class:`Undecided` when unparsable."""
    match = _JSON.search(reply)
    try:
        data = json.loads(match.group()) if match else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("present"), bool):
        raise Undecided(f"unparsable judge reply: {reply[:200]!r}")
    number = data.get("sentence")
    index = number - 1 if isinstance(number, int) and 1 <= number <= sentences else None
    return data["present"], index


class LLMMatcher:
    """Asks a chat model per pair; ``replay`` answers from the cache only (a miss is
    undecided), so a published run can be re-scored without the model."""

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        cache: str | Path = ".sumbench-cache/llm-verdicts.jsonl",
        replay: bool = False,
        transport: Any = None,
        timeout: float = 60.0,
    ) -> None:
        self.model = model
        self.base_url = (
            base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        ).rstrip("/")
        self.api_key_env = api_key_env
        self.cache_path = Path(cache)
        self.replay = replay
        self.transport = transport
        self.timeout = timeout
        self.name = f"llm-v1:{model}:{PROMPT_VERSION}"
        self.failures = 0
        """Replies that could not be parsed (each raised as :class:`Undecided`)."""
        self._cache = self._load_cache()

    def _load_cache(self) -> dict[str, str]:
        if not self.cache_path.is_file():
            return {}
        found = {}
        for line in self.cache_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                found[record["key"]] = record["reply"]
        return found

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model}\n{text}".encode()).hexdigest()

    def _ask(self, text: str) -> str:
        key = self._key(text)
        if key in self._cache:
            return self._cache[key]
        if self.replay:
            raise Undecided("no cached verdict (replay mode)")
        import httpx

        headers = {}
        api_key = os.environ.get(self.api_key_env)
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        body = {
            "model": self.model,
            "temperature": 0,
            "messages": [{"role": "user", "content": text}],
        }
        with httpx.Client(transport=self.transport, timeout=self.timeout) as client:
            response = client.post(f"{self.base_url}/chat/completions", json=body, headers=headers)
        response.raise_for_status()
        reply = str(response.json()["choices"][0]["message"]["content"])
        self._cache[key] = reply
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        with self.cache_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"key": key, "model": self.model, "reply": reply}) + "\n")
        return reply

    def match(
        self, fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
    ) -> FactDecision:
        """The judge's verdict; raises :class:`Undecided` on an unparsable reply."""
        reply = self._ask(prompt(fact.text, sentences))
        try:
            present, index = parse_verdict(reply, len(sentences))
        except Undecided:
            self.failures += 1
            raise
        support = [index] if index is not None else []
        return decision(fact, sentences, support, present, float(present), self.name)

    def match_many(self, pairs: Sequence[Pair]) -> list[FactDecision | Undecided]:
        """Verdicts for many pairs; undecided ones are returned as their error."""
        found: list[FactDecision | Undecided] = []
        for pair in pairs:
            try:
                found.append(self.match(pair.fact, pair.sentences, pair.siblings))
            except Undecided as error:
                found.append(error)
        return found


@register_matcher("llm")
def llm(
    model: str,
    base_url: str | None = None,
    cache: str = ".sumbench-cache/llm-verdicts.jsonl",
    replay: bool | str = False,
) -> LLMMatcher:
    """An OpenAI-compatible judge (key from OPENAI_API_KEY); verdicts cached and replayable."""
    replaying = replay if isinstance(replay, bool) else replay.lower() in ("1", "true", "yes")
    return LLMMatcher(model, base_url, cache=cache, replay=replaying)
