"""The ``openai`` adapter: any OpenAI-compatible chat-completions endpoint.

Works with vLLM, llama.cpp's server, Ollama, ``transformers serve`` and hosted APIs:
``openai:base_url=http://127.0.0.1:8000/v1,model=qwen2.5-7b-instruct,concurrency=8``.
The API key is read from the environment variable named by ``api_key_env`` and never leaves
the HTTP header: not in parameters, meta, errors or logs.

Retries: timeouts, connection errors, 429 and 5xx are retried up to ``retries`` times with
capped exponential backoff and full jitter, or after the server's ``Retry-After``. Other 4xx
fail at once. A malformed 200 response (not JSON, no ``choices[0].message.content``) is
retried once, as proxies and overloaded servers sometimes cut a body short; a second one
fails as not transient. An empty summary is an error, never a result.
"""

from __future__ import annotations

import email.utils
import inspect
import logging
import math
import os
import random
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from bench.adapters._select import int_param, optional_int_param
from bench.adapters.base import AdapterError, Summarizer, register_adapter
from bench.adapters.prompts import fit_documents, load_prompt, render_documents
from bench.request import Summary, SummaryRequest
from bench.text import count_words

NAME = "openai"
MAX_WAIT = 60.0
"""Longest pause between two attempts, for backoff and for a server's Retry-After alike."""
EXCERPT_CHARS = 200

log = logging.getLogger(__name__)

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SECRET_PARAM = re.compile(
    r"api_?key|secret|passw(or)?d|authori[sz]ation|bearer|^(access_|auth_|api_)?token$|^key$",
    re.IGNORECASE,
)


def _number(name: str, value: float | str, minimum: float, *, above: bool = False) -> float:
    expected = f"a number {'>' if above else '>='} {minimum:g}"
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        number = math.nan
    if (
        isinstance(value, bool)
        or not math.isfinite(number)
        or number < minimum
        or (above and number == minimum)
    ):
        raise ValueError(f"adapter {NAME!r}: parameter {name!r} expects {expected}, got {value!r}")
    return number


def _env_name(value: str | None) -> str | None:
    if value is None or value.strip().lower() in ("", "none"):
        return None
    if not _ENV_NAME.fullmatch(value.strip()):
        # The value is not echoed: it may be the key itself.
        raise ValueError(
            f"adapter {NAME!r}: parameter 'api_key_env' expects the NAME of an environment "
            "variable (letters, digits and _, e.g. OPENAI_API_KEY), not the key itself"
        )
    return value.strip()


def _endpoint(base_url: str) -> httpx.URL:
    """The chat-completions URL under ``base_url`` (which may already name it)."""
    expected = "an http(s) URL such as http://127.0.0.1:8000/v1"
    try:
        url = httpx.URL(base_url.strip())
    except httpx.InvalidURL:
        url = httpx.URL()
    if url.userinfo:
        raise ValueError(
            f"adapter {NAME!r}: parameter 'base_url' must not hold credentials (they would be "
            "stored with the run); put the key in an environment variable named by api_key_env"
        )
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(
            f"adapter {NAME!r}: parameter 'base_url' expects {expected}, got {base_url!r}"
        )
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


@register_adapter(NAME)
class OpenAIChat(Summarizer):
    """Any OpenAI-compatible chat-completions endpoint (vLLM, llama.cpp, Ollama, hosted APIs)."""

    light = True
    version = "1"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key_env: str | None = "OPENAI_API_KEY",
        prompt: str | None = None,
        temperature: float | str = 0.0,
        max_tokens: int | str | None = None,
        seed: int | str | None = 0,
        timeout: float | str = 60.0,
        concurrency: int | str = 4,
        retries: int | str = 5,
        backoff: float | str = 1.0,
        context_words: int | str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        **unknown: str,
    ) -> None:
        self._refuse(unknown)
        self.url = _endpoint(base_url)
        if not model.strip():
            raise ValueError(f"adapter {NAME!r}: parameter 'model' must not be empty")
        self.model = model.strip()
        self.prompt = load_prompt(prompt, f"adapter {NAME!r}: parameter 'prompt'")
        self.temperature = _number("temperature", temperature, 0.0)
        self.max_tokens = optional_int_param(NAME, "max_tokens", max_tokens, minimum=1)
        self.seed = optional_int_param(NAME, "seed", seed)
        self.timeout = _number("timeout", timeout, 0.0, above=True)
        self.concurrency = int_param(NAME, "concurrency", concurrency, minimum=1)
        self.retries = int_param(NAME, "retries", retries, minimum=0)
        self.backoff = _number("backoff", backoff, 0.0)
        self.context_words = optional_int_param(NAME, "context_words", context_words, minimum=1)
        self.api_key_env = _env_name(api_key_env)
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

    @classmethod
    def _refuse(cls, unknown: Mapping[str, str]) -> None:
        secret = [name for name in unknown if _SECRET_PARAM.search(name)]
        if secret:
            raise ValueError(
                f"adapter {NAME!r}: refusing parameter {secret[0]!r}: a key given as a parameter "
                "would be stored with the run. Put it in an environment variable and pass its "
                "name: api_key_env=OPENAI_API_KEY"
            )
        if unknown:
            hidden = ("unknown", "transport")  # transport: for callers in Python, not specs
            accepted = [p for p in inspect.signature(cls).parameters if p not in hidden]
            raise TypeError(
                f"adapter {NAME!r} has no parameter {', '.join(map(repr, sorted(unknown)))}; "
                f"it takes: {', '.join(accepted)}"
            )

    def cache_identity(self) -> dict[str, str]:
        """The prompt's hash: a template file (or the default prompt) may change under its name."""
        return {"prompt": self.prompt.digest()}

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def _redact(self, text: str) -> str:
        return text.replace(self._key, "[redacted]") if self._key else text

    def payload(self, request: SummaryRequest) -> tuple[dict[str, Any], dict[str, Any]]:
        """The JSON body for ``request`` and what to record about its input."""
        documents = request.documents
        kept = [count_words(doc.text) for doc in documents]
        input_words = sum(kept)
        if self.context_words is not None:
            documents, kept = fit_documents(documents, self.context_words)
        body: dict[str, Any] = {
            "model": self.model,
            "messages": self.prompt.messages(request, render_documents(documents)),
            "temperature": self.temperature,
            "max_tokens": self.max_tokens or 2 * request.budget + 64,
        }
        if self.seed is not None:
            body["seed"] = self.seed
        facts = {
            "truncated_documents": sum(kept) < input_words,
            "input_words": input_words,
            "kept_words": sum(kept),
        }
        return body, facts

    def summarize(self, request: SummaryRequest) -> Summary:
        """Send the request (retrying transient failures) and return the message content."""
        body, facts = self.payload(request)
        started = time.perf_counter()
        data, latency, attempts = self.complete(body)
        choice = data["choices"][0]
        text = choice["message"]["content"].strip()
        usage = data.get("usage")
        usage = usage if isinstance(usage, dict) else {}
        return Summary(
            text=text,
            meta={
                "latency_s": round(latency, 4),
                "elapsed_s": round(time.perf_counter() - started, 4),
                "prompt_tokens": usage.get("prompt_tokens"),
                "completion_tokens": usage.get("completion_tokens"),
                "finish_reason": choice.get("finish_reason"),
                "attempts": attempts,
                "model": data.get("model") or self.model,
                "words": count_words(text),
                **facts,
            },
        )

    def complete(self, body: dict[str, Any]) -> tuple[dict[str, Any], float, int]:
        """Post a chat-completions ``body`` (retrying transient failures): the parsed response,
        the latency of the successful attempt and the attempts made. Raises
        :class:`AdapterError`; the ``llm`` key-fact matcher asks its judge through this."""
        malformed = 0
        wait: float | None
        for attempt in range(1, self.retries + 2):
            try:
                data, latency = self._attempt(body, attempt)
            except _Malformed as error:
                malformed += 1
                if malformed > 1 or attempt > self.retries:
                    again = " (again, after a retry)" if malformed > 1 else ""
                    raise AdapterError(self._redact(f"{error}{again}"), attempts=attempt) from None
                reason, wait = str(error), 0.0
            except _Retry as error:
                if attempt > self.retries:
                    raise AdapterError(
                        self._redact(f"{self.url}: gave up after {attempt} attempts: {error}"),
                        attempts=attempt,
                        transient=True,
                    ) from None
                reason, wait = str(error), error.wait
            else:
                choice = data["choices"][0]
                if not (choice["message"]["content"] or "").strip():
                    raise AdapterError(
                        f"{self.url}: empty summary (finish_reason="
                        f"{choice.get('finish_reason')!r}; if 'length', raise max_tokens)",
                        attempts=attempt,
                    )
                return data, latency, attempt
            pause = min(MAX_WAIT, wait if wait is not None else self._backoff(attempt))
            log.info(
                "%s: attempt %d failed (%s); retrying in %.2fs",
                self.url,
                attempt,
                self._redact(reason),
                pause,
            )
            time.sleep(pause)
        raise AssertionError("unreachable")  # the loop returns or raises on its last attempt

    def _backoff(self, attempt: int) -> float:
        return self._random.uniform(0.0, min(MAX_WAIT, self.backoff * 2 ** (attempt - 1)))

    def _attempt(self, body: dict[str, Any], attempt: int) -> tuple[dict[str, Any], float]:
        started = time.perf_counter()
        try:
            response = self._client.post(self.url, json=body)
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
            raise AdapterError(
                self._redact(f"{self.url}: HTTP {status}{hint}: {_excerpt(response.text)}"),
                attempts=attempt,
            )
        return self._parse(response), latency

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
