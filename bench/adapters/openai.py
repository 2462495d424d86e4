"""The ``openai`` adapter: any OpenAI-compatible chat-completions endpoint.

Works with vLLM, llama.cpp's server, Ollama, ``transformers serve`` and hosted APIs:
``openai:base_url=http://127.0.0.1:8000/v1,model=qwen2.5-7b-instruct,concurrency=8``.
Requests go through :class:`bench.clients.openai.ChatClient`, which keeps the API key (read from
the environment variable named by ``api_key_env``) in the HTTP header only and retries
timeouts, 429 and 5xx. An empty summary is an error, never a result.
"""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Mapping
from typing import Any

import httpx

from bench.adapters.base import AdapterError, Summarizer, register_adapter
from bench.adapters.prompts import fit_documents, load_prompt, render_documents
from bench.clients.openai import ChatClient, RequestFailed
from bench.params import at_least
from bench.request import Summary, SummaryRequest
from bench.text import count_words

NAME = "openai"
COMPONENT = f"adapter {NAME!r}"
OVER_BUDGET_FACTOR = 10
"""A completion over this many times the budget (in words) is flagged ``over_budget`` and cut
to that length: kept and visible, but one runaway cannot swamp a table's Words mean."""

_SECRET_PARAM = re.compile(
    r"api_?key|secret|passw(or)?d|authori[sz]ation|bearer|^(access_|auth_|api_)?token$|^key$",
    re.IGNORECASE,
)


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
        temperature: float = 0.0,
        max_tokens: int | None = None,
        seed: int | None = 0,
        timeout: float = 60.0,
        concurrency: int = 4,
        retries: int = 5,
        backoff: float = 1.0,
        context_words: int | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        **unknown: str,
    ) -> None:
        self._refuse(unknown)
        if not model.strip():
            raise ValueError(f"{COMPONENT}: parameter 'model' must not be empty")
        self.model = model.strip()
        self.prompt = load_prompt(prompt, f"{COMPONENT}: parameter 'prompt'")
        self.temperature = at_least(COMPONENT, "temperature", temperature, 0.0)
        self.max_tokens = at_least(COMPONENT, "max_tokens", max_tokens, 1)
        self.seed = seed
        self.context_words = at_least(COMPONENT, "context_words", context_words, 1)
        self.client = ChatClient(
            base_url,
            component=COMPONENT,
            api_key_env=api_key_env,
            timeout=timeout,
            concurrency=concurrency,
            retries=retries,
            backoff=backoff,
            transport=transport,
        )
        self.concurrency = self.client.concurrency

    @classmethod
    def _refuse(cls, unknown: Mapping[str, str]) -> None:
        secret = [name for name in unknown if _SECRET_PARAM.search(name)]
        if secret:
            raise ValueError(
                f"{COMPONENT}: refusing parameter {secret[0]!r}: a key given as a parameter "
                "would be stored with the run. Put it in an environment variable and pass its "
                "name: api_key_env=OPENAI_API_KEY"
            )
        if unknown:
            hidden = ("unknown", "transport")  # transport: for callers in Python, not specs
            accepted = [p for p in inspect.signature(cls).parameters if p not in hidden]
            raise TypeError(
                f"{COMPONENT} has no parameter {', '.join(map(repr, sorted(unknown)))}; "
                f"it takes: {', '.join(accepted)}"
            )

    def cache_identity(self) -> dict[str, str]:
        """The prompt's hash: a template file (or the default prompt) may change under its name."""
        return {"prompt": self.prompt.digest()}

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

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
        try:
            completion = self.client.complete(body)
        except RequestFailed as error:
            raise AdapterError(
                str(error), attempts=error.attempts, transient=error.transient
            ) from None
        data, choice = completion.data, completion.choice
        text = self.client.redact(completion.content.strip())  # a server echoing the key
        words = count_words(text)
        limit = OVER_BUDGET_FACTOR * request.budget
        if words > limit:  # kept, flagged, and cut so one runaway cannot swamp the means
            facts = {**facts, "over_budget": True, "completion_words": words}
            text = " ".join(text.split()[:limit])
        usage = data.get("usage")
        usage = usage if isinstance(usage, dict) else {}
        return Summary(
            text=text,
            meta={
                "latency_s": round(completion.latency, 4),
                "elapsed_s": round(time.perf_counter() - started, 4),
                "prompt_tokens": usage.get("prompt_tokens"),
                "completion_tokens": usage.get("completion_tokens"),
                "finish_reason": choice.get("finish_reason"),
                "attempts": completion.attempts,
                "model": data.get("model") or self.model,
                "requested_model": self.model,
                "words": min(words, limit),
                **facts,
            },
        )
