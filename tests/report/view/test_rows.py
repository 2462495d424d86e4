"""Streaming the store's row files: a line cut short by a crash is left out, a bad line is an
error naming the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.report.view.rows import csv_records, jsonl_records
from bench.store import StoreError


def test_jsonl_skips_a_cut_last_line_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "outputs.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2}\n{"a": 3, "b"')
    assert list(jsonl_records(path)) == [{"a": 1}, {"a": 2}]
    path.write_text('{"a": 1}\n{"a": 2}')  # complete JSON without a line end: still cut
    assert list(jsonl_records(path)) == [{"a": 1}]


def test_jsonl_bad_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "outputs.jsonl"
    path.write_text('{"a": 1}\nnot json\n')
    with pytest.raises(StoreError, match=r"outputs\.jsonl, line 2: invalid JSON"):
        list(jsonl_records(path))
    path.write_text("[1, 2]\n")
    with pytest.raises(StoreError, match="line 1: expected a JSON object"):
        list(jsonl_records(path))


def test_csv_skips_a_cut_last_row_and_checks_columns(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text('task_id,system,value\nt1,"a,b",0.5\nt2,c,0.')
    assert list(csv_records(path, ("task_id", "system"))) == [
        {"task_id": "t1", "system": "a,b", "value": "0.5"}
    ]
    with pytest.raises(StoreError, match=r"scores\.csv: missing column\(s\) metric"):
        list(csv_records(path, ("task_id", "metric")))
    assert list(csv_records(tmp_path / "absent.csv")) == []
