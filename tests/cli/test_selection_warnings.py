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


def test_an_empty_shard_is_an_empty_run_that_merges_with_the_others(tmp_path: Path) -> None:
    # Shards split by a hash of the ids: of one task, shard 2/2 gets none. A CI matrix job for
    # it must pass, and the merge of both shards is the unsharded run.
    table = tmp_path / "one.jsonl"
    table.write_text('{"id": "a", "documents": "The council approved the bridge on Monday."}\n')
    shards = []
    for shard in ("1/2", "2/2"):
        out = tmp_path / f"shard-{shard[0]}"
        args = ["run", "--tasks", str(table), "--out", str(out), "--shard", shard]
        result = runner.invoke(app, [*args, *QUICK])
        assert result.exit_code == 0, result.stderr
        shards.append(str(out))
    assert "shard 2/2 holds none of the selected tasks" in result.stderr
    merged = runner.invoke(
        app, ["merge", *shards, "--out", str(tmp_path / "merged"), "--no-charts"]
    )
    assert merged.exit_code == 0, merged.stderr
    whole = runner.invoke(
        app, ["run", "--tasks", str(table), "--out", str(tmp_path / "whole"), *QUICK]
    )
    assert whole.exit_code == 0, whole.stderr
    table_of = lambda name: (tmp_path / name / "table.csv").read_text()  # noqa: E731
    assert table_of("merged") == table_of("whole")
