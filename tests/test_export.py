"""Export: every format round-trips the bundled tasks; the CLI commands work on a Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import typer
from conftest import REPO
from typer.testing import CliRunner

from bench.cli.tasks import export_command, presets_command
from bench.export import ROW_SCHEMA, ExportError, export_tasks, output_path
from bench.task import Task, load_tasks
from bench.tasksets import iter_tasks
from bench.tasksets.rows import task_to_row


@pytest.fixture(scope="module")
def bundled() -> list[Task]:
    return load_tasks(REPO / "tasks")


def assert_same_tasks(back: list[Task], original: list[Task]) -> None:
    assert [t.id for t in back] == [t.id for t in original]
    for new, old in zip(back, original, strict=True):
        for name in Task.model_fields:
            assert getattr(new, name) == getattr(old, name), f"{old.id}: {name} differs"


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "hf"])
def test_export_then_import_gives_the_same_tasks(
    tmp_path: Path, bundled: list[Task], fmt: str
) -> None:
    path, count = export_tasks(bundled, tmp_path / "out", fmt)  # type: ignore[arg-type]
    assert (path, count) == (output_path(tmp_path / "out", fmt), 5)  # type: ignore[arg-type]
    back = list(iter_tasks(path))
    assert_same_tasks(back, bundled)
    # the parts that are easy to lose on the way: sections, metadata, patterns, None fields
    blog = next(t for t in back if any(d.sections for d in t.documents))
    assert blog.documents[-1].metadata.get("removed")
    assert any(f.patterns for t in back for f in t.keyfacts)
    assert back[0].metadata["disagreements"]


def test_hf_export_is_a_folder_load_from_disk_opens(tmp_path: Path, bundled: list[Task]) -> None:
    import datasets

    path, _ = export_tasks(bundled, tmp_path / "hf", "hf")
    dataset = datasets.load_from_disk(str(path))
    assert dataset.num_rows == 5
    assert dataset.column_names == ROW_SCHEMA.names
    assert dataset[0]["documents"][0]["id"] == "d000"
    assert json.loads(dataset[0]["metadata"]) == bundled[0].metadata


def test_parquet_columns_are_nested_structs_not_json_blobs(
    tmp_path: Path, bundled: list[Task]
) -> None:
    path, _ = export_tasks(bundled, tmp_path, "parquet")
    table = pq.read_table(path)
    assert table.schema.equals(ROW_SCHEMA)
    first = table.slice(0, 1).to_pylist()[0]
    assert first["references"][0]["text"] == bundled[0].references[0].text
    assert first["keyfacts"][0]["patterns"] == bundled[0].keyfacts[0].patterns


def test_jsonl_rows_are_the_task_fields(tmp_path: Path, bundled: list[Task]) -> None:
    path, _ = export_tasks(bundled[:1], tmp_path, "jsonl")
    assert json.loads(path.read_text(encoding="utf-8")) == task_to_row(bundled[0])


def test_export_refuses_to_overwrite_and_unknown_formats(
    tmp_path: Path, bundled: list[Task]
) -> None:
    export_tasks(bundled, tmp_path, "jsonl")
    with pytest.raises(ExportError, match="already exists"):
        export_tasks(bundled, tmp_path, "jsonl")
    export_tasks(bundled[:2], tmp_path, "jsonl", overwrite=True)
    assert len(list(iter_tasks(tmp_path / "tasks.jsonl"))) == 2
    with pytest.raises(ExportError, match="unknown format 'csv'"):
        export_tasks(bundled, tmp_path, "csv")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------- CLI


@pytest.fixture
def app() -> typer.Typer:
    tasks_app = typer.Typer()
    tasks_app.command("export")(export_command)
    tasks_app.command("presets")(presets_command)
    root = typer.Typer()
    root.add_typer(tasks_app, name="tasks")
    return root


def test_export_command_writes_a_sample_of_a_table(tmp_path: Path, app: typer.Typer) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"k": str(i), "a": f"Article {i}."}) + "\n" for i in range(20))
    )
    result = CliRunner().invoke(
        app,
        [
            "tasks",
            "export",
            str(source),
            "--to",
            str(tmp_path / "out"),
            "--format",
            "parquet",
            "--map",
            "documents=a,id=k",
            "--sample",
            "5",
            "--sample-seed",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "wrote 5 task(s)" in result.output
    assert len(list(iter_tasks(tmp_path / "out" / "tasks.parquet"))) == 5


def test_export_command_exports_the_bundled_tasks(tmp_path: Path, app: typer.Typer) -> None:
    result = CliRunner().invoke(
        app, ["tasks", "export", str(REPO / "tasks"), "--to", str(tmp_path), "--format", "hf"]
    )
    assert result.exit_code == 0, result.output
    assert len(list(iter_tasks(tmp_path))) == 5


def test_export_command_reports_errors_with_exit_code_2(tmp_path: Path, app: typer.Typer) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["tasks", "export", str(tmp_path / "none.parquet"), "--to", "x"])
    assert bad.exit_code == 2
    assert "no such file" in bad.output
    fmt = runner.invoke(app, ["tasks", "export", "--format", "xml", "--to", str(tmp_path)])
    assert fmt.exit_code == 2
    assert "unknown format 'xml'" in fmt.output


def test_presets_command_lists_every_preset(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["tasks", "presets", "--verbose"])
    assert result.exit_code == 0, result.output
    assert "cnn_dailymail\thf:abisee/cnn_dailymail:3.0.0:test\t" in result.output
    assert "'|||||'" in result.output
    assert "schema: high" in result.output
