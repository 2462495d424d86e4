"""`sumbench report`: tables rebuilt from stored rows with the options the run used."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bench.cli import app
from bench.store import Store

runner = CliRunner()


def test_report_rebuilds_the_same_tables_from_stored_rows(bundled_run: Path) -> None:
    before = {n: (bundled_run / n).read_text() for n in ("table.md", "table.tex", "table.csv")}
    for name in before:
        (bundled_run / name).unlink()
    result = runner.invoke(app, ["report", str(bundled_run), "--no-charts"])
    assert result.exit_code == 0
    assert {n: (bundled_run / n).read_text() for n in before} == before
    assert result.stdout == before["table.md"]


def test_report_metrics_option_chooses_columns(bundled_run: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "report",
            str(bundled_run),
            "--no-charts",
            "--metrics",
            "rouge2_f",
            "--metrics",
            "kf_recall",
        ],
    )
    header = result.stdout.splitlines()[0]
    assert "R-2" in header and "KF" in header and "R-1" not in header
    result = runner.invoke(app, ["report", str(bundled_run), "--metrics", "bleu"])
    assert result.exit_code == 2 and "unknown metric" in result.stderr


def test_report_rebuilds_with_the_table_options_the_run_used(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = [
        "run",
        "--systems",
        "lead",
        "--systems",
        "random",
        "--scorers",
        "stats",
        "--sample",
        "4",
        "--sample-seed",
        "1",
        "--seed",
        "5",
        "--resamples",
        "200",
        "--ci",
        "brackets",
        "--baseline-system",
        "lead",
        "--no-charts",
        "--out",
        str(out),
    ]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    table = (out / "table.md").read_text(encoding="utf-8")
    assert "seed:5" in table and "resamples:200" in table and "[" in table
    info = json.loads((out / "run.json").read_text())["config"]
    assert info["selection"]["sample_seed"] == 1 and info["report"]["seed"] == 5
    rebuilt = runner.invoke(app, ["report", str(out), "--no-charts"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert (out / "table.md").read_text(encoding="utf-8") == table
    other = runner.invoke(app, ["report", str(out), "--no-charts", "--seed", "6"])
    assert "seed:6" in other.output
    # The sample follows --sample-seed alone: another resampling seed, the same tasks.
    again = runner.invoke(app, [*args[:-1], str(tmp_path / "again"), "--seed", "9"])
    assert again.exit_code == 0, again.output
    same = {t["id"] for t in Store(tmp_path / "again").tasks()}
    assert same == {t["id"] for t in Store(out).tasks()} and len(same) == 4
