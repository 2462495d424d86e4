"""A selection that is not what was asked says so: a sample larger than the set, an empty shard."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO
from typer.testing import CliRunner

from bench.cli import app

runner = CliRunner()
QUICK = ["--systems", "lead", "--scorers", "stats", "--no-charts"]


def test_a_sample_larger_than_the_set_warns(tmp_path: Path) -> None:
    tasks = ["--tasks", str(REPO / "tasks"), "--out", str(tmp_path / "run")]
    result = runner.invoke(app, ["run", *tasks, "--sample", "99", *QUICK])
    assert result.exit_code == 0, result.stderr
    assert "--sample 99 asked for more tasks than the task set holds (5)" in result.stderr


def test_a_selection_without_tasks_is_an_error(tmp_path: Path) -> None:
    table = tmp_path / "one.jsonl"
    table.write_text('{"id": "a", "documents": "The council approved the bridge on Monday."}\n')
    args = ["run", "--tasks", str(table), "--out", str(tmp_path / "run"), "--shard", "2/2"]
    result = runner.invoke(app, [*args, *QUICK])
    assert result.exit_code == 2 and "holds no task" in result.stderr
