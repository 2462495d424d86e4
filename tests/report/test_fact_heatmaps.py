"""Tests for the key-fact heatmaps: one PNG per task, cells from the stored decisions."""

from __future__ import annotations

from pathlib import Path

from bench.report.fact_heatmaps import _cell_text, _fact_matrices, fact_heatmaps

from .chart_data import FACTS, SYSTEMS, TASKS, assert_png, make_facts


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
