"""Paired comparisons of two stored runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from bench.analysis import Resampling
from bench.cli import app
from bench.compare import compare_runs
from bench.store import Store

runner = CliRunner()


def test_compare_reports_the_paired_difference_of_common_systems(
    bundled_run: Path, degraded_run: Path
) -> None:
    diffs = compare_runs(Store(bundled_run), Store(degraded_run), ["rouge1_f", "kf_recall"])
    assert {d.system for d in diffs} == {"lead"}
    old = Store(bundled_run).scores()
    new = Store(degraded_run).scores()
    for diff in diffs:
        assert diff.test is not None and diff.test.n == 5
        before = old[(old.system == "lead") & (old.metric == diff.metric.name)]["value"].mean()
        after = new[(new.system == "lead") & (new.metric == diff.metric.name)]["value"].mean()
        assert abs(diff.test.delta - (after - before)) < 1e-12
        assert diff.test.low <= diff.test.delta <= diff.test.high


def test_compare_json_is_reproducible_with_the_same_seed(
    bundled_run: Path, degraded_run: Path
) -> None:
    args = ["compare", str(bundled_run), str(degraded_run), "--json", "--seed", "7"]
    first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 0 and first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["signature"] == Resampling(seed=7).signature()
    assert all(d["system"] == "lead" for d in data["differences"])


def test_compare_markdown_lists_interval_and_p(bundled_run: Path, degraded_run: Path) -> None:
    result = runner.invoke(
        app, ["compare", str(bundled_run), str(degraded_run), "--metrics", "kf_recall"]
    )
    assert result.exit_code == 0
    line = next(x for x in result.stdout.splitlines() if x.startswith("| lead"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[1] == "KF" and cells[4].startswith("-") and cells[5].startswith("[")


def test_compare_without_common_systems_is_a_usage_error(bundled_run: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(bundled_run), str(tmp_path)])
    assert result.exit_code == 2


def test_old_and_new_are_means_over_the_common_tasks(bundled_run: Path, tmp_path: Path) -> None:
    """A run over fewer tasks: Old, New and Δ all over the tasks both have, so Δ = New - Old."""
    subset = tmp_path / "subset"
    shutil.copytree(bundled_run, subset)
    scores = pd.read_csv(subset / "scores.csv")
    kept = sorted(set(scores["task_id"]))[:3]
    scores[scores["task_id"].isin(kept)].to_csv(subset / "scores.csv", index=False)
    [diff] = compare_runs(Store(bundled_run), Store(subset), ["rouge1_f"])[:1]
    assert diff.test is not None and diff.test.n == 3
    assert abs(diff.test.delta - (diff.new - diff.old)) < 1e-12
    old = Store(bundled_run).scores()
    rows = old[(old.system == diff.system) & (old.metric == "rouge1_f") & old.task_id.isin(kept)]
    assert abs(diff.old - rows["value"].mean()) < 1e-12
    assert diff.note == "over the 3 common tasks (old run 5, new run 3)"
    markdown = runner.invoke(
        app, ["compare", str(bundled_run), str(subset), "--metrics", "rouge1_f"]
    )
    assert "over the 3 common tasks" in markdown.stdout


def test_compare_rounds_values_as_the_table_does_and_escapes_names() -> None:
    from bench.compare import Difference
    from bench.compare import to_markdown as compare_markdown
    from bench.report.tables import format_value
    from bench.scorers.base import Metric

    metric = Metric("kf_recall", "KF")
    value = 0.6375  # x 100 is 63.749999...: the table shows 63.7
    diff = Difference("a|b\nc", metric, value, value, None, "no task in common")
    text = compare_markdown([diff], Resampling())
    assert format_value(value, metric) == "63.7"
    assert "| a\\|b c | KF | 63.7 | 63.7 |" in text


def test_compare_json_is_strict_json_with_unbounded_intervals(
    bundled_run: Path, tmp_path: Path
) -> None:
    # Two tasks: the sign-flip test cannot bound a difference at 95% (the bounds are infinite).
    two = tmp_path / "two"
    shutil.copytree(bundled_run, two)
    store = Store(two)
    scores = store.scores()
    kept = sorted(set(scores.task_id))[:2]
    scores[scores.task_id.isin(kept)].to_csv(two / "scores.csv", index=False)
    result = runner.invoke(app, ["compare", str(two), str(two), "--json", "--metrics", "rouge1_f"])
    assert result.exit_code == 0, result.output

    def refuse(constant: str) -> None:
        raise AssertionError(f"not JSON: {constant}")

    data = json.loads(result.stdout, parse_constant=refuse)
    assert data["differences"] and all(
        d["low"] is None and d["high"] is None and d["n"] == 2 for d in data["differences"]
    )
    table = runner.invoke(app, ["compare", str(two), str(two), "--metrics", "rouge1_f"])
    assert table.exit_code == 0 and "[−∞, +∞]" in table.stdout  # the table still says so
