"""The openai adapter against a real HTTP server on 127.0.0.1, with injected faults."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bench.adapters import AdapterError, adapters
from bench.adapters.openai import OpenAIChat, retry_after
from bench.adapters.prompts import fit_documents, load_prompt
from bench.request import RequestDocument, SummaryRequest

PATH = "/v1/chat/completions"
FAKE_KEY = "sk-test-Zq8v3LkP0wNj4rT7yXc2"

REQUEST = SummaryRequest(
    task_id="t1",
    instructions="Summarize the news.",
    budget=40,
    documents=(RequestDocument(id="d1", text="The council approved the new bridge on Monday."),),
)
CLUSTER = SummaryRequest(
    task_id="t2",
    instructions="Summarize the story.",
    budget=60,
    documents=(
        RequestDocument(
            id="a",
            title="Bridge approved",
            outlet="BBC",
            date="2024-05-06",
            text="one two three four five six seven eight nine ten eleven twelve",
        ),
        RequestDocument(id="b", title="Works in May", outlet="Reuters", text="alpha beta gamma"),
        RequestDocument(id="c", text="x y z w v u"),
    ),
)


def completion(content: str | None = " A bridge was approved. ", **extra: Any) -> dict[str, Any]:
    """A chat-completions response body as servers send it."""
    return {
        "id": "cmpl-1",
        "object": "chat.completion",
        "model": "served-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 120, "completion_tokens": 7, "total_tokens": 127},
        **extra,
    }


def ok(body: dict[str, Any] | None = None) -> Response:
    return Response(json.dumps(body or completion()), 200, content_type="application/json")


Answer = Response | Callable[[Request], Response]


class Script:
    """Answers requests with the given responses in turn (the last one repeats); records them."""

    def __init__(self, *responses: Answer) -> None:
        self.responses = list(responses)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(json.loads(request.get_data()))
            self.headers.append({k.lower(): v for k, v in request.headers.items()})
            index = len(self.requests) - 1
            answer = self.responses[min(index, len(self.responses) - 1)]
        return answer if isinstance(answer, Response) else answer(request)


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    http = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    http.start()
    yield http
    http.clear()
    http.stop()


@pytest.fixture
def serve(server: HTTPServer) -> Iterator[Any]:
    server.clear()

    def install(*responses: Answer) -> Script:
        script = Script(*responses)
        server.expect_request(PATH, method="POST").respond_with_handler(script)
        return script

    yield install
    server.clear()


@pytest.fixture
def make(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    made: list[OpenAIChat] = []

    def build(**params: Any) -> OpenAIChat:
        adapter = OpenAIChat(
            **{"base_url": server.url_for("/v1"), "model": "m", "backoff": 0.001, **params}
        )
        made.append(adapter)
        return adapter

    yield build
    for adapter in made:
        adapter.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ----------------------------------------------------------------------------- success and body


def test_summary_is_the_stripped_content_with_usage_and_timing_in_meta(
    serve: Any, make: Any
) -> None:
    serve(ok())
    summary = make().summarize(REQUEST)
    assert summary.text == "A bridge was approved."
    meta = summary.meta
    assert meta["prompt_tokens"] == 120 and meta["completion_tokens"] == 7
    assert meta["finish_reason"] == "stop" and meta["model"] == "served-model"
    assert meta["attempts"] == 1 and meta["words"] == 4
    assert meta["truncated_documents"] is False and meta["kept_words"] == meta["input_words"] == 8
    assert 0 <= meta["latency_s"] <= meta["elapsed_s"]


def test_missing_usage_is_recorded_as_none(serve: Any, make: Any) -> None:
    body = completion()
    del body["usage"], body["model"]
    serve(ok(body))
    meta = make(model="asked").summarize(REQUEST).meta
    assert meta["prompt_tokens"] is None and meta["completion_tokens"] is None
    assert meta["model"] == "asked"


def test_request_body_has_model_sampling_limits_and_the_prompt(serve: Any, make: Any) -> None:
    script = serve(ok())
    make(temperature="0.7", seed="42").summarize(REQUEST)
    body = script.requests[0]
    assert body["model"] == "m" and body["temperature"] == 0.7 and body["seed"] == 42
    assert body["max_tokens"] == 2 * 40 + 64
    system, user = body["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    assert "The council approved the new bridge on Monday." in user["content"]
    assert "Summarize the news." in user["content"]
    assert "at most 40 words" in user["content"]


def test_explicit_max_tokens_and_no_seed(serve: Any, make: Any) -> None:
    script = serve(ok())
    make(max_tokens="300", seed="none").summarize(REQUEST)
    assert script.requests[0]["max_tokens"] == 300
    assert "seed" not in script.requests[0]


def test_base_url_may_end_with_a_slash_or_the_endpoint(
    serve: Any, make: Any, server: HTTPServer
) -> None:
    script = serve(ok())
    make(base_url=server.url_for("/v1/")).summarize(REQUEST)
    make(base_url=server.url_for(PATH)).summarize(REQUEST)
    assert len(script.requests) == 2


# ----------------------------------------------------------------------------------- faults


def test_429_with_retry_after_zero_then_success(serve: Any, make: Any) -> None:
    script = serve(Response("slow down", 429, headers={"Retry-After": "0"}), ok())
    summary = make(backoff=30).summarize(REQUEST)  # a backoff sleep would stall the test
    assert summary.meta["attempts"] == 2 and len(script.requests) == 2


def test_500_twice_then_success(serve: Any, make: Any) -> None:
    script = serve(Response("oops", 500), Response("oops", 502), ok())
    assert make().summarize(REQUEST).meta["attempts"] == 3
    assert len(script.requests) == 3


def test_400_fails_at_once_with_the_status_and_body_excerpt(serve: Any, make: Any) -> None:
    script = serve(Response('{"error": {"message": "context length exceeded"}}', 400), ok())
    with pytest.raises(AdapterError) as caught:
        make().summarize(REQUEST)
    assert caught.value.attempts == 1 and caught.value.transient is False
    assert "HTTP 400" in str(caught.value) and "context length exceeded" in str(caught.value)
    assert len(script.requests) == 1


def test_401_without_a_key_names_the_missing_variable(serve: Any, make: Any) -> None:
    serve(Response("unauthorized", 401))
    with pytest.raises(AdapterError, match="OPENAI_API_KEY is not set"):
        make().summarize(REQUEST)


def test_5xx_until_retries_run_out_is_a_transient_error(serve: Any, make: Any) -> None:
    script = serve(Response("busy", 503))
    with pytest.raises(AdapterError, match="HTTP 503: busy") as caught:
        make(retries="2").summarize(REQUEST)
    assert caught.value.attempts == 3 and caught.value.transient is True
    assert len(script.requests) == 3


def test_malformed_json_is_retried_once(serve: Any, make: Any) -> None:
    serve(Response('{"choices": [', 200, content_type="application/json"), ok())
    assert make().summarize(REQUEST).meta["attempts"] == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<html>gateway</html>", "response is not JSON: <html>gateway</html>"),
        ('{"choices": []}', r"no choices\[0\].message.content"),
        ('{"error": {"message": "bad model"}}', "bad model"),
    ],
)
def test_malformed_twice_is_a_permanent_error(
    serve: Any, make: Any, body: str, message: str
) -> None:
    script = serve(Response(body, 200))
    with pytest.raises(AdapterError, match=message) as caught:
        make().summarize(REQUEST)
    assert caught.value.attempts == 2 and caught.value.transient is False
    assert len(script.requests) == 2


@pytest.mark.parametrize("content", ["", "  \n ", None])
def test_empty_content_is_an_error_never_an_empty_summary(
    serve: Any, make: Any, content: str | None
) -> None:
    body = completion(content)
    body["choices"][0]["finish_reason"] = "length"
    serve(ok(body))
    with pytest.raises(AdapterError, match=r"empty summary.*'length'") as caught:
        make().summarize(REQUEST)
    assert caught.value.attempts == 1


def test_a_stalled_response_times_out_and_the_retry_succeeds(serve: Any, make: Any) -> None:
    def stall(request: Request) -> Response:
        time.sleep(0.8)
        return ok()

    serve(stall, ok())
    started = time.perf_counter()
    summary = make(timeout="0.3").summarize(REQUEST)
    assert summary.meta["attempts"] == 2
    assert time.perf_counter() - started < 0.8


def test_connection_refused_is_transient_after_the_retries(make: Any) -> None:
    adapter = make(base_url=f"http://127.0.0.1:{closed_port()}/v1", retries=3)
    with pytest.raises(AdapterError, match="gave up after 4 attempts: ConnectError") as caught:
        adapter.summarize(REQUEST)
    assert caught.value.attempts == 4 and caught.value.transient is True


def test_retry_after_reads_seconds_milliseconds_and_http_dates() -> None:
    now = datetime(2024, 5, 6, 12, 0, 0, tzinfo=UTC)
    assert retry_after({"retry-after": "3"}) == 3.0
    assert retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after({"retry-after": "Mon, 06 May 2024 12:00:05 GMT"}, now) == 5.0
    assert retry_after({"retry-after": "Mon, 06 May 2024 11:00:00 GMT"}, now) == 0.0
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after({}) is None


# ------------------------------------------------------------------------------------ secrets


def test_authorization_is_bearer_key_when_the_variable_is_set(
    serve: Any, make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = serve(ok())
    monkeypatch.setenv("MY_LLM_KEY", FAKE_KEY)
    make(api_key_env="MY_LLM_KEY").summarize(REQUEST)
    assert script.headers[0]["authorization"] == f"Bearer {FAKE_KEY}"


def test_no_authorization_without_the_variable_or_with_api_key_env_none(
    serve: Any, make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = serve(ok())
    make().summarize(REQUEST)
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    make(api_key_env="none").summarize(REQUEST)
    assert all("authorization" not in headers for headers in script.headers)


def test_the_key_never_leaks_into_meta_errors_logs_or_output(
    serve: Any,
    make: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def echo(status: int) -> Answer:
        return lambda request: Response(f"you sent {request.headers['Authorization']}", status)

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    serve(echo(500), ok(), echo(500), echo(400))
    adapter = make()
    summary = adapter.summarize(REQUEST)
    with pytest.raises(AdapterError) as caught:
        adapter.summarize(REQUEST)
    seen = [
        json.dumps(summary.model_dump()),
        str(caught.value),
        repr(caught.value),
        caplog.text,
        json.dumps(adapter.cache_identity()),
        repr(adapter),
        *capsys.readouterr(),
    ]
    assert "[redacted]" in str(caught.value) and "[redacted]" in caplog.text
    assert not [text for text in seen if FAKE_KEY in text]


def test_a_key_given_as_a_parameter_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("api_key", "key", "openai_api_key", "token"):
        with pytest.raises(ValueError, match="api_key_env") as caught:
            adapters.create(
                "openai", base_url="http://127.0.0.1:1/v1", model="m", **{name: FAKE_KEY}
            )
        assert FAKE_KEY not in str(caught.value)


def test_a_key_given_as_api_key_env_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="NAME of an environment variable") as caught:
        OpenAIChat(base_url="http://127.0.0.1:1/v1", model="m", api_key_env=FAKE_KEY)
    assert FAKE_KEY not in str(caught.value)


# ---------------------------------------------------------------------------------- parameters


def test_string_parameters_from_the_command_line_are_converted() -> None:
    adapter = OpenAIChat(
        base_url="http://127.0.0.1:1/v1",
        model="m",
        temperature="0.5",
        max_tokens="none",
        seed="7",
        timeout="2.5",
        concurrency="16",
        retries="0",
        backoff="0.1",
        context_words="1000",
    )
    assert (adapter.temperature, adapter.max_tokens, adapter.seed) == (0.5, None, 7)
    assert (adapter.timeout, adapter.concurrency, adapter.retries) == (2.5, 16, 0)
    assert (adapter.backoff, adapter.context_words) == (0.1, 1000)
    adapter.close()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"base_url": "127.0.0.1:8000/v1"}, "'base_url' expects an http"),
        ({"base_url": "http://me:hunter2@127.0.0.1:8000/v1"}, "must not hold credentials"),
        ({"model": " "}, "'model' must not be empty"),
        ({"temperature": "hot"}, "'temperature' expects a number >= 0"),
        ({"timeout": "0"}, "'timeout' expects a number > 0"),
        ({"concurrency": "0"}, "'concurrency' expects an integer >= 1"),
        ({"retries": "-1"}, "'retries' expects an integer >= 0"),
        ({"backoff": "nan"}, "'backoff' expects a number >= 0"),
        ({"max_tokens": "lots"}, "'max_tokens' expects an integer >= 1"),
        ({"context_words": "0"}, "'context_words' expects an integer >= 1"),
        ({"prompt": "Summarize {text}"}, r"unknown placeholder \{text\}"),
        ({"prompt": "Summarize in {budget} words."}, r"no \{documents\} placeholder"),
        ({"prompt": "@/no/such/prompt.txt"}, "cannot read template file"),
    ],
)
def test_bad_parameters_are_clear_errors(params: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        OpenAIChat(**{"base_url": "http://127.0.0.1:1/v1", "model": "m", **params})
    assert "adapter 'openai'" in str(caught.value)


def test_unknown_parameters_are_named() -> None:
    with pytest.raises(TypeError, match="no parameter 'temprature'; it takes: base_url, model"):
        OpenAIChat(base_url="http://127.0.0.1:1/v1", model="m", temprature="0")


# ---------------------------------------------------------------------------------- prompting


def test_multi_document_prompt_numbers_documents_with_title_outlet_and_date(
    serve: Any, make: Any
) -> None:
    script = serve(ok())
    make().summarize(CLUSTER)
    user = script.requests[0]["messages"][-1]["content"]
    assert "Document 1: Bridge approved\nSource: BBC, 2024-05-06\n\none two" in user
    assert "Document 2: Works in May\nSource: Reuters\n\nalpha beta gamma" in user
    assert "Document 3\n\nx y z w v u" in user
    assert "same story" in user and "at most 60 words" in user


def test_single_document_prompt_has_no_numbering(serve: Any, make: Any) -> None:
    script = serve(ok())
    make().summarize(REQUEST)
    assert "Document 1" not in script.requests[0]["messages"][-1]["content"]


def test_context_truncation_is_proportional_and_recorded(serve: Any, make: Any) -> None:
    script = serve(ok())
    meta = make(context_words=7).summarize(CLUSTER).meta
    assert meta["truncated_documents"] is True
    assert (meta["input_words"], meta["kept_words"]) == (21, 7)
    user = script.requests[0]["messages"][-1]["content"]
    # 12, 3 and 6 words scaled to 7: shares 4.0, 1.0, 2.0
    assert "one two three four\n" in user and "five" not in user
    assert "alpha\n" in user and "beta" not in user
    assert "x y\n" in user and " z " not in user


def test_fit_documents_keeps_exactly_the_limit_by_largest_remainder() -> None:
    _, kept = fit_documents(CLUSTER.documents, 10)
    assert kept == [6, 1, 3] and sum(kept) == 10
    same, kept = fit_documents(CLUSTER.documents, 21)
    assert same == CLUSTER.documents and kept == [12, 3, 6]


def test_prompt_file_with_sections_and_its_hash_in_the_cache_identity(
    serve: Any, make: Any, tmp_path: Path
) -> None:
    path = tmp_path / "prompt.txt"
    path.write_text(
        "[system]\nBe brief.\n[user]\nText: {documents}\nIn {budget} words. {instructions}\n"
        '[user:multi]\nCluster:\n{documents}\nReturn {"json": true}\n',
        encoding="utf-8",
    )
    script = serve(ok())
    adapter = make(prompt=f"@{path}")
    adapter.summarize(REQUEST)
    adapter.summarize(CLUSTER)
    single, multi = (request["messages"] for request in script.requests)
    assert single[0] == {"role": "system", "content": "Be brief."}
    assert single[1]["content"] == (
        "Text: The council approved the new bridge on Monday.\nIn 40 words. Summarize the news."
    )
    assert multi[1]["content"].startswith("Cluster:\nDocument 1: Bridge approved")
    assert multi[1]["content"].endswith('Return {"json": true}')
    before = adapter.cache_identity()
    path.write_text("[system]\n[user]\n{documents}\n", encoding="utf-8")
    changed = make(prompt=f"@{path}")
    assert changed.cache_identity() != before and changed.prompt.system is None


def test_plain_prompt_keeps_the_default_system_message() -> None:
    prompt = load_prompt("Summarize: {documents}")
    assert prompt.system == load_prompt(None).system and prompt.user == prompt.user_multi


# --------------------------------------------------------------------------------- concurrency


def test_parallel_calls_overlap(serve: Any, make: Any) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.2)
        return ok()

    serve(slow)
    adapter = make(concurrency=8)
    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        summaries = list(pool.map(adapter.summarize, [REQUEST] * 8))
    elapsed = time.perf_counter() - started
    assert all(s.meta["attempts"] == 1 for s in summaries)
    assert elapsed < 0.8  # sequential calls would take 1.6 s
