"""A chat-completions server on 127.0.0.1 that answers with scripted responses (and faults)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

PATH = "/v1/chat/completions"
FAKE_KEY = "sk-test-Zq8v3LkP0wNj4rT7yXc2"


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
    """A 200 response with ``body`` (a completion by default)."""
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
    """One HTTP server per test module."""
    http = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    http.start()
    yield http
    http.clear()
    http.stop()


@pytest.fixture
def serve(server: HTTPServer) -> Iterator[Callable[..., Script]]:
    """``serve(*responses)`` installs a :class:`Script` at the chat-completions path."""
    server.clear()

    def install(*responses: Answer) -> Script:
        script = Script(*responses)
        server.expect_request(PATH, method="POST").respond_with_handler(script)
        return script

    yield install
    server.clear()


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
