"""Opt-in end-to-end tests on real models (``pytest -m realmodel``); each skips, with the reason,
unless run with ``-m realmodel`` and the environment names its model:

- ``SUMBENCH_BERTSCORE_MODEL``: an encoder folder (or cached hub id) for ``bertscore``, with
  ``SUMBENCH_BERTSCORE_LAYERS`` (default 9), e.g. all-mpnet-base-v2;
- ``SUMBENCH_JUDGE_URL``: an OpenAI-compatible server already running (e.g.
  ``http://127.0.0.1:8765/v1``), or ``SUMBENCH_QWEN_GGUF`` (a GGUF chat model) with
  ``SUMBENCH_LLAMA_PYTHON`` (a Python with ``llama-cpp-python[server]``): the test then starts
  llama.cpp's server on 127.0.0.1 and stops it. These run the ``llm`` judge and the ``openai``
  summarizer against it.

Nothing here downloads a model; CI never sets these variables.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import REPO

from bench.request import Summary
from bench.scorers import scorers
from bench.scorers.matchers import Pair, Undecided, match_all, matchers
from bench.task import KeyFact, load_tasks

pytestmark = pytest.mark.realmodel

STATES = "Britain's prime minister said the UK agreed to send troops to Ukraine."
UNRELATED = "France hosted the summit in Paris on Tuesday."
TROOPS = KeyFact(id="troops", text="The UK agreed to send troops to Ukraine.")
RAIN = KeyFact(id="rain", text="Heavy rain flooded the city of Lyon.")


@pytest.fixture(autouse=True)
def _opted_in(request: pytest.FixtureRequest) -> None:
    if "realmodel" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("opt-in: run with -m realmodel (real model files named by env variables)")


def _env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        pytest.skip(f"set {name} to run this test on a real model")
    return value


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def judge_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running OpenAI-compatible server: the one named, or llama.cpp's started here."""
    named = os.environ.get("SUMBENCH_JUDGE_URL", "").strip()
    if named:
        yield named.rstrip("/")
        return
    gguf = os.environ.get("SUMBENCH_QWEN_GGUF", "").strip()
    python = os.environ.get("SUMBENCH_LLAMA_PYTHON", "").strip()
    if not (gguf and python):
        pytest.skip("set SUMBENCH_JUDGE_URL, or SUMBENCH_QWEN_GGUF and SUMBENCH_LLAMA_PYTHON")
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    command = [python, "-m", "llama_cpp.server", "--model", gguf, "--host", "127.0.0.1"]
    command += ["--port", str(port), "--n_ctx", "4096", "--n_threads", str(os.cpu_count() or 1)]
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                pytest.fail(f"llama.cpp server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama.cpp server did not answer within 120 s")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_realmodel_bertscore_equals_bert_score_on_a_bundled_task() -> None:
    import bert_score

    model = _env("SUMBENCH_BERTSCORE_MODEL")
    layers = int(os.environ.get("SUMBENCH_BERTSCORE_LAYERS", "9"))
    scorer = scorers.create("bertscore", model=model, layers=str(layers), sources="true")
    task = next(t for t in load_tasks(REPO / "tasks") if t.id == "paris-summit-002")
    first = task.references[0].text
    own = scorer.score(task, Summary(text=first, reference_id=task.references[0].id)).values
    lead = scorer.score(task, Summary(text=" ".join(task.documents[0].text.split()[:60]))).values
    refs = [r.text for r in task.references]
    _, _, f = bert_score.score([first], [refs[1:]], model_type=model, num_layers=layers)
    assert own["bertscore_f"] == float(f[0])
    assert 0 < lead["bertscore_f"] < 1 and 0 < lead["bertscore_src_p"] <= 1
    # The lead copies the article: its precision against the source beats the reference's.
    assert lead["bertscore_src_p"] > own["bertscore_src_p"]


def _judge(url: str, tmp_path: Path, **params: str) -> object:
    return matchers.create(
        "llm",
        model="real-judge",
        base_url=url,
        api_key_env="none",
        concurrency="1",
        timeout="600",
        cache=str(tmp_path / "verdicts.jsonl"),
        **params,
    )


def test_realmodel_llm_judge_scores_a_stated_fact_above_an_absent_one(
    judge_url: str, tmp_path: Path
) -> None:
    judge = _judge(judge_url, tmp_path)
    pairs = [Pair(TROOPS, (UNRELATED, STATES)), Pair(RAIN, (UNRELATED, STATES))]
    stated, absent = match_all(judge, pairs)  # type: ignore[arg-type]
    assert not isinstance(stated, Undecided) and not isinstance(absent, Undecided)
    assert stated.score is not None and absent.score is not None
    assert stated.present and not absent.present
    assert 0 < absent.score < stated.score < 1  # read from the answer token's log-probability
    assert "2 requests to the judge" in judge.usage()  # type: ignore[attr-defined]


def test_realmodel_llm_judge_per_summary_prompt_answers_every_fact(
    judge_url: str, tmp_path: Path
) -> None:
    judge = _judge(judge_url, tmp_path, prompt="facts-v1")
    sentences = (UNRELATED, STATES)
    found = match_all(judge, [Pair(TROOPS, sentences), Pair(RAIN, sentences)])  # type: ignore[arg-type]
    assert not any(isinstance(f, Undecided) for f in found)
    assert judge.requests == 1  # type: ignore[attr-defined]


def test_realmodel_openai_adapter_summarizes_a_bundled_task_with_the_served_model(
    judge_url: str,
) -> None:
    from bench.adapters import adapters

    task = next(t for t in load_tasks(REPO / "tasks") if t.id == "paris-summit-002")
    summarizer = adapters.create(
        "openai",
        base_url=judge_url,
        model="real-model",
        api_key_env="none",
        timeout="1200",
        context_words="2400",
    )
    summary = summarizer.summarize(task.request())  # type: ignore[attr-defined]
    assert summary.text.strip()
    assert summary.meta["completion_tokens"] > 0
    assert summary.meta["finish_reason"] in ("stop", "length")


def test_realmodel_faithfulness_llm_backend_judges_every_sentence_of_a_summary(
    judge_url: str, tmp_path: Path
) -> None:
    import bench.scorers  # noqa: F401  (loads the scorers before the support engine)
    from bench.scorers.faithfulness import judge_summary
    from bench.support import backends
    from bench.task import Document, Task

    task = Task(
        id="two",
        title="",
        documents=[
            Document(id="bbc", text=f"{UNRELATED} {STATES}", outlet="BBC"),
            Document(id="reuters", text=UNRELATED, outlet="Reuters"),
        ],
        instructions="",
        budget=100,
    )
    backend = backends.create(
        "llm",
        model="real-judge",
        base_url=judge_url,
        api_key_env="none",
        timeout="600",
        cache=str(tmp_path / "verdicts.jsonl"),
    )
    found = judge_summary(backend, task, [UNRELATED, "The summit was held on the Moon."])
    assert found[0].verdict == "supported"  # stated word for word by both documents
    assert found[1].verdict != "supported"
    assert "1 requests to the judge" in backend.usage()  # type: ignore[attr-defined]
