"""Tests for the charts: the ROUGE chart and the per-task key-fact heatmaps."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from bench.report.charts import fact_heatmaps, rouge_chart, safe_name, write_charts
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
    heatmaps = paths[1:]
    assert len(heatmaps) == len(TASKS)
    assert [p.name for p in heatmaps[:2]] == ["keyfacts-t1.png", "keyfacts-t2.png"]
    for path in paths:
        assert path.parent == out
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
    assert len(paths) == len(TASKS)
    for path in paths:
        assert_png(path)


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
