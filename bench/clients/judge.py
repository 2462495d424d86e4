"""What every OpenAI-compatible judge shares (the ``llm`` key-fact matcher and the ``llm``
support backend): replies with their log-probabilities, the reply cache, and a session that asks
through :class:`~bench.clients.openai.ChatClient`, answers from the cache (``replay`` answers
from it alone), counts requests and failures and says when to give up on a judge.

The cache holds one JSON line per reply, keyed by a hash of everything the reply depends on,
appended as replies arrive so an interrupted run keeps them.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.clients.openai import ChatClient, RequestFailed
from bench.params import at_least

YES = frozenset({"yes", "true"})
NO = frozenset({"no", "false"})
GIVE_UP = 20
"""Replies that were no verdict (unparsable, or no answer after retries), before any verdict,
after which a judge is deemed unusable (a small model echoing its input, a server that is
down): its user stops instead of asking on."""
TOP_LOGPROBS = 5
"""Alternatives asked for at each generated token (yes/no variants are summed)."""


Token = tuple[str, float, tuple[tuple[str, float], ...]]
"""A generated token, its log-probability and the top alternatives at its position."""


@dataclass(frozen=True)
class Reply:
    """A judge's reply: its text and, when the server returned them, the log-probabilities of
    every generated token."""

    text: str
    tokens: tuple[Token, ...] = ()

    @classmethod
    def from_choice(cls, choice: Mapping[str, Any]) -> Reply:
        """From a chat-completions choice (``logprobs.content`` is optional)."""
        text = str(choice["message"]["content"])
        return cls(text, _tokens((choice.get("logprobs") or {}).get("content")))

    def to_record(self) -> dict[str, Any]:
        """JSON-ready form for the verdict cache."""
        record: dict[str, Any] = {"reply": self.text}
        if self.tokens:
            record["logprobs"] = [[t, lp, [list(a) for a in alts]] for t, lp, alts in self.tokens]
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Reply:
        """Read what :meth:`to_record` wrote (a record without ``logprobs`` has text only)."""
        tokens = tuple(
            (str(t), float(lp), tuple((str(a), float(b)) for a, b in alts))
            for t, lp, alts in record.get("logprobs") or ()
        )
        return cls(str(record["reply"]), tokens)

    @property
    def scored_text(self) -> str:
        """The text the token offsets refer to: the generated tokens joined, else the text."""
        return "".join(t for t, _, _ in self.tokens) if self.tokens else self.text

    def probability(self, offset: int) -> float | None:
        """P(yes) / (P(yes) + P(no)) at the token holding character ``offset`` of
        :attr:`scored_text`; ``None`` without log-probabilities there."""
        position = 0
        for token, logprob, alternatives in self.tokens:
            if position <= offset < position + len(token):
                seen = dict(alternatives)
                seen.setdefault(token, logprob)
                yes = sum(math.exp(lp) for t, lp in seen.items() if t.strip().lower() in YES)
                no = sum(math.exp(lp) for t, lp in seen.items() if t.strip().lower() in NO)
                return yes / (yes + no) if yes + no > 0 else None
            position += len(token)
        return None


def _tokens(content: Any) -> tuple[Token, ...]:
    if not isinstance(content, list):
        return ()
    found: list[Token] = []
    try:
        for item in content:
            alternatives = tuple(
                (str(a["token"]), float(a["logprob"])) for a in item.get("top_logprobs") or ()
            )
            found.append((str(item["token"]), float(item["logprob"]), alternatives))
    except (KeyError, TypeError, ValueError, AttributeError):
        return ()  # a server's odd logprobs: read the text alone
    return tuple(found)


class VerdictCache:
    """Replies by key, read from ``path`` and appended to it (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._replies = self._load()

    def __len__(self) -> int:
        return len(self._replies)

    def _load(self) -> dict[str, Reply]:
        """Cached replies by key. A last line cut short by a killed run is dropped from the file
        (its request is made again), so the next record starts on a line of its own."""
        if not self.path.is_file():
            return {}
        text = self.path.read_text(encoding="utf-8")
        found = {}
        lines = text.splitlines()
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                found[str(record["key"])] = Reply.from_record(record)
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
                if number == len(lines) and not text.endswith("\n"):
                    self.path.write_text(text[: len(text) - len(line)], encoding="utf-8")
                    break
                raise ValueError(
                    f"{self.path}:{number}: not a verdict record "
                    f'({{"key": ..., "reply": ..., "logprobs": optional}}): {error}'
                ) from None
        return found

    def get(self, key: str) -> Reply | None:
        """The cached reply, if any."""
        with self._lock:
            return self._replies.get(key)

    def add(self, key: str, model: str, reply: Reply) -> None:
        """Keep ``reply`` and append it to the file at once."""
        record = json.dumps({"key": key, "model": model, **reply.to_record()}) + "\n"
        with self._lock:
            self._replies[key] = reply
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(record)


class Unanswered(Exception):
    """A request the judge did not answer (after retries), or a cache miss in replay mode."""


class JudgeSession:
    """Asks one chat model through the shared client, ``concurrency`` requests at a time, with
    a reply cache; counts what came back so its user can give up on a judge that never gives a
    verdict (:meth:`give_up`)."""

    def __init__(
        self,
        component: str,
        model: str,
        base_url: str | None = None,
        *,
        api_key_env: str = "OPENAI_API_KEY",
        cache: str | Path = ".sumbench-cache/llm-verdicts.jsonl",
        replay: bool = False,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 60.0,
        concurrency: int = 4,
        retries: int = 5,
        logprobs: bool = False,
    ) -> None:
        if not model.strip():
            raise ValueError(f"{component}: parameter 'model' must not be empty")
        self.component = component
        self.model = model
        self.base_url = (
            base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        ).rstrip("/")
        self.replay = replay
        self.concurrency = at_least(component, "concurrency", concurrency, 1)
        self.logprobs = logprobs
        self.cache = VerdictCache(Path(cache))
        self.failures = 0
        """Replies that were no verdict."""
        self.verdicts = 0
        """Replies read as a verdict."""
        self.errors = 0
        """Requests the judge did not answer (after retries)."""
        self.requests = 0
        """Requests answered by the judge (cached replies excluded)."""
        self.cached = 0
        """Requests answered from the cache."""
        self.seconds = 0.0
        """Wall time its user spent judging (the user adds to it)."""
        self.first_failure = ""
        self.lock = threading.Lock()
        # Bad parameters fail here, when the judge is made.
        self._chat = None
        if not replay:
            self._chat = ChatClient(
                self.base_url,
                component=component,
                api_key_env=api_key_env,
                timeout=timeout,
                concurrency=self.concurrency,
                retries=retries,
                transport=transport,
            )

    def key(self, text: str, max_tokens: int) -> str:
        """The cache key: the reply depends on the model, the prompt, how long it may be and
        whether log-probabilities come with it (temperature is 0)."""
        identity = f"{self.model}\n{max_tokens}\n{text}" + ("\nlogprobs" if self.logprobs else "")
        return hashlib.sha256(identity.encode()).hexdigest()

    def ask(self, text: str, max_tokens: int) -> Reply:
        """The reply to ``text`` as the one user message, from the cache when it holds it;
        raises :class:`Unanswered` on no answer (after retries) or a replay-mode miss."""
        key = self.key(text, max_tokens)
        cached = self.cache.get(key)
        if cached is not None:
            with self.lock:
                self.cached += 1
            return cached
        if self._chat is None:
            raise Unanswered("no cached verdict (replay mode)")
        body: dict[str, Any] = {
            "model": self.model,
            "temperature": 0,
            "max_tokens": max_tokens,
            "messages": [{"role": "user", "content": text}],
        }
        if self.logprobs:
            body.update(logprobs=True, top_logprobs=TOP_LOGPROBS)
        try:
            reply = Reply.from_choice(self._chat.complete(body).choice)
        except RequestFailed as error:
            with self.lock:
                self.errors += 1
                self.first_failure = self.first_failure or f"(no answer: {error})"
            raise Unanswered(f"no verdict from the judge: {error}") from None
        with self.lock:
            self.requests += 1
        self.cache.add(key, self.model, reply)
        return reply

    def failed(self, reply: Reply) -> None:
        """Count a reply that was no verdict."""
        with self.lock:
            self.failures += 1
            self.first_failure = self.first_failure or reply.text

    def verdict_ok(self) -> None:
        """Count a reply read as a verdict."""
        with self.lock:
            self.verdicts += 1

    def give_up(self, name: str, hint: str = "") -> str:
        """Why to stop asking, once :data:`GIVE_UP` replies and no verdict came back; else
        ``""``."""
        failed = self.failures + self.errors
        if failed < GIVE_UP or self.verdicts:
            return ""
        return (
            f"{name}: none of the judge's first {failed} replies was a verdict "
            f"(the prompt's answer; {self.errors} got no answer); "
            f"first: {self.first_failure[:200]!r}. Is the server up{hint}, and the model "
            "able to follow the prompt?"
        )

    def usage(self, name: str) -> str:
        """Requests made, cached replies, wall time and requests per second, for reports."""
        rate = self.requests / self.seconds if self.seconds > 0 else 0.0
        return (
            f"{name}: {self.requests} requests to the judge, {self.cached} answered from "
            f"the cache, {self.seconds:.1f} s ({rate:.2f} requests/s)"
        )
