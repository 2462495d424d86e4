"""`sumbench tasks`: validate, show and schema."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO, write_task
from typer.testing import CliRunner

from bench.cli import app
from bench.task import load_tasks

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
