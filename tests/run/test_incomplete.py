"""Incomplete data is visible: SIGTERM marks a run interrupted, and report, compare and check say
above their tables that a run did not complete (which systems, how many tasks each)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from conftest import REPO
from typer.testing import CliRunner

from bench.cli import app

from .test_resume import SLOW, run_cli

runner = CliRunner()


@pytest.mark.slow  # a sumbench subprocess signalled mid-run: ~3.5 s
def test_sigterm_marks_the_run_interrupted_and_report_says_so(tmp_path: Path) -> None:
    (tmp_path / "slow_summ.py").write_text(SLOW)
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "SUMBENCH_CACHE": str(tmp_path / "cache")}
    out = tmp_path / "run"
    args = ["run", "--tasks", str(REPO / "tasks"), "--no-charts", "--out", str(out)]
    args += ["--systems", "python:function=slow_summ:summarize,name=slow", "--systems", "lead"]
    args += ["--scorers", "stats"]
    process = run_cli(args, env)
    outputs = out / "outputs.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if outputs.exists() and '"slow"' in outputs.read_text():
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert json.loads((out / "run.json").read_text())["status"] == "interrupted"

    report = runner.invoke(app, ["report", str(out), "--no-charts"])
    assert report.exit_code == 0, report.stderr
    assert "**Incomplete: the run is interrupted" in report.stdout
    assert "systems were scored on different tasks (" in report.stdout
    assert "slow " in report.stdout and "of 5 tasks" in report.stdout

    compared = runner.invoke(app, ["compare", str(out), str(out)])
    assert compared.exit_code == 0 and "Incomplete: run A" in compared.stdout
    checked = runner.invoke(app, ["check", str(out), "--baseline", str(out)])
    assert "Incomplete: the run" in checked.stdout
