"""`sumbench view`, and the site built by `report` and `run`: where it goes, serving it, errors."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from typer.testing import CliRunner

from bench.cli import app

runner = CliRunner()


def _copy(run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(run, copy, ignore=shutil.ignore_patterns("view", "charts"))
    return copy


def test_run_builds_the_site_beside_its_tables(bundled_run: Path) -> None:
    assert (bundled_run / "view" / "index.html").is_file()
    assert (bundled_run / "view" / "data" / "manifest.js").is_file()


def test_view_prints_the_page_address(bundled_run: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["view", str(bundled_run), "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (tmp_path / "site" / "index.html").resolve().as_uri()
    assert "(5 tasks, 5 with their texts)" in result.stderr


def test_report_builds_the_site_unless_told_not_to(bundled_run: Path, tmp_path: Path) -> None:
    run = _copy(bundled_run, tmp_path)
    result = runner.invoke(app, ["report", str(run), "--no-charts", "--no-view"])
    assert result.exit_code == 0 and not (run / "view").exists()
    result = runner.invoke(app, ["report", str(run), "--no-charts"])
    assert result.exit_code == 0 and (run / "view" / "index.html").is_file()
    assert result.stdout == (run / "table.md").read_text()


def test_two_runs_default_to_a_diff_site_in_the_new_run_not_the_old(
    bundled_run: Path, degraded_run: Path, tmp_path: Path
) -> None:
    old = _copy(bundled_run, tmp_path / "old")
    new = _copy(degraded_run, tmp_path / "new")
    before = sorted(p.name for p in old.iterdir())
    result = runner.invoke(app, ["view", str(old), str(new)])
    assert result.exit_code == 0, result.output
    site = new / "view-vs-run" / "index.html"
    assert (site.parent / "data" / "diff.js").is_file()
    assert result.stdout.strip() == site.resolve().as_uri()
    assert sorted(p.name for p in old.iterdir()) == before


def test_out_puts_the_diff_site_where_the_user_says(
    bundled_run: Path, degraded_run: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["view", str(bundled_run), str(degraded_run), "--out", str(tmp_path / "site")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "data" / "diff.js").is_file()
    assert not any(p.name.startswith("view-vs-") for p in degraded_run.iterdir())


def test_a_second_folder_that_is_not_a_run_is_an_error_before_anything_is_written(
    bundled_run: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["view", str(bundled_run), str(tmp_path / "nothing")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'nothing'}: not a results folder (no run.json)" in result.stderr
    assert not (tmp_path / "nothing").exists()
    result = runner.invoke(
        app, ["view", str(bundled_run), str(tmp_path), "--out", str(tmp_path / "site")]
    )
    assert result.exit_code == 2 and not (tmp_path / "site").exists()


def test_view_of_a_folder_that_is_not_a_run_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["view", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a results folder" in result.stderr


def test_serve_answers_on_loopback_until_interrupted(bundled_run: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bench.cli", "view", str(bundled_run)]
    command += ["--out", str(tmp_path / "site"), "--serve", "--port", "0", "--no-open"]
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C as in a terminal: a suite started in the background (`cmd &`) passes SIGINT
        # down ignored, and Python then installs no KeyboardInterrupt handler
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("serving http://127.0.0.1:"), line + child.stderr.read()
        url = line.split()[1]
        page = httpx.get(url, timeout=10)
        assert page.status_code == 200 and "Content-Security-Policy" in page.text
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=20) == 0
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
