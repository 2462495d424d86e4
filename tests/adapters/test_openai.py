"""The openai adapter against a real HTTP server on 127.0.0.1: the request it builds, what it
records, its parameters; the client's retries and faults are tested in tests/clients."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clients.chat_server import FAKE_KEY, Answer, completion, ok
from pytest_httpserver import HTTPServer
from werkzeug import Response

from bench.adapters import AdapterError, adapters
from bench.adapters.openai import OpenAIChat
from bench.adapters.prompts import fit_documents, load_prompt
from bench.request import RequestDocument, SummaryRequest

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


@pytest.fixture
def make(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    made: list[OpenAIChat] = []

    def build(**params: Any) -> OpenAIChat:
        """The adapter as a spec makes it (parameters may be text, as on the command line)."""
        defaults = {"base_url": server.url_for("/v1"), "model": "m", "backoff": 0.001}
        adapter = adapters.create("openai", **{**defaults, **params})
        assert isinstance(adapter, OpenAIChat)
        made.append(adapter)
        return adapter

    yield build
    for adapter in made:
        adapter.close()


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


# ----------------------------------------------------------------------------------- faults


def test_a_failed_request_is_an_adapter_error_with_attempts_and_transience(
    serve: Any, make: Any
) -> None:
    script = serve(Response("busy", 503), Response("busy", 503), Response("bad", 400))
    with pytest.raises(AdapterError, match="HTTP 503: busy") as caught:
        make(retries="1").summarize(REQUEST)
    assert caught.value.attempts == 2 and caught.value.transient is True
    with pytest.raises(AdapterError, match="HTTP 400: bad") as caught:
        make(retries="1").summarize(REQUEST)
    assert caught.value.attempts == 1 and caught.value.transient is False
    assert len(script.requests) == 3


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


# ------------------------------------------------------------------------------------ secrets


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


# ---------------------------------------------------------------------------------- parameters


def test_string_parameters_from_the_command_line_are_converted() -> None:
    adapter = adapters.create(
        "openai",
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
    assert isinstance(adapter, OpenAIChat)
    assert (adapter.temperature, adapter.max_tokens, adapter.seed) == (0.5, None, 7)
    client = adapter.client
    assert (client.timeout, adapter.concurrency, client.concurrency) == (2.5, 16, 16)
    assert (client.retries, client.backoff, adapter.context_words) == (0, 0.1, 1000)
    adapter.close()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"base_url": "127.0.0.1:8000/v1"}, "'base_url' expects an http"),
        ({"base_url": "http://me:hunter2@127.0.0.1:8000/v1"}, "must not hold credentials"),
        ({"model": " "}, "'model' must not be empty"),
        ({"temperature": "hot"}, "'temperature' expects a number, got 'hot'"),
        ({"temperature": "-1"}, "'temperature' expects a number >= 0, got -1.0"),
        ({"timeout": "0"}, "'timeout' expects a number > 0, got 0.0"),
        ({"concurrency": "0"}, "'concurrency' expects an integer >= 1, got 0"),
        ({"retries": "-1"}, "'retries' expects an integer >= 0, got -1"),
        ({"backoff": "nan"}, "'backoff' expects a number >= 0, got nan"),
        ({"max_tokens": "lots"}, "'max_tokens' expects an integer or none, got 'lots'"),
        ({"context_words": "0"}, "'context_words' expects an integer >= 1, got 0"),
        ({"prompt": "Summarize {text}"}, r"unknown placeholder \{text\}"),
        ({"prompt": "Summarize in {budget} words."}, r"no \{documents\} placeholder"),
        ({"prompt": "@/no/such/prompt.txt"}, "cannot read template file"),
    ],
)
def test_bad_parameters_are_clear_errors(params: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        adapters.create("openai", **{"base_url": "http://127.0.0.1:1/v1", "model": "m", **params})
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


def test_a_key_echoed_into_the_completion_is_redacted_in_the_summary(
    serve: Any, make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    serve(ok(completion(f"The bridge was approved. Your key is {FAKE_KEY}.")))
    summary = make().summarize(REQUEST)
    assert FAKE_KEY not in summary.text and "[redacted]" in summary.text


def test_a_completion_far_over_the_budget_is_flagged_and_capped(serve: Any, make: Any) -> None:
    serve(ok(completion("word " * 50_000)))
    summary = make().summarize(REQUEST)
    cap = 10 * REQUEST.budget
    assert summary.meta["over_budget"] is True and summary.meta["completion_words"] == 50_000
    assert summary.meta["words"] == cap and len(summary.text.split()) == cap
