"""Table readers: save_to_disk folders, unknown formats, hub sources offline."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench.tasksets import TaskSetError, iter_tasks, open_tasks
from bench.tasksets.sources import hub_offline, parse_hub_source, rows_up_to

from .tables import ARTICLE


def test_save_to_disk_folder_is_read_and_a_split_folder_is_named(tmp_path: Path) -> None:
    import datasets

    data = datasets.Dataset.from_dict({"id": ["x", "y"], "article": [ARTICLE, ARTICLE]})
    data.save_to_disk(str(tmp_path / "one"))
    assert [t.id for t in iter_tasks(tmp_path / "one", "documents=article,id=id")] == ["x", "y"]
    datasets.DatasetDict({"test": data}).save_to_disk(str(tmp_path / "many"))
    with pytest.raises(TaskSetError, match=r"several splits.*test"):
        open_tasks(tmp_path / "many", "documents=article")


def test_unknown_formats_and_missing_files_are_named(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_text("x")
    with pytest.raises(TaskSetError, match=r"unknown task set format '\.txt'"):
        open_tasks(tmp_path / "d.txt")
    with pytest.raises(TaskSetError, match="no such file"):
        open_tasks(tmp_path / "nope.parquet")


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


def test_rows_are_counted_up_to_a_limit_in_local_line_tables_only(tmp_path: Path) -> None:
    (tmp_path / "t.jsonl").write_text('{"id": 1}\n\n{"id": 2}\n   \n{"id": 3}\n')
    (tmp_path / "t.csv").write_text('id,article\n1,a\n2,"two\n\nparagraphs"\n')
    (tmp_path / "empty.csv").write_text("")
    assert rows_up_to(str(tmp_path / "t.jsonl"), 10) == 3  # blank lines are no rows
    assert rows_up_to(str(tmp_path / "t.jsonl"), 2) == 2  # stops at the limit
    assert rows_up_to(str(tmp_path / "t.csv"), 10) == 2  # no header, a quoted break inside
    assert rows_up_to(str(tmp_path / "empty.csv"), 10) == 0
    assert rows_up_to(str(tmp_path / "t.parquet"), 10) is None
    assert rows_up_to("https://example.org/t.jsonl", 10) is None
