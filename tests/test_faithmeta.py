"""Faithfulness meta-evaluation: judgments read (documented format, FRANK's fields, mappings, bad
input), FRANK's measure and the other figures, unscored summaries, the ``sumbench meta`` path."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from scipy import stats
from typer.testing import CliRunner

from bench import faithmeta
from bench.cli.meta import calibrate_command, meta_command
from bench.correlation import (
    balanced_accuracy,
    cluster_resamples,
    partial_correlation,
    percentile_interval,
)
from bench.faithjudgments import load_faith_judgments
from bench.meta import JudgmentError
from bench.report import faith_meta
from bench.scorers.faithfulness import Faithfulness

ARTICLES = {
    "a1": (
        "The city council approved a new budget of 40 million dollars on Monday. "
        "Mayor Helen Ortiz said the money would repair bridges and schools. "
        "Two council members voted against the plan."
    ),
    "a2": (
        "A storm brought heavy rain to the coast on Friday. "
        "Officials closed three highways after flooding near the harbour. "
        "No injuries were reported by the fire department."
    ),
    "a3": (
        "The museum opened an exhibition of Roman coins in March. "
        "Curator James Patel said the coins were found by a farmer in 2019. "
        "Tickets cost 12 euros for adults."
    ),
    "a4": (
        "The football club signed a young striker from Brazil on Tuesday. "
        "Coach Maria Lopez said the player would join training next week. "
        "The transfer fee was not disclosed."
    ),
}
FAITHFUL = {
    "a1": [
        "The city council approved a new budget of 40 million dollars on Monday.",
        "Mayor Helen Ortiz said the money would repair bridges and schools.",
    ],
    "a2": [
        "A storm brought heavy rain to the coast on Friday.",
        "Officials closed three highways after flooding near the harbour.",
    ],
    "a3": [
        "The museum opened an exhibition of Roman coins in March.",
        "Tickets cost 12 euros for adults.",
    ],
    "a4": [
        "The football club signed a young striker from Brazil on Tuesday.",
        "Coach Maria Lopez said the player would join training next week.",
    ],
}
MADE_UP = {
    "a1": "Governor Frank Wilson vetoed a tax on Swiss chocolate imports.",
    "a2": "Thousands of Norwegian tourists were evacuated by helicopter pilots.",
    "a3": "Archaeologist Karl Svensson sold golden Viking helmets to Japanese collectors.",
    "a4": "Chelsea paid 90 million pounds for a veteran Argentine goalkeeper.",
}
SYSTEMS = ("s1", "s2", "s3")


def _record(doc: str, system: str, faithful_units: int) -> dict[str, Any]:
    """A summary of two units, ``faithful_units`` of them copied from the article."""
    units = FAITHFUL[doc][:faithful_units] + [MADE_UP[doc]] * (2 - faithful_units)
    return {
        "article_id": doc,
        "system": system,
        "dataset": "news" if doc in ("a1", "a2") else "blogs",
        "article": ARTICLES[doc],
        "summary": " ".join(units),
        "summary_sentences": units,
        "factuality": faithful_units / 2,
        "all_factual": int(faithful_units == 2),
        "published_metrics": {"Other": 0.5 + 0.1 * faithful_units},
    }


def frank_rows() -> list[dict[str, Any]]:
    """FRANK-shaped rows: each system faithful on some articles and not on others."""
    pattern = {"s1": (2, 2, 1, 0), "s2": (0, 1, 2, 2), "s3": (1, 0, 2, 1)}
    return [
        _record(doc, system, pattern[system][k])
        for system in SYSTEMS
        for k, doc in enumerate(ARTICLES)
    ]


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------- statistics


def test_partial_correlation_is_pearson_and_spearman_of_system_demeaned_values() -> None:
    rng = np.random.default_rng(3)
    groups = np.repeat(["a", "b", "c"], 20)
    metric, human = rng.normal(size=60), rng.normal(size=60)
    m, h = metric.copy(), human.copy()
    for g in "abc":
        m[groups == g] -= m[groups == g].mean()
        h[groups == g] -= h[groups == g].mean()
    assert partial_correlation(metric, human, groups) == pytest.approx(stats.pearsonr(m, h)[0])
    assert partial_correlation(metric, human, groups, "spearman") == pytest.approx(
        stats.spearmanr(m, h)[0]
    )


def test_partial_correlation_ignores_agreement_that_only_comes_from_system_means() -> None:
    rng = np.random.default_rng(0)
    groups = np.repeat([0, 1, 2, 3], 50)
    human = groups + rng.normal(scale=0.1, size=200)
    metric = groups + rng.normal(scale=0.1, size=200)  # agrees on systems, noise within
    assert stats.pearsonr(metric, human)[0] > 0.95
    assert abs(partial_correlation(metric, human, groups)) < 0.2


def test_balanced_accuracy_averages_class_recalls_and_needs_both_classes() -> None:
    assert balanced_accuracy([1, 1, 1, 0], [1, 1, 0, 0]) == pytest.approx((1 + 0.5) / 2)
    assert math.isnan(balanced_accuracy([1, 0], [1, 1]))


def test_cluster_resamples_draw_whole_clusters_with_the_same_seed() -> None:
    clusters = np.array(["x", "x", "y", "z", "z", "z"])
    draws = cluster_resamples(clusters, 30, seed=4)
    assert [d.tolist() for d in draws] == [d.tolist() for d in cluster_resamples(clusters, 30, 4)]
    for d in draws:
        labels = clusters[d].tolist()
        assert labels.count("x") % 2 == 0 and labels.count("z") % 3 == 0
    assert percentile_interval([1.0, 2.0, math.nan, 3.0], 0.5) == (1.5, 2.5)


# ------------------------------------------------------------------------------------ judgments


def test_frank_fields_are_read_as_they_are(tmp_path: Path) -> None:
    found = load_faith_judgments(write(tmp_path / "j.jsonl", frank_rows()))
    first = found[0]
    assert (first.id, first.doc_id, first.system, first.subset) == ("a1:s1", "a1", "s1", "news")
    assert first.documents == (ARTICLES["a1"],) and len(first.sentences) == 2
    assert (first.score, first.label, first.metrics) == (1.0, 1, {"Other": 0.7})


def test_other_field_names_map_and_documents_may_be_a_list(tmp_path: Path) -> None:
    row = {
        "doc": "d1",
        "system": "s",
        "documents": [{"id": "x", "text": "One."}, "Two."],
        "summary": "One.",
        "human": 0.25,
    }
    (found,) = load_faith_judgments(
        write(tmp_path / "j.jsonl", [row]), {"doc_id": "doc", "score": "human"}
    )
    assert (found.doc_id, found.score, found.documents) == ("d1", 0.25, ("One.", "Two."))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"factuality": "high"}, "`score` / `factuality`: got 'high'"),
        ({"all_factual": 2}, "`label` / `all_factual`: got 2; expected 0 or 1"),
        ({"article": ""}, "`documents` / `document` / `article`"),
        ({"sentence_labels": [1]}, "1 labels for 2 `sentences`"),
        ({"factuality": None, "all_factual": None}, "no human judgment: expected `score`"),
    ],
)
def test_bad_judgments_name_the_line_field_and_expectation(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    rows = frank_rows()[:2]
    rows[1].update(change)
    with pytest.raises(JudgmentError) as caught:
        load_faith_judgments(write(tmp_path / "j.jsonl", rows))
    assert "j.jsonl:2:" in str(caught.value) and message in str(caught.value)


# ------------------------------------------------------------------------------------- figures


def _scored(tmp_path: Path, rows: list[dict[str, Any]]) -> faithmeta.ScoredRun:
    judgments = load_faith_judgments(write(tmp_path / "j.jsonl", rows))
    return faithmeta.score_judgments(Faithfulness(), judgments)


def test_lexical_scores_agree_with_clear_human_judgments(tmp_path: Path) -> None:
    run = _scored(tmp_path, frank_rows())
    report = faithmeta.evaluate(run, resamples=100)
    row = faith_meta.pooled(report, "faithful")
    assert row is not None and row.n == 12 and row.systems == 3
    assert row.spearman.value > 0.9 and row.pearson.value > 0.9
    assert row.spearman.low <= row.spearman.value <= row.spearman.high
    everything = faith_meta.pooled(report, "faithful_all")
    assert everything is not None and everything.balanced is not None
    assert everything.balanced.value == pytest.approx(1.0)
    assert {r.subset for r in report.rows} == {"all", "news", "blogs"}
    assert faith_meta.pooled(report, "Other") is not None  # the rows' own metrics beside
    assert report.unscored == [] and report.sentences == 24


def test_a_summary_the_scorer_cannot_score_is_counted_never_dropped(tmp_path: Path) -> None:
    rows = frank_rows()
    rows[0].update(summary="", summary_sentences=[])
    run = _scored(tmp_path, rows)
    report = faithmeta.evaluate(run, resamples=20)
    assert report.unscored == [
        ("a1:s1", "the summary is empty: nothing to check against the sources")
    ]
    assert faith_meta.pooled(report, "faithful").n == 11  # type: ignore[union-attr]
    assert "Could not score 1 summaries" in faith_meta.to_markdown(report)


def test_per_sentence_agreement_compares_supported_with_the_labels(tmp_path: Path) -> None:
    rows = frank_rows()
    for row in rows:
        row["sentence_labels"] = [int(u not in MADE_UP.values()) for u in row["summary_sentences"]]
    rows[0]["sentence_labels"] = [0, 1]  # one wrong label: the judge disagrees on it
    report = faithmeta.evaluate(_scored(tmp_path, rows), resamples=20)
    pooled = report.sentence_rows[0]
    assert pooled.subset == "all" and pooled.agreement.n == 24
    assert pooled.agreement.accuracy == pytest.approx(23 / 24)


# ----------------------------------------------------------------------------------------- CLI


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("meta")(meta_command)
    app.command("calibrate")(calibrate_command)
    return app


def test_meta_command_reports_faithfulness_judgments_and_writes_files(tmp_path: Path) -> None:
    path = write(tmp_path / "j.jsonl", frank_rows())
    out = tmp_path / "o"
    result = CliRunner().invoke(_app(), ["meta", str(path), "--boot", "30", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "| faithful | all | 12 |" in result.stdout
    assert "backend:lexical-v2" in result.stdout and "resamples:30" in result.stdout
    assert {p.name for p in out.iterdir()} == {
        "meta.md",
        "meta.json",
        "meta_summaries.csv",
        "meta_claims.csv",
    }
    data = json.loads((out / "meta.json").read_text())
    assert data["summaries"] == 12 and data["unscored"] == []
    assert len((out / "meta_claims.csv").read_text().splitlines()) == 25


def test_meta_command_takes_a_backend_spec_and_reports_bad_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "j.jsonl", frank_rows())
    strict = CliRunner().invoke(
        _app(), ["meta", str(path), "--boot", "10", "--scorer", "faithfulness:threshold=0.99"]
    )
    assert strict.exit_code == 0, strict.output
    assert "threshold:0.99" in strict.stdout
    bad = CliRunner().invoke(_app(), ["meta", str(path), "--scorer", "faithfulness:backend=nope"])
    assert bad.exit_code == 2 and "unknown support backend 'nope'" in bad.output
    rows = frank_rows()
    rows[3]["factuality"] = "n/a"
    broken = CliRunner().invoke(_app(), ["meta", str(write(tmp_path / "b.jsonl", rows))])
    assert broken.exit_code == 2 and "b.jsonl:4: field `score` / `factuality`" in broken.output


DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "faithfulness-dev"


@pytest.mark.skipif(not DEV.is_dir(), reason="faithfulness dev data not present")
def test_dev_data_reproduces_the_published_figures() -> None:
    judgments = load_faith_judgments(DEV / "judgments.jsonl")
    run = faithmeta.score_judgments(Faithfulness(), judgments)
    report = faithmeta.evaluate(run, metrics=["FactCC", "BertScore P Art"], resamples=10)
    spearman = {r.metric: r.spearman.value for r in report.rows if r.subset == "all"}
    assert spearman["FactCC"] == pytest.approx(0.268, abs=0.001)  # FRANK's README figure
    assert spearman["BertScore P Art"] == pytest.approx(0.213, abs=0.001)
    assert spearman["faithful"] == pytest.approx(0.394, abs=0.001)  # the README's figure
    assert report.summaries == 671 and report.unscored == []
