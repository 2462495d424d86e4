"""`sumbench tasks validate` reads every task source `run --tasks` reads and gives the same
verdict on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO
from typer.testing import CliRunner

from bench.cli import app

runner = CliRunner()

TEXT = "The council approved the new bridge on Monday. Work starts in May."


def verdicts(source: Path, tmp_path: Path, *extra: str) -> tuple[int, int, str]:
    """Exit codes of validate and of a run on ``source``, and validate's messages."""
    checked = runner.invoke(app, ["tasks", "validate", str(source), *extra])
    ran = runner.invoke(
        app,
        [
            "run",
            "--tasks",
            str(source),
            *extra,
            "--out",
            str(tmp_path / "run"),
            "--systems",
            "lead",
            "--scorers",
            "stats",
            "--no-charts",
        ],
    )
    return checked.exit_code, ran.exit_code, checked.stderr + ran.stderr


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("numeric.jsonl", f'{{"id": 2024, "documents": "{TEXT}"}}\n'.encode()),
        ("slash.jsonl", f'{{"id": "a/b", "documents": "{TEXT}"}}\n'.encode()),
        ("latin1.csv", b"id,documents\nx,Caf\xe9 opened on Monday in the town.\n"),
        ("latin1.jsonl", b'{"id": "x", "documents": "Caf\xe9 opened on Monday."}\n'),
        ("empty.jsonl", b""),
    ],
)
def test_validate_and_run_agree_on_a_table(name: str, content: bytes, tmp_path: Path) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    checked, ran, messages = verdicts(source, tmp_path)
    assert (checked == 0) == (ran == 0), messages
    if checked:
        assert name in messages and "Traceback" not in messages
    if name.startswith("latin1"):
        assert checked == 1 and "UTF-8" in messages and "row 0" in messages


def test_an_empty_task_table_is_an_error_not_an_empty_run(tmp_path: Path) -> None:
    source = tmp_path / "empty.jsonl"
    source.write_text("")
    checked, ran, messages = verdicts(source, tmp_path)
    assert (checked, ran) == (1, 2) and "holds no rows" in messages


def test_validate_reads_what_tasks_export_writes_in_every_format(tmp_path: Path) -> None:
    for fmt in ("jsonl", "parquet", "hf"):
        out = tmp_path / fmt
        exported = runner.invoke(
            app,
            ["tasks", "export", str(REPO / "tasks"), "--to", str(out), "--format", fmt],
        )
        assert exported.exit_code == 0, exported.stderr
        written = exported.stderr.rsplit(" to ", 1)[1].strip()
        result = runner.invoke(app, ["tasks", "validate", written])
        assert result.exit_code == 0, result.stderr
        assert "5 valid task(s), 0 error(s)" in result.stderr


def test_validate_applies_map_and_budget_as_run_does(tmp_path: Path) -> None:
    source = tmp_path / "articles.csv"
    source.write_text(f"key,article\nk1,{TEXT}\n")
    mapped = ["--map", "id=key,documents=article", "--budget", "20"]
    assert verdicts(source, tmp_path, *mapped)[:2] == (0, 0)
    bad = ["--map", "id=key,documents=article", "--budget", "999999999"]
    checked, ran, messages = verdicts(source, tmp_path / "b", *bad)
    assert checked == 1 and ran == 2 and "budget" in messages
