"""The regression gate: real regressions fail, unchanged runs pass, changed measurements say so."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO
from typer.testing import CliRunner

from bench.check import check
from bench.cli import app
from bench.compare import compare_runs
from bench.store import Store, StoreError

runner = CliRunner()


def run_cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def rerun(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rerun") / "run"
    code, _, err = run_cli(
        "run",
        "--tasks",
        str(REPO / "tasks"),
        "--no-charts",
        "--out",
        str(out),
        "--systems",
        "lead",
        "--systems",
        "textrank",
    )
    assert code == 0, err
    return out


def test_unchanged_rerun_passes(rerun: Path, bundled_run: Path) -> None:
    code, out, _ = run_cli(
        "check",
        str(rerun),
        "--baseline",
        str(bundled_run),
        "--systems",
        "lead",
        "--systems",
        "textrank",
    )
    assert code == 0, out
    assert out.startswith("✅ **sumbench check passed**")


def test_degraded_system_fails_with_exit_1_and_a_readable_report(
    degraded_run: Path, bundled_run: Path
) -> None:
    code, out, _ = run_cli(
        "check", str(degraded_run), "--baseline", str(bundled_run), "--systems", "lead"
    )
    assert code == 1
    assert "❌ **sumbench check failed**" in out
    assert "**regression**: lead KF got worse" in out
    assert "| regression | lead | KF |" in out


def test_regression_needs_the_one_sided_upper_bound_below_minus_margin(
    degraded_run: Path, bundled_run: Path
) -> None:
    report = check(Store(degraded_run), Store(bundled_run), systems=["lead"])
    regressions = [f for f in report.findings if f.verdict == "regression"]
    assert regressions
    for finding in regressions:
        assert finding.upper < 0 and finding.p_value < 0.05
    lenient = check(Store(degraded_run), Store(bundled_run), default_margin=50.0, systems=["lead"])
    assert lenient.passed and lenient.exit_code() == 0


def test_margins_file_sets_a_margin_per_metric(
    degraded_run: Path, bundled_run: Path, tmp_path: Path
) -> None:
    margins = tmp_path / "margins.yaml"
    margins.write_text("kf_recall: 60\nkf_wrecall: 60\nrouge1_f: 60\n")
    code, out, _ = run_cli(
        "check",
        str(degraded_run),
        "--baseline",
        str(bundled_run),
        "--systems",
        "lead",
        "--margins",
        str(margins),
    )
    assert code == 0, out
    margins.write_text("kf_recall: lots\n")
    code, _, err = run_cli(
        "check", str(degraded_run), "--baseline", str(bundled_run), "--margins", str(margins)
    )
    assert code == 2 and "expected a mapping of metric name to margin" in err


@pytest.mark.parametrize(
    ("margins", "message"),
    [
        ("rouge2f: 0.5\n", "margin(s) for 'rouge2f': no such gated metric"),
        ("words: 3\n", "margin(s) for 'words': no such gated metric"),  # no direction
        ("rouge2_f: -1\n", "margin for rouge2_f: -1; a margin is the loss allowed, 0 or more"),
    ],
)
def test_a_misspelt_or_negative_margin_is_a_usage_error(
    degraded_run: Path, bundled_run: Path, tmp_path: Path, margins: str, message: str
) -> None:
    path = tmp_path / "margins.yaml"
    path.write_text(margins)
    args = ["check", str(degraded_run), "--baseline", str(bundled_run), "--margins", str(path)]
    code, _, err = run_cli(*args)
    assert code == 2 and message in err, err
    assert "rouge2_f" in err  # the names it could be


def test_a_negative_default_margin_is_a_usage_error(bundled_run: Path) -> None:
    code, _, err = run_cli("check", str(bundled_run), "--baseline", str(bundled_run), "--margin=-1")
    assert code == 2 and "margin for --margin: -1" in err


@pytest.mark.parametrize("spec", ["rouge:stem=false,name=rouge", "rouge:stem=false"])
def test_changed_scorer_option_is_a_changed_measurement_not_a_regression(
    bundled_run: Path, tmp_path: Path, spec: str
) -> None:
    # Without name=, the scorer is called "rouge:stem=false" in run.json: it is matched to the
    # baseline's "rouge" through the metrics both give.
    out_dir = tmp_path / "unstemmed"
    code, _, err = run_cli(
        "run",
        "--tasks",
        str(REPO / "tasks"),
        "--no-charts",
        "--out",
        str(out_dir),
        "--systems",
        "lead",
        "--scorers",
        spec,
        "--scorers",
        "keyfacts",
        "--scorers",
        "stats",
    )
    assert code == 0, err
    report = check(Store(out_dir), Store(bundled_run), systems=["lead"])
    verdicts = {f.verdict for f in report.findings}
    assert "changed-measurement" in verdicts and "regression" not in verdicts
    assert not report.passed
    assert "different measurement, not a regression" in report.to_markdown()
    # ROUGE is not tested against numbers measured another way; key facts still are
    assert {f.metric for f in report.findings if f.verdict != "changed-measurement"} == {
        "KF",
        "KF-w",
    }
    diffs = compare_runs(Store(bundled_run), Store(out_dir), ["rouge1_f", "kf_recall"])
    notes = {d.metric.name: d.note for d in diffs}
    assert notes["rouge1_f"] == "scorer signature changed: a different measurement"
    assert notes["kf_recall"] != notes["rouge1_f"]


def test_disappeared_system_and_task_fail(rerun: Path, bundled_run: Path, tmp_path: Path) -> None:
    report = check(Store(rerun), Store(bundled_run))
    missing = {f.system for f in report.findings if f.verdict == "missing"}
    assert {"random", "lexrank", "oracle", "human"} <= missing
    partial = tmp_path / "partial"
    code, _, err = run_cli(
        "run",
        "--tasks",
        str(REPO / "tasks" / "paris-summit-002"),
        "--no-charts",
        "--out",
        str(partial),
        "--systems",
        "lead",
    )
    assert code == 0, err
    report = check(Store(partial), Store(bundled_run), systems=["lead"])
    messages = [f.message for f in report.findings if f.verdict == "missing"]
    assert any("task 'paris-summit-001'" in m for m in messages)


def test_usage_errors_exit_2(bundled_run: Path, tmp_path: Path) -> None:
    code, _, err = run_cli("check", str(bundled_run), "--baseline", str(tmp_path))
    assert code == 2 and "not a results folder" in err
    code, _, err = run_cli(
        "check", str(bundled_run), "--baseline", str(bundled_run), "--systems", "gpt-9"
    )
    assert code == 2 and "not in the baseline" in err
    with pytest.raises(StoreError):
        check(Store(bundled_run), Store(bundled_run), systems=["gpt-9"])


def test_summary_file_receives_the_report(rerun: Path, bundled_run: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    code, out, _ = run_cli(
        "check",
        str(rerun),
        "--baseline",
        str(bundled_run),
        "--systems",
        "lead",
        "--summary",
        str(summary),
    )
    assert code == 0 and summary.read_text() == out


def test_at_five_tasks_the_upper_bound_is_the_largest_task_difference(
    degraded_run: Path, bundled_run: Path
) -> None:
    # With 5 tasks the one-sided sign-flip test reaches p = 1/32 < 0.05 only for the extreme
    # assignment, so its 95% upper bound of the mean difference is the largest single
    # per-task difference: a regression is declared when every task got worse.
    report = check(Store(degraded_run), Store(bundled_run), systems=["lead"])
    judged = [f for f in report.findings if f.difference is not None and f.difference.paired]
    assert judged
    for finding in judged:
        difference = finding.difference
        assert difference is not None and difference.paired is not None
        old, new = difference.paired
        sign = 1 if difference.metric.higher_is_better else -1
        largest = max(sign * (new - old)) * difference.metric.scale
        assert finding.upper == pytest.approx(largest)
        assert (finding.verdict == "regression") == (largest < 0)
