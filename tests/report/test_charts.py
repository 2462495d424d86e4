"""Tests for the ROUGE chart (boxes over tasks, means with bootstrap intervals) and for
``write_charts``, which writes every chart of a report."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure

from bench.analysis import Resampling, analyse
from bench.report.charts import _rouge_figure, rouge_chart, write_charts

from .chart_data import (
    ALL_SYSTEMS,
    DIRECTED,
    METRICS,
    ROUGE_F,
    SYSTEMS,
    TASKS,
    assert_png,
    make_facts,
    make_scores,
    noisy_scores,
)


def test_write_charts_writes_rouge_and_one_heatmap_per_task(tmp_path: Path) -> None:
    out = tmp_path / "charts"
    paths = write_charts(make_scores(), make_facts(), METRICS, out, systems_order=SYSTEMS)
    assert paths[0] == out / "rouge.png"
    heatmaps = [p for p in paths[1:] if p.suffix == ".png"]
    pages = [p for p in paths[1:] if p.suffix == ".html"]
    assert len(heatmaps) == len(pages) == len(TASKS)
    assert [p.name for p in heatmaps[:2]] == ["keyfacts-t1.png", "keyfacts-t2.png"]
    assert [p.stem for p in pages] == [p.stem for p in heatmaps]
    for path in paths:
        assert path.parent == out
        if path.suffix == ".png":
            assert_png(path)
    assert sorted(out.iterdir()) == sorted(paths)  # no temporary files left behind
    assert plt.get_fignums() == []


def test_write_charts_without_rouge_or_facts(tmp_path: Path) -> None:
    scores = make_scores()
    scores = scores[~scores["metric"].str.startswith("rouge")]
    empty = make_facts().iloc[0:0]
    assert write_charts(scores, empty, METRICS, tmp_path) == []
    with pytest.raises(ValueError, match="ROUGE"):
        rouge_chart(scores, METRICS, tmp_path / "rouge.png")


def test_rouge_chart_with_a_single_task_and_missing_metric(tmp_path: Path) -> None:
    scores = make_scores()
    scores = scores[(scores["task_id"] == "t1")]
    scores = scores[~((scores["system"] == "lead3") & (scores["metric"] == "rouge2_f"))]
    path = rouge_chart(scores, METRICS, tmp_path / "r.png")
    assert_png(path)


def error_bars(fig: Figure) -> list[tuple[float, float, float, float]]:
    """(x, mean, low, high) of every error bar drawn, sorted by x."""
    bars = []
    for container in fig.axes[0].containers:
        if isinstance(container, ErrorbarContainer):
            data_line, _, (segments,) = container.lines
            points = np.asarray(data_line.get_xydata(), dtype=float)
            for (x, mean), segment in zip(points, segments.get_segments(), strict=True):
                bars.append((float(x), float(mean), float(segment[0][1]), float(segment[1][1])))
    return sorted(bars)


def legend_texts(fig: Figure) -> list[str]:
    legend = fig.axes[0].get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def test_rouge_error_bars_are_the_bootstrap_intervals_scaled() -> None:
    scores = noisy_scores()
    marks = analyse(scores, METRICS, ["oracle"], Resampling(resamples=200, level=0.9)).marks
    fig = _rouge_figure(scores, METRICS, ALL_SYSTEMS, marks)
    try:
        drawn = error_bars(fig)
        legend = legend_texts(fig)
    finally:
        plt.close(fig)
    expected = sorted(
        (i.mean * 100, i.low * 100, i.high * 100)
        for name in ROUGE_F
        for i in marks[name].intervals.values()
    )
    assert len(drawn) == len(ROUGE_F) * len(ALL_SYSTEMS)
    got = sorted((m, lo, hi) for _, m, lo, hi in drawn)
    np.testing.assert_allclose(np.array(got), np.array(expected))
    assert all(lo <= m <= hi and lo < hi for _, m, lo, hi in drawn)
    assert "mean with 90% CI" in legend


def test_rouge_chart_draws_no_bar_without_interval_bounds(tmp_path: Path) -> None:
    scores = noisy_scores(n_tasks=1)
    marks = analyse(scores, METRICS, ["oracle"], Resampling(resamples=50)).marks
    assert all(math.isnan(i.low) for i in marks["rouge1_f"].intervals.values())
    for with_marks in (marks, None):
        fig = _rouge_figure(scores, METRICS, None, with_marks)
        try:
            assert error_bars(fig) == []
            assert "mean" in legend_texts(fig)
        finally:
            plt.close(fig)
    assert_png(rouge_chart(scores, METRICS, tmp_path / "r.png", marks=marks))
    assert plt.get_fignums() == []


def test_same_seed_gives_identical_images(tmp_path: Path) -> None:
    def draw(folder: str, seed: int) -> list[Path]:
        return write_charts(
            noisy_scores(),
            make_facts().iloc[0:0],
            METRICS[:1],
            tmp_path / folder,
            ALL_SYSTEMS,
            bounds=["oracle"],
            analysis=analyse(noisy_scores(), METRICS[:1], ["oracle"], Resampling(60, seed=seed)),
        )

    first, again, other = draw("a", 7), draw("b", 7), draw("c", 8)
    assert [p.name for p in first] == ["rouge.png", "significance-rouge1_f.png"]
    for a, b in zip(first, again, strict=True):
        assert a.read_bytes() == b.read_bytes()
        np.testing.assert_array_equal(matplotlib.image.imread(a), matplotlib.image.imread(b))
    assert first[1].read_bytes() != other[1].read_bytes()


def test_write_charts_with_an_analysis_writes_every_chart(tmp_path: Path) -> None:
    scores = noisy_scores(n_tasks=3)
    facts = make_facts()
    analysis = analyse(scores, METRICS, {"oracle"}, Resampling())
    paths = write_charts(
        scores, facts, METRICS, tmp_path, SYSTEMS, bounds={"oracle"}, analysis=analysis
    )
    names = [p.name for p in paths]
    assert names[0] == "rouge.png"
    assert names[1 : 1 + len(DIRECTED)] == [f"significance-{n}.png" for n in DIRECTED]
    assert len(names) == 1 + len(DIRECTED) + 2 * len(TASKS)
    for path in paths:
        if path.suffix == ".png":
            assert_png(path)
    # Without an analysis: the ROUGE chart without intervals and no significance matrices.
    only = write_charts(scores, facts.iloc[0:0], METRICS, tmp_path / "m")
    assert [p.name for p in only] == ["rouge.png"]
    assert plt.get_fignums() == []
