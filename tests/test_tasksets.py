"""Task sets from tables: mapping, formats, text rules, row errors, hub offline behaviour."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import REPO

from bench.task import Problem, TaskError
from bench.tasksets import (
    DEFAULT_BUDGET,
    ColumnMapping,
    TaskSetError,
    hub_offline,
    iter_tasks,
    normalize_whitespace,
    open_tasks,
    parse_hub_source,
    parse_mapping,
)

ARTICLE = "The council approved the new bridge on Monday.\n\nWork starts in May, officials said."
HIGHLIGHTS = "Council approves bridge .\nWork to start in May ."


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


# ------------------------------------------------------------------------------------ mapping


def test_parse_mapping_reads_fields_and_plus_joined_columns() -> None:
    mapping = parse_mapping("documents=article, references=ref1+ref2 ,id=id,budget=words")
    assert mapping == ColumnMapping(
        documents=("article",), references=("ref1", "ref2"), id="id", budget="words"
    )
    assert str(mapping) == "documents=article,references=ref1+ref2,id=id,budget=words"
    assert mapping.columns() == ["article", "ref1", "ref2", "id", "words"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("documents=article,summary=highlights", "unknown field 'summary'"),
        ("documents", "expected FIELD=COLUMN"),
        ("documents=a,documents=b", "mapped twice"),
        ("documents=a,id=x+y", "'id' takes one column"),
        ("references=highlights", "names no documents column"),
        ("documents=a+", "empty column name"),
    ],
)
def test_parse_mapping_rejects_bad_entries_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_mapping(text)


def test_identity_mapping_takes_the_columns_named_like_task_fields() -> None:
    mapping = ColumnMapping.identity(["id", "documents", "references", "extra"])
    assert mapping == ColumnMapping(documents=("documents",), references=("references",), id="id")


# -------------------------------------------------------------------------------- text rules


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


# ----------------------------------------------------------------------------------- formats


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


def test_save_to_disk_folder_is_read_and_a_split_folder_is_named(tmp_path: Path) -> None:
    import datasets

    data = datasets.Dataset.from_dict({"id": ["x", "y"], "article": [ARTICLE, ARTICLE]})
    data.save_to_disk(str(tmp_path / "one"))
    assert [t.id for t in iter_tasks(tmp_path / "one", "documents=article,id=id")] == ["x", "y"]
    datasets.DatasetDict({"test": data}).save_to_disk(str(tmp_path / "many"))
    with pytest.raises(TaskSetError, match=r"several splits.*test"):
        open_tasks(tmp_path / "many", "documents=article")


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


# --------------------------------------------------------------------------------- bad input


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


def test_unknown_formats_and_missing_files_are_named(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_text("x")
    with pytest.raises(TaskSetError, match=r"unknown task set format '\.txt'"):
        open_tasks(tmp_path / "d.txt")
    with pytest.raises(TaskSetError, match="no such file"):
        open_tasks(tmp_path / "nope.parquet")


# --------------------------------------------------------------------------------------- hub


def test_hub_sources_parse_with_and_without_config() -> None:
    assert parse_hub_source("hf:abisee/cnn_dailymail:3.0.0:test") == (
        "abisee/cnn_dailymail",
        "3.0.0",
        "test",
    )
    assert parse_hub_source("hf:EdinburghNLP/xsum:test") == ("EdinburghNLP/xsum", None, "test")
    with pytest.raises(TaskSetError, match="expected hf:NAME"):
        parse_hub_source("hf:xsum")


def test_an_uncached_hub_dataset_fails_fast_offline_with_a_way_out() -> None:
    import datasets  # imported first: the import is not what must be fast

    before = datasets.config.HF_HUB_OFFLINE
    start = time.perf_counter()
    with pytest.raises(TaskSetError) as caught:
        open_tasks("hf:sumbench-nonexistent/dataset:default:test")
    assert time.perf_counter() - start < 5  # a hub attempt retries for ~47 s
    message = str(caught.value)
    assert "dataset sumbench-nonexistent/dataset is not in the local cache" in message
    assert "sumbench is offline" in message and "--online" in message
    assert "point --tasks at a local copy (jsonl/parquet/csv/save_to_disk folder)" in message
    assert before == datasets.config.HF_HUB_OFFLINE


def test_hub_offline_sets_and_restores_both_libraries_flags() -> None:
    import datasets
    from huggingface_hub import constants

    before = (datasets.config.HF_HUB_OFFLINE, constants.HF_HUB_OFFLINE)
    with hub_offline():
        assert datasets.config.HF_HUB_OFFLINE and constants.HF_HUB_OFFLINE
    assert before == (datasets.config.HF_HUB_OFFLINE, constants.HF_HUB_OFFLINE)


def test_a_field_the_task_model_rejects_is_reported_by_row(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [{"article": ARTICLE, "lang": "English"}])
    with pytest.raises(TaskError, match=r"row 0: column 'lang' gives a bad language"):
        list(iter_tasks(path, "documents=article,language=lang"))
