"""The openai adapter end to end against a real ``transformers serve`` on 127.0.0.1.

The server runs the tiny random Llama built in the test, from its temporary folder, offline.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytest.importorskip("torch", reason="transformers serve needs the 'hf' extra (torch)")
pytest.importorskip("transformers", reason="transformers serve needs the 'hf' extra")

from transformers.utils.import_utils import is_serve_available

from bench.adapters import adapters
from bench.adapters.openai import OpenAIChat
from bench.request import RequestDocument, SummaryRequest

from .tiny_models import build_tiny_llama

READY_TIMEOUT = 120.0
REQUEST = SummaryRequest(
    task_id="t1",
    instructions="Summarize the news.",
    budget=10,
    documents=(
        RequestDocument(
            id="d1",
            title="Bridge",
            text="The council approved the new bridge on Monday. Work starts in May.",
        ),
    ),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def log_tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


# Starts a transformers serve process with a tiny model it builds (about 10 s).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, model name) of a running server; stopped at the end whatever happens."""
    if not is_serve_available():
        pytest.skip("transformers serve needs fastapi, uvicorn, openai and pydantic")
    model = build_tiny_llama(tmp_path_factory.mktemp("served-llama"))
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_UPDATE_CHECK": "1",  # the CLI otherwise asks PyPI for a newer release
        "OMP_NUM_THREADS": "1",
    }
    command = [
        *(sys.executable, "-m", "transformers.cli.transformers", "serve", str(model)),
        *("--host", "127.0.0.1", "--port", str(port), "--device", "cpu"),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"transformers serve exited with {process.returncode}:\n{log_tail(log)}"
                )
            try:
                if httpx.get(f"{base}/health", timeout=2.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"transformers serve not ready in {READY_TIMEOUT:g}s:\n{log_tail(log)}")
            time.sleep(0.5)
        yield f"{base}/v1", str(model)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_openai_adapter_summarizes_through_transformers_serve(server: tuple[str, str]) -> None:
    base_url, model = server
    adapter = adapters.create(
        "openai", base_url=base_url, model=model, api_key_env="none", max_tokens="16", timeout="60"
    )
    assert isinstance(adapter, OpenAIChat)
    summary = adapter.summarize(REQUEST)
    assert summary.text.strip()
    assert summary.meta["prompt_tokens"] > 0
    assert 0 < summary.meta["completion_tokens"] <= 16
    assert summary.meta["finish_reason"] in ("stop", "length")
