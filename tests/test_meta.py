"""Meta-evaluation: label agreement, human ceiling, correlations with intervals, formats, CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bench import meta
from bench.cli.meta import calibrate_command, meta_command
from bench.report import meta as meta_report
from bench.scorers.base import FactDecision
from bench.scorers.keyfacts import KeyFacts
from bench.scorers.matchers import MatcherFailed, register_matcher
from bench.store import Store

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "keyfacts-dev"

FACTS = [
    ("f1", "NATO deployed troops to Estonia."),
    ("f2", "Russia condemned the move."),
    ("f3", "The deployment began on Tuesday."),
]
SUMMARIES = {  # system -> (summary, labels per fact per annotator)
    "good": (
        "NATO deployed troops to Estonia on Tuesday. Russia condemned the move.",
        [[1, 1, 1], [1, 1, 0], [1, 0, 1]],
    ),
    "half": ("NATO deployed troops to Estonia.", [[1, 1, 1], [0, 0, 0], [0, 1, 0]]),
    "bad": ("Estonia is a Baltic state.", [[0, 0, 1], [0, 0, 0], [0, 0, 0]]),
}


def make_judgments() -> list[meta.Judgment]:
    found = []
    for doc in ("d1", "d2"):
        for system, (summary, labels) in SUMMARIES.items():
            facts = tuple(
                meta.FactLabel(fid, text, tuple(labels[k])) for k, (fid, text) in enumerate(FACTS)
            )
            recall = sum(f.majority for f in facts) / len(facts)
            found.append(
                meta.Judgment(
                    doc,
                    system,
                    summary,
                    facts,
                    {"pyramid": recall + (0.01 if doc == "d2" else 0.0)},
                    reference="NATO deployed troops; Russia condemned it.",
                )
            )
    return found


def test_agreement_counts_and_kappa() -> None:
    result = meta.agreement([True, True, False, False], [True, False, False, False])
    assert (result.accuracy, result.precision, result.recall) == (0.75, 0.5, 1.0)
    assert result.f1 == pytest.approx(2 / 3)
    # chance = 0.5 * 0.25 + 0.5 * 0.75 = 0.5
    assert result.kappa == pytest.approx(0.5)
    assert math.isnan(meta.agreement([], []).accuracy)
    with pytest.raises(ValueError, match="2 decisions for 1 labels"):
        meta.agreement([True, False], [True])


def test_majority_ties_count_as_absent() -> None:
    assert meta.FactLabel("f", "t", (1, 1, 0)).majority
    assert not meta.FactLabel("f", "t", (1, 1, 0, 0)).majority


def test_human_ceiling_scores_each_annotator_against_the_others() -> None:
    judgment = meta.Judgment("d", "s", "x", (meta.FactLabel("f", "t", (1, 1, 0)),))
    ceiling = meta.human_ceiling([judgment])
    # ordered annotator pairs: (1, 1) agree twice, the four pairs with the 0 disagree.
    assert ceiling.n == 6
    assert ceiling.accuracy == pytest.approx(1 / 3)
    assert meta.pairwise_agreement([judgment]) == pytest.approx(1 / 3)


def test_dev_format_converted_and_written_in_the_documented_format(tmp_path: Path) -> None:
    record = {
        "doc_id": "d1",
        "system": "s",
        "summary": "A.",
        "key_fact_ids": ["1", "2"],
        "key_facts": ["A.", "B."],
        "worker_labels": [[1, 0], [1, 1], [0, 0]],
        "majority_labels": [1, 0],
        "litepyramid_recall": 0.5,
    }
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps(record) + "\n")
    [judgment] = meta.load_judgments(path)
    assert [f.majority for f in judgment.facts] == [True, False]
    assert judgment.facts[0].labels == (1, 1, 0)
    assert judgment.scores == {"litepyramid_recall": 0.5}
    out = tmp_path / "judgments.jsonl"
    meta.write_judgments([judgment], out)
    assert meta.load_judgments(out) == [judgment]


def test_bad_judgments_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text('{"doc_id": "d", "system": "s", "summary": "x"}\n{"doc_id": "d"}\n')
    with pytest.raises(meta.JudgmentError, match=r"j.jsonl:2: KeyError"):
        meta.load_judgments(path)


def test_evaluate_a_matcher_directly_on_judgments(tmp_path: Path) -> None:
    from bench.scorers.matchers import matchers

    judgments = make_judgments()
    run = meta.run_matcher(matchers.create("lexical"), meta.judged_pairs(judgments))
    assert run.undecided == 0 and len(run.decisions) == 18
    report = meta.evaluate(judgments, [run], meta.rouge_per_summary(judgments), resamples=50)
    assert report.labels["lexical-v2"].accuracy == pytest.approx(1.0)
    assert set(report.labels) == {meta.HUMAN, "lexical-v2"}
    kendall = [
        c
        for c in report.correlations
        if c.level == "system" and c.kind == "kendall" and c.metric == "KF recall (lexical-v2)"
    ]
    assert kendall[0].value == pytest.approx(1.0)
    markdown = meta_report.to_markdown(report)
    assert "| lexical-v2 | 18 | 1.000 |" in markdown
    assert "R-2 recall" in markdown and "System-level correlations" in markdown
    assert r"\toprule" in meta_report.to_latex(report)
    assert meta_report.write_chart(report, tmp_path / "meta.png").stat().st_size > 1000
    assert json.loads(report.to_json())["pairs"] == 18


def test_soft_recall_averages_scores_and_needs_every_score() -> None:
    from bench.scorers.matchers import matchers

    judgments = make_judgments()
    run = meta.run_matcher(matchers.create("calibrated-v2"), meta.judged_pairs(judgments))
    soft = meta.soft_recall_per_summary(judgments, run.decisions)
    assert soft is not None
    scores = [d.score for d in run.decisions[:3] if d is not None and d.score is not None]
    assert soft[("d1", "good")] == pytest.approx(sum(scores) / 3)
    unscored = [
        FactDecision(d.fact_id, d.weight, d.present, "", "x", None)
        for d in run.decisions
        if d is not None
    ]
    assert meta.soft_recall_per_summary(judgments, unscored) is None
    report = meta.evaluate(judgments, [run], resamples=20, soft=True)
    metrics = {c.metric for c in report.correlations}
    assert {"KF recall (calibrated-v2)", "KF soft recall (calibrated-v2)"} <= metrics
    plain = meta.evaluate(judgments, [run], resamples=20)
    assert not any("soft" in c.metric for c in plain.correlations)


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("meta")(meta_command)
    app.command("calibrate")(calibrate_command)
    return app


def test_meta_command_reports_matchers_and_writes_files(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    meta.write_judgments(make_judgments(), path)
    result = CliRunner().invoke(
        _app(),
        [
            "meta",
            str(path),
            "-m",
            "lexical",
            "-m",
            "lexical-v1",
            "--resamples",
            "50",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "| lexical-v2 | 18 |" in result.stdout and "| lexical-v1 | 18 |" in result.stdout
    assert {p.name for p in (tmp_path / "o").iterdir()} == {
        "meta.md",
        "meta.tex",
        "meta.json",
        "meta.png",
    }
    bad = CliRunner().invoke(_app(), ["meta", str(path), "-m", "nope"])
    assert bad.exit_code == 2 and "unknown matcher 'nope'" in bad.output
    default = CliRunner().invoke(_app(), ["meta", str(path), "--resamples", "20"])
    assert default.exit_code == 0, default.output
    assert all(
        f"| {name} | 18 |" in default.stdout
        for name in ("lexical-v1", "lexical-v2", "calibrated-v2")
    )


class _GivesUp:
    name = "test-gives-up"

    def match(self, fact: object, sentences: object, siblings: object = ()) -> FactDecision:
        raise MatcherFailed("the judge answers nothing usable")


register_matcher("test-gives-up")(_GivesUp)


def test_meta_command_stops_on_a_matcher_that_cannot_go_on(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    meta.write_judgments(make_judgments(), path)
    result = CliRunner().invoke(_app(), ["meta", str(path), "-m", "test-gives-up"])
    assert result.exit_code == 2
    assert "matcher 'test-gives-up': the judge answers nothing usable" in result.output


def test_meta_command_reads_a_stored_run(tmp_path: Path) -> None:
    judgments = make_judgments()
    path = tmp_path / "j.jsonl"
    meta.write_judgments(judgments, path)
    store = Store(tmp_path / "run")
    store.open()
    store.append_facts(
        {
            "task_id": j.doc_id,
            "system": j.system,
            "sample": "",
            "fact_id": f.id,
            "weight": 1.0,
            "present": f.majority,
            "evidence": "",
            "matcher": "lexical-v2",
        }
        for j in judgments
        for f in j.facts
    )
    store.append_scores(
        (j.doc_id, j.system, "rouge", "rouge2_r", len(j.summary) / 100) for j in judgments
    )
    result = CliRunner().invoke(
        _app(), ["meta", str(path), "--run", str(tmp_path / "run"), "--resamples", "20"]
    )
    assert result.exit_code == 0, result.output
    assert "| run run (lexical-v2) | 18 | 1.000 |" in result.stdout
    assert "| rouge2_r | pyramid |" in result.stdout


def test_calibrate_command_fits_a_file_the_scorer_uses(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    meta.write_judgments(make_judgments(), path)
    out = tmp_path / "cal.json"
    result = CliRunner().invoke(_app(), ["calibrate", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "calibrated: threshold" in result.stdout
    scorer = KeyFacts(matcher="calibrated", calibration=str(out))
    assert scorer.matcher.name.startswith("calibrated-v1+")


def test_calibrate_command_fits_version_2(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    meta.write_judgments(make_judgments(), path)
    out = tmp_path / "cal.json"
    result = CliRunner().invoke(
        _app(), ["calibrate", str(path), "--version", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "calibrated-v2: threshold" in result.stdout
    assert set(json.loads(out.read_text())) == {"calibrated-v2"}
    scorer = KeyFacts(matcher="calibrated-v2", calibration=str(out))
    assert scorer.matcher.name.startswith("calibrated-v2+")


def test_meta_command_soft_adds_soft_recall(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    meta.write_judgments(make_judgments(), path)
    result = CliRunner().invoke(
        _app(), ["meta", str(path), "-m", "calibrated-v2", "--soft", "--resamples", "20"]
    )
    assert result.exit_code == 0, result.output
    assert "| KF soft recall (calibrated-v2) | pyramid |" in result.stdout


@pytest.mark.skipif(not DEV.is_dir(), reason="key-fact dev data not present")
def test_dev_data_calibrated_v2_agreement() -> None:
    from bench.cli.meta import read_judgments
    from bench.scorers.matchers import matchers

    judgments = read_judgments(DEV)
    run = meta.run_matcher(matchers.create("calibrated-v2"), meta.judged_pairs(judgments))
    assert meta.decided_agreement(run, meta.gold_labels(judgments)).accuracy > 0.785


@pytest.mark.skipif(not DEV.is_dir(), reason="key-fact dev data not present")
def test_dev_data_lexical_agreement() -> None:
    from bench.cli.meta import read_judgments
    from bench.scorers.matchers import matchers

    judgments = read_judgments(DEV)
    gold = meta.gold_labels(judgments)
    assert len(gold) == 7314
    run = meta.run_matcher(matchers.create("lexical"), meta.judged_pairs(judgments))
    assert meta.decided_agreement(run, gold).accuracy > 0.77
    assert meta.pairwise_agreement(judgments) == pytest.approx(0.860, abs=0.001)
