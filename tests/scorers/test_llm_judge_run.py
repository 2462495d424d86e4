"""A whole run scored by the ``llm`` key-fact matcher against a judge on a real HTTP server."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bench.run import Run, build_scorers, build_systems
from bench.store import Store
from bench.task import load_tasks

FACT = re.compile(r"Key fact: (.*)")


def test_a_run_scored_by_an_llm_judge_keeps_its_verdicts_and_replays_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    tasks = [t for t in load_tasks(REPO / "tasks") if t.keyfacts][:2]
    asked: list[str] = []
    lock = threading.Lock()

    def judge(request: Request) -> Response:
        text = json.loads(request.data)["messages"][0]["content"]
        fact = FACT.search(text)
        assert fact is not None
        with lock:
            asked.append(fact.group(1))
        # A judge that finds a fact when the summary's first sentence shares its first word.
        first = text.split("Summary:\n1. ")[1].split("\n")[0].lower()
        present = fact.group(1).split()[0].lower() in first
        verdict = {"present": present, "sentence": 1 if present else None}
        body = {"choices": [{"message": {"content": json.dumps(verdict)}}]}
        return Response(json.dumps(body), content_type="application/json")

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request("/v1/chat/completions", method="POST").respond_with_handler(judge)
    server.start()
    cache = tmp_path / "verdicts.jsonl"
    spec = (
        f"keyfacts:matcher=llm,model=judge,base_url={server.url_for('/v1')},"
        f"cache={cache},patterns=ignore,concurrency=3,prompt=finesure-v1"
    )
    try:
        Run(tasks, build_systems(["lead"]), build_scorers([spec]), Store(tmp_path / "a")).execute()
    finally:
        server.stop()
    facts = pd.read_csv(tmp_path / "a" / "facts.csv")
    total = sum(len(t.keyfacts) for t in tasks)
    assert len(facts) == total == len(asked)  # every fact judged once, by the judge
    assert set(facts["matcher"]) == {"llm-v3:judge:finesure-v1"}
    assert facts["present"].any() and not facts["present"].all()
    present = facts[facts["present"]]
    assert present["evidence"].notna().all()  # the judge's sentence is the evidence

    # The server is gone: replaying the cached verdicts gives the same decisions.
    replay = spec + ",replay=true"
    Run(tasks, build_systems(["lead"]), build_scorers([replay]), Store(tmp_path / "b")).execute()
    again = pd.read_csv(tmp_path / "b" / "facts.csv")
    columns = ["task_id", "fact_id", "present", "evidence"]
    assert again[columns].equals(facts[columns])
