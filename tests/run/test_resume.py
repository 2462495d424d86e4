"""A run killed with SIGKILL mid-way resumes and ends with every item exactly once."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import REPO

SLOW = """
import time

def summarize(request):
    time.sleep(0.4)
    return " ".join(request.documents[0].text.split()[:20])
"""


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_killed_run_resumes_with_every_item_exactly_once(tmp_path: Path, workers: str) -> None:
    (tmp_path / "slow_summ.py").write_text(SLOW)
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "SUMBENCH_CACHE": str(tmp_path / "cache")}
    out = tmp_path / "run"
    args = [
        "run",
        "--tasks",
        str(REPO / "tasks"),
        "--no-charts",
        "--out",
        str(out),
        "--systems",
        "python:function=slow_summ:summarize,name=slow",
        "--systems",
        "lead",
        "--scorers",
        "rouge",
        "--scorers",
        "stats",
        "--score-workers",
        workers,
    ]
    first = run_cli(args, env)
    outputs = out / "outputs.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (
            outputs.exists()
            and sum(1 for line in outputs.read_text().splitlines() if '"slow"' in line) >= 2
        ):
            break
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    before = [json.loads(line) for line in outputs.read_text().splitlines() if line.strip()]
    assert 2 <= sum(r["system"] == "slow" for r in before) < 5, "kill landed too late to test"

    second = run_cli(args, env)
    stdout, stderr = second.communicate(timeout=120)
    assert second.returncode == 0, stderr

    records = [json.loads(line) for line in outputs.read_text().splitlines() if line.strip()]
    per_item = Counter((r["task_id"], r["system"]) for r in records if not r.get("error"))
    assert len(per_item) == 10 and set(per_item.values()) == {1}
    with (out / "scores.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    keys = Counter((r["task_id"], r["system"], r["scorer"], r["metric"]) for r in rows)
    assert set(keys.values()) == {1}
    assert len({(t, s) for t, s, _, _ in keys}) == 10
    assert json.loads((out / "run.json").read_text())["status"] == "complete"
    assert "| slow |" in stdout
