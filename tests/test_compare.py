"""Paired comparisons of two stored runs."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bench.cli import app
from bench.compare import compare_runs
from bench.report.significance import Resampling
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
