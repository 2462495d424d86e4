"""Tests for the significance matrices: paired p-values between every two systems per directed
metric, the same tests the tables run, and how they are drawn."""

from __future__ import annotations

import math
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bench import stats
from bench.analysis import Resampling, analyse
from bench.report.significance_chart import (
    _significance_figure,
    format_p,
    significance_data,
    significance_matrices,
)
from bench.scorers.base import Metric

from .chart_data import ALL_SYSTEMS, DIRECTED, METRICS, assert_png, noisy_scores, texts


def test_significance_matrix_per_directed_metric_only(tmp_path: Path) -> None:
    paths = significance_matrices(
        noisy_scores(), METRICS, ["oracle"], Resampling(resamples=100), tmp_path, ALL_SYSTEMS
    )
    assert [p.name for p in paths] == [f"significance-{name}.png" for name in DIRECTED]
    for path in paths:
        assert_png(path)
    assert not (tmp_path / "significance-words.png").exists()
    assert sorted(tmp_path.iterdir()) == sorted(paths)
    assert plt.get_fignums() == []


def test_significance_skipped_with_fewer_than_two_tasks_or_systems(tmp_path: Path) -> None:
    resampling = Resampling(resamples=50)
    one_task = noisy_scores(n_tasks=1)
    assert significance_matrices(one_task, METRICS, [], resampling, tmp_path) == []
    one_system = noisy_scores()
    one_system = one_system[one_system["system"] == "lead3"]
    assert significance_matrices(one_system, METRICS, [], resampling, tmp_path) == []
    # Only lead3 has every task: the others are left out, which leaves too few systems.
    gaps = noisy_scores()
    gaps = gaps[(gaps["system"] == "lead3") | (gaps["task_id"] != "t0")]
    assert significance_data(gaps, METRICS[0], [], resampling) is None
    assert list(tmp_path.iterdir()) == []


def test_significance_data_matches_the_table_tests() -> None:
    scores = noisy_scores()
    scores = scores[~((scores["system"] == "textrank") & (scores["task_id"] == "t5"))]
    resampling = Resampling(resamples=300, seed=4)
    metric = METRICS[0]
    order = ["oracle", "llm_zero_shot", "lead3", "textrank"]
    data = significance_data(scores, metric, ["oracle"], resampling, order)
    assert data is not None
    assert data.systems == ["llm_zero_shot", "lead3", "oracle"]  # bounds last
    assert data.excluded == ["textrank"]
    assert data.n_tasks == 12
    assert data.method == "exact-sign-flip"  # the default test, exact at 12 tasks
    assert np.isnan(np.diag(data.p_values)).all()
    np.testing.assert_array_equal(data.p_values, data.p_values.T)
    tests = analyse(scores, [metric], ["oracle"], resampling, "lead3").marks[metric.name].tests
    index = {s: i for i, s in enumerate(data.systems)}
    compared = [(a, b) for a, b in tests if a in index and b in index]
    assert compared
    for a, b in compared:
        assert data.p_values[index[a], index[b]] == pytest.approx(tests[a, b].p_value)
        assert data.deltas[index[a], index[b]] == pytest.approx(tests[a, b].delta)
    # Better means a higher mean, or a lower one for a metric where lower is better.
    lower = Metric(metric.name, "L", higher_is_better=False)
    flipped = significance_data(scores, lower, ["oracle"], resampling, order)
    assert flipped is not None
    off = ~np.eye(3, dtype=bool)
    np.testing.assert_array_equal(data.better()[off], ~flipped.better()[off])


def test_significance_figure_title_caption_and_cells() -> None:
    resampling = Resampling(resamples=100, method="approximate-randomization")
    data = significance_data(noisy_scores(n_tasks=6), METRICS[0], ["oracle"], resampling)
    assert data is not None
    assert data.method == stats.EXACT_RANDOMIZATION  # 2**6 sign flips <= 1,000 trials
    fig = _significance_figure(data, resampling)
    try:
        title = fig.get_suptitle()
        found = texts(fig)
    finally:
        plt.close(fig)
    assert "R-1" in title
    assert "exact randomization" in title
    assert "6 tasks" in title
    assert resampling.signature() in "\n".join(found)
    cells = [t for t in found if re.fullmatch(r"[▲▼] (<0\.001|[01]\.\d+)", t)]
    assert len(cells) == 4 * 3
    assert "oracle (bound)" in found


@pytest.mark.parametrize(("level", "legend"), [(0.95, 5), (0.9, 5), (0.99, 3)])
def test_significance_legend_has_a_p_below_001_shade_only_above_it(
    level: float, legend: int
) -> None:
    resampling = Resampling(resamples=50, level=level)
    data = significance_data(noisy_scores(n_tasks=4), METRICS[0], [], resampling)
    assert data is not None
    fig = _significance_figure(data, resampling)
    try:
        labels = [t.get_text() for t in fig.legends[0].get_texts()]
    finally:
        plt.close(fig)
    assert len(labels) == legend
    assert f"not significant (p ≥ {1 - level:g})" in labels


def test_p_values_are_truncated_not_rounded() -> None:
    assert format_p(0.0004) == "<0.001"
    assert format_p(50 / 1001) == "0.049"  # significant at 0.05: must not read "0.050"
    assert format_p(0.05) == "0.050"
    assert format_p(0.29) == "0.29"
    assert format_p(1.0) == "1.00"
    assert format_p(math.nan) == "–"
