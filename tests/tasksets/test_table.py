"""Opening a task set: task folders, lazy rows, skipped bad rows, missing columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from bench.task import Problem, TaskError
from bench.tasksets import TaskSetError, iter_tasks, open_tasks

from .tables import ARTICLE, write_jsonl, write_parquet


def test_the_bundled_task_folder_opens_through_the_same_call() -> None:
    tasks = list(iter_tasks(REPO / "tasks"))
    assert len(tasks) == 5
    assert tasks[0].references and tasks[0].keyfacts


def test_tasks_are_made_lazily_one_row_at_a_time(tmp_path: Path) -> None:
    rows = [{"article": ARTICLE}] * 3 + [{"article": 5}]
    tasks = iter_tasks(write_jsonl(tmp_path / "d.jsonl", rows), "documents=article")
    assert next(tasks).id == "row-000000"  # made before the bad row is read
    with pytest.raises(TaskError):
        list(tasks)


def test_bad_rows_can_be_collected_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"article": "Fine."}\nnot json\n{"article": ""}\n{"article": "Also."}\n')
    problems: list[Problem] = []
    tasks = list(iter_tasks(path, "documents=article", problems=problems))
    assert [t.id for t in tasks] == ["row-000000", "row-000003"]
    assert [p.file for p in problems] == [f"{path}, row 1", f"{path}, row 2"]
    assert "(line 2) is not valid JSON" in problems[0].message


def test_missing_columns_fail_at_open_listing_the_table_columns(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "d.parquet", [{"article": ARTICLE, "highlights": "H."}])
    with pytest.raises(TaskSetError, match=r"no column\(s\) 'summary'; the table has article"):
        open_tasks(path, "documents=article,references=summary")
    with pytest.raises(TaskSetError, match=r"map columns, e\.g\. --map documents=article"):
        open_tasks(path)
