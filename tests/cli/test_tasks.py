"""`sumbench tasks`: validate, list, show and schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, write_task
from typer.testing import CliRunner

from bench.cli import app
from bench.export import export_tasks
from bench.task import load_tasks
from tests.tasksets.tables import ARTICLE, HIGHLIGHTS, write_csv

runner = CliRunner()


def test_tasks_validate_exits_1_and_names_each_problem(tmp_path: Path) -> None:
    write_task(tmp_path, "t1", keyfacts=[{"id": "f", "text": "x", "patterns": "UK"}])
    write_task(tmp_path, "t2", references=[{"id": "r", "text": "Short."}])
    result = runner.invoke(app, ["tasks", "validate", str(tmp_path / "tasks")])
    assert result.exit_code == 1
    assert "keyfacts.yaml: [0].patterns" in result.stderr
    assert "references.yaml: [0].text: reference is shorter" in result.stderr


def test_tasks_validate_passes_on_the_bundled_tasks() -> None:
    result = runner.invoke(app, ["tasks", "validate", str(REPO / "tasks")])
    assert result.exit_code == 0 and "5 valid task(s), 0 error(s)" in result.stderr


def test_tasks_show_prints_clean_text_and_content_hash() -> None:
    (task,) = [t for t in load_tasks(REPO / "tasks") if t.id == "paris-summit-004"]
    result = runner.invoke(
        app, ["tasks", "show", "paris-summit-004", "--tasks", str(REPO / "tasks")]
    )
    assert result.exit_code == 0
    assert f"sha256:{task.documents[0].content_hash}" in result.stdout
    assert "16 timestamped entries" in result.stdout
    assert "Image source" not in result.stdout and "published at" not in result.stdout
    shown = runner.invoke(
        app, ["tasks", "show", "paris-summit-004", "--tasks", str(REPO / "tasks"), "--json"]
    )
    data = json.loads(shown.stdout)
    assert data["documents"][0]["hash"] == task.documents[0].content_hash
    assert "references" not in data and "keyfacts" not in data


def test_tasks_schema_prints_json_schema() -> None:
    result = runner.invoke(app, ["tasks", "schema"])
    schema = json.loads(result.stdout)
    assert schema["additionalProperties"] is False
    assert {"id", "documents", "budget"} <= set(schema["properties"])


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "hf"])
def test_tasks_list_and_show_read_an_exported_table_as_run_does(tmp_path: Path, fmt: str) -> None:
    written, _ = export_tasks(load_tasks(REPO / "tasks"), tmp_path, fmt)  # type: ignore[arg-type]
    folder = runner.invoke(app, ["tasks", "list", "--tasks", str(REPO / "tasks")])
    table = runner.invoke(app, ["tasks", "list", "--tasks", str(written)])
    assert table.exit_code == 0, table.stderr
    assert table.stdout == folder.stdout and len(table.stdout.splitlines()) == 5
    args = ["tasks", "show", "paris-summit-004", "--json"]
    from_folder = runner.invoke(app, [*args, "--tasks", str(REPO / "tasks")])
    from_table = runner.invoke(app, [*args, "--tasks", str(written)])
    assert from_table.exit_code == 0, from_table.stderr
    assert json.loads(from_table.stdout) == json.loads(from_folder.stdout)


def test_tasks_list_and_show_take_the_column_mapping_of_run(tmp_path: Path) -> None:
    table = write_csv(
        tmp_path / "news.csv", [{"story": ARTICLE, "highlights": HIGHLIGHTS, "id": "n1"}]
    )
    options = ["--tasks", str(table), "--map", "documents=story,references=highlights,id=id"]
    listed = runner.invoke(app, ["tasks", "list", *options, "--budget", "30"])
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.startswith("n1\t1 doc(s)\t1 ref(s)\t0 fact(s)\t30 words")
    shown = runner.invoke(app, ["tasks", "show", "n1", *options])
    assert shown.exit_code == 0 and "The council approved the new bridge" in shown.stdout


def test_tasks_list_of_a_table_without_the_mapped_column_names_file_and_columns(
    tmp_path: Path,
) -> None:
    table = write_csv(tmp_path / "news.csv", [{"story": ARTICLE}])
    result = runner.invoke(app, ["tasks", "list", "--tasks", str(table)])
    assert result.exit_code == 2
    assert f"{table}: no column(s) 'documents'; the table has story" in result.stderr
    assert "--map documents=article" in result.stderr and "Traceback" not in result.output


def test_tasks_show_names_a_bad_row_of_a_table(tmp_path: Path) -> None:
    table = tmp_path / "tasks.jsonl"
    table.write_text('{"id": "a", "documents": "Text."}\n{"id": "b", "documents": ', "utf-8")
    result = runner.invoke(app, ["tasks", "show", "b", "--tasks", str(table)])
    assert result.exit_code == 2
    assert f"{table}, row 1: (line 2) is not valid JSON" in result.stderr


def test_tasks_list_of_a_folder_without_tasks_says_what_it_expected(tmp_path: Path) -> None:
    result = runner.invoke(app, ["tasks", "list", "--tasks", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path}: neither a task folder" in result.stderr
    assert "nor a save_to_disk folder (no state.json)" in result.stderr
