"""Hostile task files: paths confined to their folder, size limits, duplicate YAML keys, alias
bombs, NUL bytes, absurd budgets; and what a valid task is warned about."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from conftest import write_task
from typer.testing import CliRunner

from bench.cli import app
from bench.inputs import MAX_BUDGET, load_yaml
from bench.task import Problem, check_tasks, load_tasks

runner = CliRunner()


def errors(root: Path, **options: int) -> list[Problem]:
    _, problems = check_tasks(root / "tasks", **options)  # type: ignore[arg-type]
    return [p for p in problems if p.severity == "error"]


def test_an_absolute_source_path_is_refused_naming_file_and_field(tmp_path: Path) -> None:
    write_task(tmp_path, documents=[{"id": "d1", "path": "/etc/passwd"}])
    (problem,) = errors(tmp_path)
    assert problem.file.endswith("task.yaml") and problem.field == "documents[0].path"
    assert "absolute path" in problem.message and "root:" not in str(problem)


def test_a_source_path_climbing_out_with_dotdot_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("The secret is out. It must not be read.\n")
    write_task(tmp_path, documents=[{"id": "d1", "path": "../../../secret.txt"}])
    (problem,) = errors(tmp_path)
    assert problem.field == "documents[0].path" and "'..'" in problem.message


def test_a_source_symlink_leading_outside_the_task_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("The secret is out. It must not be read.\n")
    task_dir = write_task(tmp_path, documents=[{"id": "d1", "path": "sources/link.txt"}])
    os.symlink(tmp_path / "secret.txt", task_dir / "sources" / "link.txt")
    (problem,) = errors(tmp_path)
    assert problem.field == "documents[0].path" and "symlink leading outside" in problem.message


def test_a_symlink_inside_the_task_folder_is_allowed(tmp_path: Path) -> None:
    task_dir = write_task(tmp_path, documents=[{"id": "d1", "path": "sources/link.txt"}])
    os.symlink(task_dir / "sources" / "a.txt", task_dir / "sources" / "link.txt")
    (task,) = load_tasks(tmp_path / "tasks")
    assert task.documents[0].text.startswith("The council approved")


def test_a_references_file_symlinked_outside_the_references_folder_is_refused(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(yaml.safe_dump([{"id": "r", "text": "Read from outside the folder here."}]))
    write_task(tmp_path, references=[])
    os.symlink(outside, tmp_path / "references" / "t1" / "references.yaml")
    (problem,) = errors(tmp_path)
    assert problem.file.endswith("references.yaml")
    assert "outside the references folder" in problem.message


def test_a_document_over_the_size_limit_is_an_error_naming_the_file(tmp_path: Path) -> None:
    task_dir = write_task(tmp_path, documents=[{"id": "d1", "path": "sources/big.txt"}])
    (task_dir / "sources" / "big.txt").write_text("Word and more words. " * 600)
    (problem,) = errors(tmp_path, max_document_bytes=10_000)
    assert problem.file.endswith("big.txt") and "over the 0.01 MB limit" in problem.message
    assert errors(tmp_path, max_document_bytes=100_000) == []


def test_validate_and_run_refuse_a_document_over_max_document_mb(tmp_path: Path) -> None:
    task_dir = write_task(tmp_path, documents=[{"id": "d1", "path": "sources/big.txt"}])
    (task_dir / "sources" / "big.txt").write_text("Word and more words. " * 600)
    tasks = str(tmp_path / "tasks")
    checked = runner.invoke(app, ["tasks", "validate", tasks, "--max-document-mb", "0.01"])
    assert checked.exit_code == 1 and "big.txt" in checked.stderr and "limit" in checked.stderr
    ran = runner.invoke(
        app,
        ["run", "--tasks", tasks, "--out", str(tmp_path / "run"), "--max-document-mb", "0.01"],
    )
    assert ran.exit_code == 2 and "big.txt" in ran.stderr and "limit" in ran.stderr


def test_a_table_row_over_the_size_limit_names_the_file_and_row(tmp_path: Path) -> None:
    table = tmp_path / "tasks.jsonl"
    table.write_text(
        '{"id": "a", "documents": "Short enough text here."}\n'
        + '{"id": "b", "documents": "'
        + "long text " * 2000
        + '"}\n'
    )
    result = runner.invoke(app, ["tasks", "validate", str(table), "--max-document-mb", "0.01"])
    assert result.exit_code == 1
    assert "tasks.jsonl" in result.stderr and "row 1: column 'documents'" in result.stderr
    assert "1 valid task(s), 1 error(s)" in result.stderr


def test_a_duplicate_yaml_key_is_an_error_with_its_lines(tmp_path: Path) -> None:
    task_dir = write_task(tmp_path)
    text = (task_dir / "task.yaml").read_text()
    (task_dir / "task.yaml").write_text(text + "budget: 30\n")
    (problem,) = errors(tmp_path)
    assert problem.file.endswith("task.yaml") and "duplicate key 'budget'" in problem.message


def test_a_yaml_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 12):
        alias = "*a" if level == 1 else f"*l{level - 1}"
        lines.append(f"l{level}: &l{level} [{', '.join([alias] * 10)}]")
    with pytest.raises(yaml.YAMLError, match="expands to more than"):
        load_yaml("\n".join(lines))


def test_a_nul_byte_in_a_document_is_an_error(tmp_path: Path) -> None:
    write_task(tmp_path, documents=[{"id": "d1", "text": "A text with a \0 NUL byte inside it."}])
    (problem,) = errors(tmp_path)
    assert problem.field == "documents[0].text" and "NUL byte" in problem.message


def test_a_budget_over_the_maximum_is_an_error(tmp_path: Path) -> None:
    write_task(tmp_path, budget=MAX_BUDGET + 1)
    (problem,) = errors(tmp_path)
    assert problem.field == "budget" and str(MAX_BUDGET) in problem.message


def test_a_chinese_reference_is_not_shorter_than_a_sentence(tmp_path: Path) -> None:
    write_task(
        tmp_path,
        language="zh",
        references=[{"id": "r1", "text": "理事会周一批准了新桥，五月开工。"}],
    )
    assert errors(tmp_path) == []


def test_validate_warns_about_a_script_the_rouge_tokenizer_drops(tmp_path: Path) -> None:
    write_task(
        tmp_path,
        language="ru",
        references=[{"id": "r1", "text": "Совет одобрил новый мост в понедельник."}],
    )
    result = runner.invoke(app, ["tasks", "validate", str(tmp_path / "tasks")])
    assert result.exit_code == 0
    assert "warning" in result.stderr and "tokenizer=unicode" in result.stderr


def test_a_numeric_task_id_is_taken_as_its_digits(tmp_path: Path) -> None:
    task_dir = write_task(tmp_path, "2024")
    text = (task_dir / "task.yaml").read_text().replace("id: '2024'", "id: 2024")
    (task_dir / "task.yaml").write_text(text)
    (task,) = load_tasks(tmp_path / "tasks")
    assert task.id == "2024"
