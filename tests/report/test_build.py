"""Rebuilding a run's report: tables with intervals and marks, analysed once for tables and
charts."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import bench.analysis
from bench.analysis import Resampling
from bench.report.build import build_report
from bench.store import Store, StoreError


def test_same_seed_reproduces_identical_tables(bundled_run: Path, tmp_path: Path) -> None:
    store = Store(bundled_run)
    first = build_report(store, charts=False, resampling=Resampling(seed=11))
    tex = (bundled_run / "table.tex").read_text()
    assert build_report(store, charts=False, resampling=Resampling(seed=11)) == first
    assert (bundled_run / "table.tex").read_text() == tex
    other = build_report(store, charts=False, resampling=Resampling(seed=12))
    assert other != first and "seed:12" in other
    build_report(store, charts=False)  # leave the default tables for other tests


def test_table_shows_intervals_bold_and_daggers(bundled_run: Path) -> None:
    store = Store(bundled_run)
    table = build_report(store, charts=False, baseline_system="lead", ci_style="brackets")
    lead = next(line for line in table.splitlines() if line.startswith("| lead"))
    assert " [" in lead and "]" in lead
    assert "†: significantly different from lead" in table
    assert (
        "`ci:percentile|resamples:1000|level:0.95|seed:0|unit:task|test:sign-flip|exact-max-n:20|"
        "permutations:10000`" in table
    )
    csv = pd.read_csv(bundled_run / "table.csv")
    assert {"rouge1_f_low", "rouge1_f_high"} <= set(csv.columns)
    assert (csv["rouge1_f_low"] <= csv["rouge1_f"]).all()
    tex = (bundled_run / "table.tex").read_text()
    assert r"$^\dagger$" in tex
    with pytest.raises(StoreError, match="baseline system 'nope'"):
        build_report(store, charts=False, baseline_system="nope")
    build_report(store, charts=False)


def test_a_report_analyses_each_metric_once_for_its_tables_and_charts(
    bundled_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = tmp_path / "run"
    shutil.copytree(bundled_run, run)
    calls: Counter[str] = Counter()
    mark_metric = bench.analysis.mark_metric

    def counting(matrix: pd.DataFrame, metric: Any, *args: Any) -> bench.analysis.MetricMarks:
        calls[metric.name] += 1
        return mark_metric(matrix, metric, *args)

    monkeypatch.setattr(bench.analysis, "mark_metric", counting)
    build_report(Store(run), baseline_system="lead")
    assert (run / "charts" / "rouge.png").is_file()
    assert "rouge1_f" in calls and "kf_recall" in calls
    assert set(calls.values()) == {1}
