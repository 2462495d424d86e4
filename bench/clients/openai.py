"""An OpenAI-compatible chat-completions client, shared by the ``openai`` adapter and the ``llm``
key-fact judge.

Works with vLLM, llama.cpp's server, Ollama, ``transformers serve`` and hosted APIs. The API key
is read from the environment variable named by ``api_key_env`` and never leaves the HTTP header:
not in parameters, errors or logs.

Retries: timeouts, connection errors, 429 and 5xx are retried up to ``retries`` times with
capped exponential backoff and full jitter, or after the server's ``Retry-After``. Other 4xx
fail at once. A malformed 200 response (not JSON, no ``choices[0].message.content``) is retried
once, as proxies and overloaded servers sometimes cut a body short; a second one fails as not
transient. An empty message is an error, never a result.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from bench.params import above, at_least, invalid

MAX_WAIT = 60.0
"""Longest pause between two attempts, for backoff and for a server's Retry-After alike."""
EXCERPT_CHARS = 200

log = logging.getLogger(__name__)

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class RequestFailed(Exception):
    """A request that got no usable completion; its message never holds the API key."""

    def __init__(self, message: str, *, attempts: int, transient: bool = False) -> None:
        super().__init__(message)
        self.attempts = attempts
        """How many tries were made before giving up."""
        self.transient = transient
        """True when a later try may succeed (timeouts, 429, 5xx)."""


@dataclass(frozen=True)
class Completion:
    """A parsed chat-completions response, with the latency of the attempt that got it."""

    data: dict[str, Any]
    latency: float
    attempts: int

    @property
    def choice(self) -> dict[str, Any]:
        """The first choice (its ``message.content`` is known to be non-empty text)."""
        found: dict[str, Any] = self.data["choices"][0]
        return found

    @property
    def content(self) -> str:
        """The first choice's message text, as sent."""
        return str(self.choice["message"]["content"])


def env_name(component: str, value: str | None) -> str | None:
    """The environment variable named by ``api_key_env``; ``none`` or empty means no key."""
    if value is None or value.strip().lower() in ("", "none"):
        return None
    if not _ENV_NAME.fullmatch(value.strip()):
        # The value is not echoed: it may be the key itself.
        raise ValueError(
            f"{component}: parameter 'api_key_env' expects the NAME of an environment "
            "variable (letters, digits and _, e.g. OPENAI_API_KEY), not the key itself"
        )
    return value.strip()


_SECRET_PARAMS = ("key", "token", "secret", "password", "auth", "sig")


def _secret_query(url: httpx.URL) -> bool:
    """True when a query parameter of ``url`` looks like a credential (``?api_key=...``)."""
    return any(any(word in name.lower() for word in _SECRET_PARAMS) for name in url.params)


def endpoint(component: str, base_url: str) -> httpx.URL:
    """The chat-completions URL under ``base_url`` (which may already name it)."""
    try:
        url = httpx.URL(base_url.strip())
    except httpx.InvalidURL:
        url = httpx.URL()
    if url.userinfo or _secret_query(url):
        raise ValueError(
            f"{component}: parameter 'base_url' must not hold credentials (they would be "
            "stored with the run); put the key in an environment variable named by api_key_env"
        )
    if url.scheme not in ("http", "https") or not url.host:
        expected = "an http(s) URL such as http://127.0.0.1:8000/v1"
        raise invalid(component, "base_url", expected, base_url)
    path = url.path.rstrip("/")
    return url.copy_with(
        path=path if path.endswith("/chat/completions") else f"{path}/chat/completions"
    )


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS] + "..."


def retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds the server asks us to wait (``Retry-After`` in seconds or as an HTTP date)."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class _Malformed(Exception):
    """A 2xx response without the expected JSON shape."""


class _Retry(Exception):
    """A failed attempt worth retrying, with the server's requested wait if any."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


class ChatClient:
    """Posts chat-completions bodies to one endpoint, ``concurrency`` connections at a time,
    retrying transient failures. ``component`` (e.g. ``adapter 'openai'``) names the user in
    parameter errors."""

    def __init__(
        self,
        base_url: str,
        *,
        component: str,
        api_key_env: str | None = "OPENAI_API_KEY",
        timeout: float = 60.0,
        concurrency: int = 4,
        retries: int = 5,
        backoff: float = 1.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = endpoint(component, base_url)
        self.timeout = above(component, "timeout", timeout, 0.0)
        self.concurrency = at_least(component, "concurrency", concurrency, 1)
        self.retries = at_least(component, "retries", retries, 0)
        self.backoff = at_least(component, "backoff", backoff, 0.0)
        self.api_key_env = env_name(component, api_key_env)
        self._key = os.environ.get(self.api_key_env, "") if self.api_key_env else ""
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        self._random = random.Random()
        self._client = httpx.Client(
            transport=transport,
            headers=headers,
            timeout=httpx.Timeout(self.timeout, pool=None),
            limits=httpx.Limits(
                max_connections=self.concurrency, max_keepalive_connections=self.concurrency
            ),
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def redact(self, text: str) -> str:
        """``text`` with the API key replaced by ``[redacted]``."""
        return text.replace(self._key, "[redacted]") if self._key else text

    def complete(self, body: dict[str, Any]) -> Completion:
        """Post a chat-completions ``body``, retrying transient failures; raises
        :class:`RequestFailed` when no attempt gives a non-empty message."""
        malformed = 0
        wait: float | None
        for attempt in range(1, self.retries + 2):
            try:
                data, latency = self._attempt(body, attempt)
            except _Malformed as error:
                malformed += 1
                if malformed > 1 or attempt > self.retries:
                    again = " (again, after a retry)" if malformed > 1 else ""
                    raise RequestFailed(self.redact(f"{error}{again}"), attempts=attempt) from None
                reason, wait = str(error), 0.0
            except _Retry as error:
                if attempt > self.retries:
                    raise RequestFailed(
                        self.redact(f"{self.url}: gave up after {attempt} attempts: {error}"),
                        attempts=attempt,
                        transient=True,
                    ) from None
                reason, wait = str(error), error.wait
            else:
                choice = data["choices"][0]
                if not (choice["message"]["content"] or "").strip():
                    raise RequestFailed(
                        f"{self.url}: empty summary (finish_reason="
                        f"{choice.get('finish_reason')!r}; if 'length', raise max_tokens)",
                        attempts=attempt,
                    )
                return Completion(data, latency, attempt)
            pause = min(MAX_WAIT, wait if wait is not None else self._backoff(attempt))
            log.info(
                "%s: attempt %d failed (%s); retrying in %.2fs",
                self.url,
                attempt,
                self.redact(reason),
                pause,
            )
            time.sleep(pause)
        raise AssertionError("unreachable")  # the loop returns or raises on its last attempt

    def _backoff(self, attempt: int) -> float:
        return self._random.uniform(0.0, min(MAX_WAIT, self.backoff * 2 ** (attempt - 1)))

    def _attempt(self, body: dict[str, Any], attempt: int) -> tuple[dict[str, Any], float]:
        started = time.perf_counter()
        try:
            response = self._read(body, started + self.timeout)
        except httpx.TimeoutException as error:
            raise _Retry(f"timed out after {self.timeout:g}s ({type(error).__name__})") from None
        except httpx.RequestError as error:
            raise _Retry(f"{type(error).__name__}: {error}") from None
        latency = time.perf_counter() - started
        status = response.status_code
        if status == 429 or status >= 500:
            raise _Retry(f"HTTP {status}: {_excerpt(response.text)}", retry_after(response.headers))
        if not 200 <= status < 300:
            hint = ""
            if status in (401, 403) and not self._key:
                hint = (
                    f" (no API key sent: environment variable {self.api_key_env} is not set)"
                    if self.api_key_env
                    else " (no API key sent: api_key_env is none)"
                )
            raise RequestFailed(
                self.redact(f"{self.url}: HTTP {status}{hint}: {_excerpt(response.text)}"),
                attempts=attempt,
            )
        return self._parse(response), latency

    def _read(self, body: dict[str, Any], deadline: float) -> httpx.Response:
        """Post ``body`` and read the whole response by ``deadline`` (``timeout`` is a total
        deadline: a server trickling its body slowly is cut off, not waited on per byte)."""
        with self._client.stream("POST", self.url, json=body) as response:
            chunks = []
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                if time.perf_counter() > deadline:
                    raise httpx.ReadTimeout("the response was still arriving at the deadline")
            response._content = b"".join(chunks)  # then decoded by .text and .json()
        return response

    def _parse(self, response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            raise _Malformed(
                f"{self.url}: response is not JSON: {_excerpt(response.text)}"
            ) from None
        try:
            choice = data["choices"][0]
            content = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise _Malformed(
                f"{self.url}: response has no choices[0].message.content: {_excerpt(response.text)}"
            ) from None
        if content is not None and not isinstance(content, str):
            raise _Malformed(f"{self.url}: message content is {type(content).__name__}, not text")
        return data  # type: ignore[no-any-return]
