"""Tests for the charts: the ROUGE chart with intervals, the significance matrices and the per-task
key-fact heatmaps."""

from __future__ import annotations

import math
import re
from pathlib import Path

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.text import Text

from bench import stats
from bench.report.charts import (
    _cell_text,
    _fact_matrices,
    _rouge_figure,
    _significance_figure,
    fact_heatmaps,
    format_p,
    rouge_chart,
    safe_name,
    significance_data,
    significance_matrices,
    write_charts,
)
from bench.report.significance import Resampling, analyse
from bench.scorers.base import Metric

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
METRICS = [
    Metric("rouge1_f", "R-1"),
    Metric("rouge2_f", "R-2"),
    Metric("rougeLsum_f", "R-Lsum"),
    Metric("rouge1_p", "R-1 P"),  # not an F metric: not charted
    Metric("kf_recall", "KF"),
    Metric("words", "Words", higher_is_better=None, scale=1.0, digits=0),
]
SYSTEMS = ["lead3", "textrank", "llm_zero_shot"]
TASKS = ["t1", "t2", "news/2024: a b"]  # the last one is unsafe in a file name
FACTS = ["who", "what", "when", "where"]


def make_scores() -> pd.DataFrame:
    """Scores for 3 systems + the oracle bound over 3 tasks."""
    rows = []
    for s, system in enumerate([*SYSTEMS, "oracle"]):
        for t, task in enumerate(TASKS):
            for m, metric in enumerate(METRICS):
                value = 0.15 + 0.1 * s + 0.05 * t - 0.05 * m
                rows.append((task, system, "x", metric.name, value * (200 if m == 5 else 1)))
    return pd.DataFrame(rows, columns=["task_id", "system", "scorer", "metric", "value"])


def make_facts() -> pd.DataFrame:
    """Fact decisions; ``human`` has two samples per task, so its cells are fractions."""
    rows = []
    for t, task in enumerate(TASKS):
        for f, fact in enumerate(FACTS[: 3 + (t > 0)]):
            for s, system in enumerate(SYSTEMS):
                rows.append((task, system, "", fact, 1.0, (f + s + t) % 2 == 0, "ev", "pattern"))
            for sample, present in (("r40", True), ("r100", f % 2 == 0)):
                rows.append((task, "human", sample, fact, 1.0, present, "ev", "pattern"))
    columns = ["task_id", "system", "sample", "fact_id", "weight", "present", "evidence", "matcher"]
    return pd.DataFrame(rows, columns=columns)


def assert_png(path: Path) -> None:
    assert path.is_file()
    assert path.read_bytes()[:8] == PNG_MAGIC
    image = matplotlib.image.imread(path)
    assert image.ndim == 3
    assert image.shape[0] > 100
    assert image.shape[1] > 100
    assert image.shape[2] in (3, 4)


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


def test_unsafe_task_ids_are_sanitised() -> None:
    name = safe_name("news/2024: a b")
    assert name.startswith("news_2024_a_b-")
    assert "/" not in name
    assert " " not in name
    assert safe_name("t1") == "t1"
    assert safe_name("a/b") != safe_name("a:b")
    assert safe_name("..") != ".."


def test_heatmaps_accept_fractions_and_bool_or_float_presence(tmp_path: Path) -> None:
    facts = make_facts()
    facts["present"] = facts["present"].astype(float)
    facts.loc[facts["system"] == "human", "present"] = 0.5
    paths = fact_heatmaps(facts, tmp_path)
    assert len(paths) == 2 * len(TASKS)
    for path in paths[::2]:
        assert_png(path)


def test_heatmap_cells_show_the_score_and_the_page_the_evidence(tmp_path: Path) -> None:
    facts = make_facts()
    facts["score"] = [0.25 + 0.5 * bool(p) + 0.01 * (i % 7) for i, p in enumerate(facts["present"])]
    facts.loc[0, "evidence"] = "Storm <b>hit</b> & flooded."
    one = facts[facts["task_id"] == "t1"]
    fact_ids, matrix, scores, counts = _fact_matrices(one, [*SYSTEMS, "human"])
    assert fact_ids == FACTS[:3]
    first = one[(one["fact_id"] == "who") & (one["system"] == "lead3")]
    assert matrix[0, 0] == float(first["present"].iloc[0])
    assert scores[0, 0] == float(first["score"].iloc[0])
    assert counts[:, :3].tolist() == [[1, 1, 1]] * 3 and counts[:, 3].tolist() == [2, 2, 2]
    assert matrix[1, 3] == 0.5  # human's two samples of "what": present, absent
    assert _cell_text(1.0, 0.8123) == "0.81" and _cell_text(0.0, 0.0) == "0"
    assert _cell_text(0.5, 0.6, samples=2) == "1/2" and _cell_text(1.0, 0.7, 2) == "2/2"
    assert _cell_text(0.0) == "0" and _cell_text(float("nan"), 0.3) == "–"
    png, page = fact_heatmaps(facts, tmp_path)[:2]
    assert_png(png)
    text = page.read_text(encoding="utf-8")
    assert "Storm &lt;b&gt;hit&lt;/b&gt; &amp; flooded." in text  # escaped, not markup
    assert (
        f"present {facts.loc[0, 'score']:.2f}" in text
        or f"absent {facts.loc[0, 'score']:.2f}" in text
    )
    assert text.count("<tr>") == 1 + 3  # header and t1's three facts
    assert "r40: " in text and "r100: " in text  # the human bound's samples, one line each


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


# --- intervals and significance ------------------------------------------------------------------

ROUGE_F = ["rouge1_f", "rouge2_f", "rougeLsum_f"]
DIRECTED = ["rouge1_f", "rouge2_f", "rougeLsum_f", "rouge1_p", "kf_recall"]
ALL_SYSTEMS = [*SYSTEMS, "oracle"]


def noisy_scores(n_tasks: int = 12, seed: int = 0) -> pd.DataFrame:
    """Scores with per-task noise, so that intervals and p-values vary with the resampling."""
    rng = np.random.default_rng(seed)
    rows = []
    for s, system in enumerate(ALL_SYSTEMS):
        for t in range(n_tasks):
            for metric in METRICS:
                value = float(np.clip(0.3 + 0.04 * s + rng.normal(0, 0.12), 0, 1))
                rows.append((f"t{t}", system, "x", metric.name, value))
    return pd.DataFrame(rows, columns=["task_id", "system", "scorer", "metric", "value"])


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


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


def test_rouge_error_bars_are_the_bootstrap_intervals_scaled() -> None:
    scores = noisy_scores()
    marks = analyse(scores, METRICS, ["oracle"], Resampling(resamples=200, level=0.9))
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
    marks = analyse(scores, METRICS, ["oracle"], Resampling(resamples=50))
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
    assert data.method == "paired-bootstrap"
    assert np.isnan(np.diag(data.p_values)).all()
    np.testing.assert_array_equal(data.p_values, data.p_values.T)
    tests = analyse(scores, [metric], ["oracle"], resampling, "lead3")[metric.name].tests
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


def test_same_seed_gives_identical_images(tmp_path: Path) -> None:
    def draw(folder: str, seed: int) -> list[Path]:
        return write_charts(
            noisy_scores(),
            make_facts().iloc[0:0],
            METRICS[:1],
            tmp_path / folder,
            ALL_SYSTEMS,
            bounds=["oracle"],
            resampling=Resampling(resamples=60, seed=seed),
        )

    first, again, other = draw("a", 7), draw("b", 7), draw("c", 8)
    assert [p.name for p in first] == ["rouge.png", "significance-rouge1_f.png"]
    for a, b in zip(first, again, strict=True):
        assert a.read_bytes() == b.read_bytes()
        np.testing.assert_array_equal(matplotlib.image.imread(a), matplotlib.image.imread(b))
    assert first[1].read_bytes() != other[1].read_bytes()


def test_write_charts_with_resampling_writes_every_chart(tmp_path: Path) -> None:
    scores = noisy_scores(n_tasks=3)
    facts = make_facts()
    paths = write_charts(
        scores, facts, METRICS, tmp_path, SYSTEMS, bounds={"oracle"}, resampling=Resampling()
    )
    names = [p.name for p in paths]
    assert names[0] == "rouge.png"
    assert names[1 : 1 + len(DIRECTED)] == [f"significance-{n}.png" for n in DIRECTED]
    assert len(names) == 1 + len(DIRECTED) + 2 * len(TASKS)
    for path in paths:
        if path.suffix == ".png":
            assert_png(path)
    # Given marks are drawn as they are, without a resampling.
    marks = analyse(scores, METRICS, ["oracle"], Resampling(resamples=50))
    only = write_charts(scores, facts.iloc[0:0], METRICS, tmp_path / "m", marks=marks)
    assert [p.name for p in only] == ["rouge.png"]
    assert plt.get_fignums() == []
