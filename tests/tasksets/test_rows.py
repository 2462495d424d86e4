"""Rows to tasks: text rules, generated ids and defaults, several columns, bad cells by row and
column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.task import TaskError
from bench.tasksets import iter_tasks, open_tasks
from bench.tasksets.rows import DEFAULT_BUDGET, normalize_whitespace

from .tables import ARTICLE, HIGHLIGHTS, write_csv, write_jsonl, write_parquet


def test_whitespace_normalisation_keeps_lines_and_one_blank_line() -> None:
    assert normalize_whitespace("  a  b\tc\u00a0d \r\n\r\n\r\n\r\ne\rf  ") == "a b c d\n\ne\nf"
    assert normalize_whitespace("one line") == "one line"


def test_plain_text_cells_are_normalised_and_highlight_lines_kept(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "d.jsonl",
        [{"id": "a", "article": "The  council\r\napproved it.  ", "highlights": HIGHLIGHTS}],
    )
    (task,) = iter_tasks(path, "documents=article,references=highlights,id=id")
    assert task.documents[0].text == "The council\napproved it."
    assert task.references[0].text == HIGHLIGHTS
    assert [d.id for d in task.documents] == ["d1"]
    assert [r.id for r in task.references] == ["r1"]


def test_clean_option_runs_full_source_cleaning(tmp_path: Path) -> None:
    html = (
        "<html><body><h1>Bridge approved</h1><p>The council approved the bridge.</p></body></html>"
    )
    path = write_jsonl(tmp_path / "d.jsonl", [{"article": html}])
    (plain,) = iter_tasks(path, "documents=article")
    (cleaned,) = iter_tasks(path, "documents=article", clean=True)
    assert "<p>" in plain.documents[0].text
    assert "<p>" not in cleaned.documents[0].text
    assert "The council approved the bridge." in cleaned.documents[0].text


def test_jsonl_rows_become_tasks_with_generated_ids_and_defaults(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "d.jsonl", [{"article": ARTICLE}, {"article": ARTICLE + " More."}]
    )
    tasks = list(iter_tasks(path, "documents=article"))
    assert [t.id for t in tasks] == ["row-000000", "row-000001"]
    assert tasks[0].title == "row-000000"
    assert tasks[0].budget == DEFAULT_BUDGET
    assert tasks[0].references == []
    tuned = next(iter_tasks(path, "documents=article", budget=55, instructions="Be brief."))
    assert (tuned.budget, tuned.instructions) == (55, "Be brief.")


def test_csv_takes_several_reference_columns_and_a_budget_column(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "d.csv",
        [
            {
                "id": "7",
                "text": ARTICLE,
                "ref1": "Bridge approved by council.",
                "ref2": "Work in May.",
                "words": "30",
                "title": "",
            }
        ],
    )
    (task,) = iter_tasks(path, "documents=text,references=ref1+ref2,id=id,budget=words,title=title")
    assert task.id == "7"
    assert task.title == "7"  # an empty title cell falls back to the id
    assert task.budget == 30
    assert [(r.id, r.text) for r in task.references] == [
        ("r1", "Bridge approved by council."),
        ("r2", "Work in May."),
    ]


def test_parquet_list_columns_and_separator_give_several_documents(tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path / "d.parquet",
        [
            {
                "docs": ["First article.", "Second article."],
                "joined": "A.|||||B.|||||",
                "refs": ["One.", "Two."],
            },
        ],
    )
    table = open_tasks(path, "documents=docs,references=refs")
    assert table.num_rows == 1
    (task,) = table
    assert [d.text for d in task.documents] == ["First article.", "Second article."]
    assert [r.id for r in task.references] == ["r1", "r2"]
    (split,) = iter_tasks(path, "documents=joined", separator="|||||")
    assert [(d.id, d.text) for d in split.documents] == [("d1", "A."), ("d2", "B.")]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"id": "a"}, "d.jsonl, row 1: column 'article' is missing"),
        ({"id": "a", "article": "  "}, "d.jsonl, row 1: column 'article' is empty"),
        ({"id": "a", "article": 42}, "d.jsonl, row 1: column 'article' is not text or a list"),
        ({"id": "a", "article": ["ok", 3]}, "row 1: column 'article[1]' is not text"),
        ({"id": "", "article": "x"}, "row 1: column 'id' is empty"),
        ({"id": "x", "article": "x"}, "row 1: duplicate task id 'x'"),
    ],
)
def test_a_bad_row_names_file_row_and_column(
    tmp_path: Path, row: dict[str, Any], message: str
) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [{"id": "x", "article": ARTICLE}, row])
    with pytest.raises(TaskError) as caught:
        list(iter_tasks(path, "documents=article,id=id"))
    assert message in str(caught.value)


def test_a_field_the_task_model_rejects_is_reported_by_row(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [{"article": ARTICLE, "lang": "English"}])
    with pytest.raises(TaskError, match=r"row 0: column 'lang' gives a bad language"):
        list(iter_tasks(path, "documents=article,language=lang"))
