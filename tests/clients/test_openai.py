"""The OpenAI-compatible client against a real HTTP server on 127.0.0.1, with injected faults."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bench.clients.openai import ChatClient, RequestFailed, retry_after

from .chat_server import FAKE_KEY, PATH, Answer, closed_port, completion, ok

BODY = {"model": "m", "messages": [{"role": "user", "content": "Summarize."}]}
COMPONENT = "adapter 'openai'"


@pytest.fixture
def make(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    made: list[ChatClient] = []

    def build(**params: Any) -> ChatClient:
        client = ChatClient(
            **{
                "base_url": server.url_for("/v1"),
                "component": COMPONENT,
                "backoff": 0.001,
                **params,
            }
        )
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()


# ----------------------------------------------------------------------------- success and url


def test_a_completion_has_the_response_its_latency_and_the_attempts(serve: Any, make: Any) -> None:
    script = serve(ok())
    found = make().complete(BODY)
    assert found.content == " A bridge was approved. " and found.data["model"] == "served-model"
    assert found.attempts == 1 and found.latency >= 0
    assert script.requests == [BODY]


def test_base_url_may_end_with_a_slash_or_the_endpoint(
    serve: Any, make: Any, server: HTTPServer
) -> None:
    script = serve(ok())
    make(base_url=server.url_for("/v1/")).complete(BODY)
    make(base_url=server.url_for(PATH)).complete(BODY)
    assert len(script.requests) == 2


# ----------------------------------------------------------------------------------- faults


def test_429_with_retry_after_zero_then_success(serve: Any, make: Any) -> None:
    script = serve(Response("slow down", 429, headers={"Retry-After": "0"}), ok())
    found = make(backoff=30).complete(BODY)  # a backoff sleep would stall the test
    assert found.attempts == 2 and len(script.requests) == 2


def test_500_twice_then_success(serve: Any, make: Any) -> None:
    script = serve(Response("oops", 500), Response("oops", 502), ok())
    assert make().complete(BODY).attempts == 3
    assert len(script.requests) == 3


def test_400_fails_at_once_with_the_status_and_body_excerpt(serve: Any, make: Any) -> None:
    script = serve(Response('{"error": {"message": "context length exceeded"}}', 400), ok())
    with pytest.raises(RequestFailed) as caught:
        make().complete(BODY)
    assert caught.value.attempts == 1 and caught.value.transient is False
    assert "HTTP 400" in str(caught.value) and "context length exceeded" in str(caught.value)
    assert len(script.requests) == 1


def test_401_without_a_key_names_the_missing_variable(serve: Any, make: Any) -> None:
    serve(Response("unauthorized", 401))
    with pytest.raises(RequestFailed, match="OPENAI_API_KEY is not set"):
        make().complete(BODY)


def test_5xx_until_retries_run_out_is_a_transient_error(serve: Any, make: Any) -> None:
    script = serve(Response("busy", 503))
    with pytest.raises(RequestFailed, match="HTTP 503: busy") as caught:
        make(retries=2).complete(BODY)
    assert caught.value.attempts == 3 and caught.value.transient is True
    assert len(script.requests) == 3


def test_malformed_json_is_retried_once(serve: Any, make: Any) -> None:
    serve(Response('{"choices": [', 200, content_type="application/json"), ok())
    assert make().complete(BODY).attempts == 2


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
    with pytest.raises(RequestFailed, match=message) as caught:
        make().complete(BODY)
    assert caught.value.attempts == 2 and caught.value.transient is False
    assert len(script.requests) == 2


@pytest.mark.parametrize("content", ["", "  \n ", None])
def test_empty_content_is_an_error_never_an_empty_reply(
    serve: Any, make: Any, content: str | None
) -> None:
    body = completion(content)
    body["choices"][0]["finish_reason"] = "length"
    serve(ok(body))
    with pytest.raises(RequestFailed, match=r"empty summary.*'length'") as caught:
        make().complete(BODY)
    assert caught.value.attempts == 1


def test_a_stalled_response_times_out_and_the_retry_succeeds(serve: Any, make: Any) -> None:
    def stall(request: Request) -> Response:
        time.sleep(0.8)
        return ok()

    serve(stall, ok())
    started = time.perf_counter()
    assert make(timeout=0.3).complete(BODY).attempts == 2
    assert time.perf_counter() - started < 0.8


def test_connection_refused_is_transient_after_the_retries(make: Any) -> None:
    client = make(base_url=f"http://127.0.0.1:{closed_port()}/v1", retries=3)
    with pytest.raises(RequestFailed, match="gave up after 4 attempts: ConnectError") as caught:
        client.complete(BODY)
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
    make(api_key_env="MY_LLM_KEY").complete(BODY)
    assert script.headers[0]["authorization"] == f"Bearer {FAKE_KEY}"


def test_no_authorization_without_the_variable_or_with_api_key_env_none(
    serve: Any, make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = serve(ok())
    make().complete(BODY)
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    make(api_key_env="none").complete(BODY)
    make(api_key_env=None).complete(BODY)
    assert all("authorization" not in headers for headers in script.headers)


def test_the_key_never_leaks_into_errors_or_logs(
    serve: Any,
    make: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def echo(status: int) -> Answer:
        return lambda request: Response(f"you sent {request.headers['Authorization']}", status)

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    serve(echo(500), ok(), echo(500), echo(400))
    client = make()
    client.complete(BODY)
    with pytest.raises(RequestFailed) as caught:
        client.complete(BODY)
    assert "[redacted]" in str(caught.value) and "[redacted]" in caplog.text
    assert FAKE_KEY not in f"{caught.value} {caught.value!r} {caplog.text} {client!r}"


def test_a_key_given_as_api_key_env_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="NAME of an environment variable") as caught:
        ChatClient("http://127.0.0.1:1/v1", component=COMPONENT, api_key_env=FAKE_KEY)
    assert FAKE_KEY not in str(caught.value)


# ---------------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"base_url": "127.0.0.1:8000/v1"}, "'base_url' expects an http"),
        ({"base_url": "http://me:hunter2@127.0.0.1:8000/v1"}, "must not hold credentials"),
        ({"timeout": 0.0}, "'timeout' expects a number > 0, got 0.0"),
        ({"concurrency": 0}, "'concurrency' expects an integer >= 1, got 0"),
        ({"retries": -1}, "'retries' expects an integer >= 0, got -1"),
        ({"backoff": float("nan")}, "'backoff' expects a number >= 0, got nan"),
    ],
)
def test_bad_parameters_name_the_component_parameter_and_value(
    params: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        ChatClient(**{"base_url": "http://127.0.0.1:1/v1", "component": COMPONENT, **params})
    assert str(caught.value).startswith(f"{COMPONENT}: ")


# --------------------------------------------------------------------------------- concurrency


def test_parallel_calls_overlap(serve: Any, make: Any) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.2)
        return ok()

    serve(slow)
    client = make(concurrency=8)
    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(client.complete, [BODY] * 8))
    elapsed = time.perf_counter() - started
    assert all(f.attempts == 1 for f in found)
    assert elapsed < 0.8  # sequential calls would take 1.6 s


def trickle(request: Request) -> Response:
    """A 200 whose body arrives one byte every 0.2 s."""
    body = b'{"choices": [{"message": {"content": "A bridge."}}]}'

    def chunks() -> Iterator[bytes]:
        for byte in body:
            time.sleep(0.2)
            yield bytes([byte])

    return Response(chunks(), 200, content_type="application/json")


def test_timeout_is_a_total_deadline_even_for_a_trickling_body(serve: Any, make: Any) -> None:
    serve(trickle)
    client = make(timeout=1.0, retries=0)
    started = time.monotonic()
    with pytest.raises(RequestFailed, match="timed out"):
        client.complete(BODY)
    assert time.monotonic() - started < 4.0  # the body alone would take over 10 s


@pytest.mark.parametrize(
    "url",
    ["http://user:pw@127.0.0.1:1/v1", "http://127.0.0.1:1/v1?api_key=sk-hidden-123"],
)
def test_a_secret_in_base_url_is_refused_without_printing_it(url: str) -> None:
    with pytest.raises(ValueError, match="must not hold credentials") as refused:
        ChatClient(base_url=url, component=COMPONENT)
    assert "sk-hidden-123" not in str(refused.value) and "pw@" not in str(refused.value)
