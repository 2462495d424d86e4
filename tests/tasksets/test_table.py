"""Opening a task set: task folders, lazy rows, skipped bad rows, missing columns."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
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


def _tricky_rows() -> list[dict[str, str]]:
    """Rows with multi-line cells, quotes, commas and non-ASCII text."""
    return [
        {"id": f"t{i}", "documents": f'{ARTICLE} "Item" {i}, café\nline two.', "references": "R."}
        for i in range(23)
    ]


def _tricky_table(tmp_path: Path, kind: str) -> Path:
    """The tricky rows as a table of ``kind``, with what each format allows of oddities."""
    rows = _tricky_rows()
    path = tmp_path / f"tasks.{kind}"
    if kind == "jsonl":  # a byte-order mark and blank lines, which iteration does not count
        lines = [
            json.dumps(r, ensure_ascii=False) + ("\n\n  \n" if i % 5 == 0 else "\n")
            for i, r in enumerate(rows)
        ]
        path.write_bytes(b"\xef\xbb\xbf" + "".join(lines).encode("utf-8"))
    elif kind == "csv":  # a byte-order mark, CRLF endings and blank records
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            for i, row in enumerate(rows):
                writer.writerow(row)
                handle.write("\r\n" if i % 4 == 0 else "")
    else:
        pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=5)
    return path


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_tasks_at_reads_rows_by_index_as_iteration_makes_them(tmp_path: Path, kind: str) -> None:
    positions: dict[str, int] = {}
    table = open_tasks(_tricky_table(tmp_path, kind), positions=positions)
    read = list(table)
    assert len(read) == 23 and table.random_access
    order = [17, 3, 4, 22, 0, 9, 10, 5]
    assert table.tasks_at(order) == [read[i] for i in order]
    assert positions == {task.id: index for index, task in enumerate(read)}


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_a_table_at_a_url_reads_as_the_local_file(tmp_path: Path, kind: str) -> None:
    path = _tricky_table(tmp_path, kind)
    url = path.as_uri()  # file://...: read through fsspec as any other protocol
    assert url.startswith("file://")
    table = open_tasks(url)
    assert list(table) == list(open_tasks(path)) and table.name == url
    assert table.tasks_at([20, 1]) == open_tasks(path).tasks_at([20, 1])


def test_a_missing_or_unreadable_url_is_refused_naming_it(tmp_path: Path) -> None:
    missing = (tmp_path / "none.jsonl").as_uri()
    with pytest.raises(TaskSetError, match="no such file at this URL") as raised:
        open_tasks(missing)
    assert raised.value.problems[0].file == missing
    with pytest.raises(TaskSetError, match="cannot read this URL"):
        open_tasks("nosuchprotocol://host/tasks.jsonl")


def test_tasks_at_names_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_text('{"id": "a", "documents": ["Text."]}\nnot json\n', encoding="utf-8")
    table = open_tasks(path)
    with pytest.raises(TaskError) as raised:
        table.tasks_at([1])
    (problem,) = raised.value.problems
    assert "row 1" in problem.file and "line 2" in problem.message
