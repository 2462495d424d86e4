"""Task model, loading and validation: every broken-task kind is caught with file and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import REPO, write_task

from bench.request import Summary
from bench.task import Problem, Task, TaskError, check_tasks, load_tasks


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def only_error(root: Path) -> Problem:
    _, problems = check_tasks(root / "tasks")
    found = errors(problems)
    assert len(found) == 1, found
    return found[0]


def test_valid_task_loads_with_gold(task_tree: Path) -> None:
    (task,) = load_tasks(task_tree / "tasks")
    assert task.id == "t1"
    assert task.documents[0].text.startswith("The council approved")
    assert [r.id for r in task.references] == ["r1", "r2"]
    assert task.keyfacts[0].patterns == [["council"], ["approv"], ["bridge"]]


def test_bundled_tasks_are_valid_and_complete() -> None:
    tasks, problems = check_tasks(REPO / "tasks")
    assert problems == []
    by_id = {t.id: t for t in tasks}
    assert set(by_id) == {"paris-summit", *(f"paris-summit-00{i}" for i in range(1, 5))}
    cluster = by_id["paris-summit"]
    assert len(cluster.documents) == 5
    assert len(cluster.references) >= 3 and len(cluster.keyfacts) >= 12
    for i in range(1, 5):
        single = by_id[f"paris-summit-00{i}"]
        assert len(single.documents) == 1
        assert len(single.references) >= 2 and len(single.keyfacts) >= 6


def test_bundled_key_fact_support_names_documents_of_the_task() -> None:
    for task in load_tasks(REPO / "tasks"):
        ids = {d.id for d in task.documents}
        for fact in task.keyfacts:
            assert fact.support and set(fact.support) <= ids, (task.id, fact.id)


def test_bundled_cluster_records_source_disagreements() -> None:
    (cluster,) = [t for t in load_tasks(REPO / "tasks") if t.id == "paris-summit"]
    disagreements = cluster.metadata["disagreements"]
    assert len(disagreements) >= 2
    for item in disagreements:
        assert len({c["document"] for c in item["claims"]}) >= 2


def test_missing_source_file_names_file_and_field(tmp_path: Path) -> None:
    write_task(tmp_path, documents=[{"id": "d1", "path": "sources/nope.txt"}])
    problem = only_error(tmp_path)
    assert problem.file.endswith("task.yaml") and problem.field == "documents[0].path"
    assert "not found" in problem.message


def test_empty_source_is_an_error(tmp_path: Path) -> None:
    task_dir = write_task(tmp_path, documents=[{"id": "d1", "path": "sources/empty.txt"}])
    (task_dir / "sources" / "empty.txt").write_text("\n\n  \n", encoding="utf-8")
    problem = only_error(tmp_path)
    assert problem.file.endswith("empty.txt") and "empty" in problem.message


def test_non_utf8_source_is_reported_with_offset(tmp_path: Path) -> None:
    task_dir = write_task(tmp_path, documents=[{"id": "d1", "path": "sources/latin1.txt"}])
    (task_dir / "sources" / "latin1.txt").write_bytes("Caf\xe9 news.".encode("latin-1"))
    problem = only_error(tmp_path)
    assert problem.file.endswith("latin1.txt")
    assert "UTF-8" in problem.message and "0xe9" in problem.message


def test_duplicate_document_ids_are_reported(tmp_path: Path) -> None:
    write_task(
        tmp_path,
        documents=[{"id": "d1", "path": "sources/a.txt"}, {"id": "d1", "path": "sources/a.txt"}],
    )
    problem = only_error(tmp_path)
    assert problem.field == "documents" and "duplicate document id 'd1'" in problem.message


def test_duplicate_task_ids_are_reported(tmp_path: Path) -> None:
    write_task(tmp_path, "t1")
    other = write_task(tmp_path, "t2")
    spec = yaml.safe_load((other / "task.yaml").read_text())
    spec["id"] = "t1"
    (other / "task.yaml").write_text(yaml.safe_dump(spec))
    _, problems = check_tasks(tmp_path / "tasks")
    messages = [p.message for p in errors(problems)]
    assert any("must equal its folder name" in m for m in messages)


def test_duplicate_reference_and_fact_ids_are_reported(tmp_path: Path) -> None:
    write_task(
        tmp_path,
        references=[
            {"id": "r1", "text": "One full sentence here."},
            {"id": "r1", "text": "Another full sentence here."},
        ],
        keyfacts=[{"id": "f", "text": "A fact."}, {"id": "f", "text": "B fact."}],
    )
    _, problems = check_tasks(tmp_path / "tasks")
    messages = sorted(p.message for p in errors(problems))
    assert messages == ["duplicate key fact id 'f'", "duplicate reference id 'r1'"]


def test_pattern_that_is_not_a_list_of_lists_is_explained(tmp_path: Path) -> None:
    write_task(tmp_path, keyfacts=[{"id": "f", "text": "A fact.", "patterns": ["UK", "France"]}])
    problem = only_error(tmp_path)
    assert problem.file.endswith("keyfacts.yaml") and problem.field == "[0].patterns"
    assert "list of lists" in problem.message


def test_reference_shorter_than_a_sentence_is_an_error(tmp_path: Path) -> None:
    write_task(
        tmp_path,
        references=[
            {"id": "r1", "text": "Bridge."},
            {"id": "r2", "text": "The council approved a bridge."},
        ],
    )
    problem = only_error(tmp_path)
    assert problem.field == "[0].text" and "shorter than one sentence" in problem.message


def test_task_without_references_is_a_warning_not_an_error(tmp_path: Path) -> None:
    write_task(tmp_path, references=[], keyfacts=[])
    tasks, problems = check_tasks(tmp_path / "tasks")
    assert len(tasks) == 1 and tasks[0].references == []
    assert [p.severity for p in problems] == ["warning"]
    assert "cannot score" in problems[0].message


def test_unknown_field_is_rejected(tmp_path: Path) -> None:
    write_task(tmp_path, budjet=40)
    problem = only_error(tmp_path)
    assert problem.field == "budjet" and "unknown field" in problem.message


def test_wrong_type_names_field_and_value(tmp_path: Path) -> None:
    write_task(tmp_path, budget="short")
    problem = only_error(tmp_path)
    assert problem.field == "budget" and "'short'" in problem.message


def test_invalid_yaml_gives_line_number(tmp_path: Path) -> None:
    task_dir = write_task(tmp_path)
    (task_dir / "task.yaml").write_text("id: t1\ntitle: [unclosed\n")
    problem = only_error(tmp_path)
    assert "invalid YAML at line" in problem.message


def test_key_fact_support_must_name_a_document(tmp_path: Path) -> None:
    write_task(tmp_path, keyfacts=[{"id": "f", "text": "A fact.", "support": ["d9"]}])
    problem = only_error(tmp_path)
    assert problem.field == "[0].support" and "d9" in problem.message


def test_load_tasks_raises_with_every_problem(tmp_path: Path) -> None:
    write_task(tmp_path, "t1", documents=[{"id": "d1", "path": "sources/nope.txt"}])
    write_task(tmp_path, "t2", budget=0)
    with pytest.raises(TaskError) as caught:
        load_tasks(tmp_path / "tasks")
    assert len(caught.value.problems) == 2


def test_request_carries_no_gold(tmp_path: Path) -> None:
    write_task(
        tmp_path,
        references=[
            {"id": "gold-ref", "text": "Zebra quartet votes unanimously today."},
            {"id": "r2", "text": "Xylophone lessons resume next spring."},
        ],
        keyfacts=[{"id": "secret-fact", "text": "Quokka parade happened.", "weight": 1}],
    )
    (task,) = load_tasks(tmp_path / "tasks")
    dumped = task.request().model_dump_json()
    for needle in ("Zebra quartet", "Xylophone", "gold-ref", "Quokka", "secret-fact"):
        assert needle not in dumped


def test_references_for_leaves_out_the_summary_own_reference(task_tree: Path) -> None:
    (task,) = load_tasks(task_tree / "tasks")
    ids = [r.id for r in task.references_for(Summary(text="x", reference_id="r1"))]
    assert ids == ["r2"]


def test_inline_text_documents_are_cleaned(tmp_path: Path) -> None:
    write_task(tmp_path, documents=[{"id": "d1", "text": "  First line.  \r\n\r\n\r\nSecond.  "}])
    (task,) = load_tasks(tmp_path / "tasks")
    assert task.documents[0].text == "First line.\n\nSecond."


def test_task_model_rejects_unknown_fields() -> None:
    with pytest.raises(ValueError, match="references_text"):
        Task.model_validate(
            {
                "id": "x",
                "title": "x",
                "instructions": "x",
                "budget": 5,
                "documents": [{"id": "d", "text": "t"}],
                "references_text": "x",
            }
        )
