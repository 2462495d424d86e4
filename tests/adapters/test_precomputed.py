"""Tests for the precomputed adapter: reading JSONL and CSV, expanding systems, clear errors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from bench.adapters import adapters
from bench.adapters.precomputed import Precomputed
from bench.request import RequestDocument, SummaryRequest
from bench.text import count_words

ROWS = [
    {"task_id": "t1", "system": "alpha", "summary": "Alpha on one.\nSecond line."},
    {"task_id": "t2", "system": "alpha", "summary": "Alpha on two."},
    {"task_id": "t1", "system": "beta", "summary": "Beta on one."},
]


def request(task_id: str, budget: int = 100) -> SummaryRequest:
    """A minimal request for ``task_id``."""
    return SummaryRequest(
        task_id=task_id,
        instructions="Summarize.",
        budget=budget,
        documents=(RequestDocument(id="d0", text="Some text."),),
    )


def write_jsonl(path: Path, rows: Sequence[object]) -> str:
    """Write one JSON value per line; return the path as text."""
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return str(path)


@pytest.fixture
def jsonl(tmp_path: Path) -> str:
    """A JSONL file with two systems."""
    return write_jsonl(tmp_path / "outputs.jsonl", list(ROWS))


@pytest.fixture
def csv_file(tmp_path: Path) -> str:
    """The same rows as CSV; the first summary spans two lines."""
    path = tmp_path / "outputs.csv"
    path.write_text(
        'task_id,system,summary\nt1,alpha,"Alpha on one.\nSecond line."\n'
        "t2,alpha,Alpha on two.\nt1,beta,Beta on one.\n",
        encoding="utf-8",
    )
    return str(path)


# ------------------------------------------------------------------------------------ reading


def test_jsonl_summaries_are_returned_by_task(jsonl: str) -> None:
    summary = Precomputed(jsonl, system="alpha").summarize(request("t2"))
    assert summary.text == "Alpha on two."
    assert summary.meta["source"] == jsonl


def test_csv_summaries_are_returned_by_task(csv_file: str) -> None:
    adapter = Precomputed(csv_file, system="alpha")
    assert adapter.summarize(request("t1")).text == "Alpha on one.\nSecond line."
    assert adapter.summarize(request("t2")).text == "Alpha on two."


def test_a_json_array_file_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(ROWS), encoding="utf-8")
    assert Precomputed(str(path), system="beta").summarize(request("t1")).text == "Beta on one."


def test_a_single_system_file_needs_no_system(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "one.jsonl", ROWS[:2])
    assert Precomputed(path).summarize(request("t1")).text == "Alpha on one.\nSecond line."


def test_a_unicode_line_separator_inside_a_summary_is_text(tmp_path: Path) -> None:
    path = tmp_path / "outputs.jsonl"
    row = {"task_id": "t1", "system": "s", "summary": "One\u2028two\u2029three."}
    path.write_text(json.dumps(row, ensure_ascii=False) + "\r\n", encoding="utf-8")
    assert Precomputed(str(path)).summarize(request("t1")).text == "One\u2028two\u2029three."


def test_a_repeated_identical_row_is_accepted(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "outputs.jsonl", [ROWS[1], ROWS[1]])
    assert Precomputed(path).summarize(request("t2")).text == "Alpha on two."


def test_a_summary_over_the_budget_is_kept_and_marked(jsonl: str) -> None:
    summary = Precomputed(jsonl, system="alpha").summarize(request("t1", budget=2))
    assert summary.text == "Alpha on one.\nSecond line."
    assert summary.meta["over_budget"] is True and summary.meta["words"] == 5


def test_truncate_cuts_a_summary_over_the_budget(jsonl: str) -> None:
    summary = Precomputed(jsonl, system="alpha", truncate=True).summarize(request("t1", budget=2))
    assert summary.text == "Alpha on"
    assert count_words(summary.text) == 2
    assert summary.meta["truncated"] is True and summary.meta["words"] == 5


def test_file_content_is_part_of_the_cache_identity(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "o.jsonl", ROWS[2:])
    before = Precomputed(path).cache_identity()
    write_jsonl(tmp_path / "o.jsonl", ROWS[:2])
    assert Precomputed(path).cache_identity() != before


def test_parameters_arrive_as_strings_through_the_registry(jsonl: str) -> None:
    adapter = adapters.create("precomputed", path=jsonl, system="beta")
    assert isinstance(adapter, Precomputed)
    assert adapter.summarize(request("t1")).text == "Beta on one."


# ---------------------------------------------------------------------------------- expansion


def test_expand_gives_one_adapter_per_system(jsonl: str) -> None:
    expanded = Precomputed(jsonl).expand()
    assert expanded is not None and sorted(expanded) == ["alpha", "beta"]
    assert expanded["beta"].summarize(request("t1")).text == "Beta on one."


def test_expand_does_not_read_the_file_again(jsonl: str) -> None:
    adapter = Precomputed(jsonl)
    Path(jsonl).unlink()
    expanded = adapter.expand()
    assert expanded is not None
    assert expanded["alpha"].summarize(request("t2")).text == "Alpha on two."


def test_expand_of_a_single_system_file_names_it(tmp_path: Path) -> None:
    expanded = Precomputed(write_jsonl(tmp_path / "one.jsonl", ROWS[2:])).expand()
    assert expanded is not None and list(expanded) == ["beta"]


def test_expand_with_a_chosen_system_is_none(jsonl: str) -> None:
    assert Precomputed(jsonl, system="alpha").expand() is None


# ------------------------------------------------------------------------------------- errors


def test_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nope.jsonl"
    with pytest.raises(FileNotFoundError, match=f"^{path}: file not found$"):
        Precomputed(str(path))


def test_unsupported_extension_is_named(tmp_path: Path) -> None:
    path = tmp_path / "outputs.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match=r"outputs\.txt: unsupported file type"):
        Precomputed(str(path))


def test_invalid_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "outputs.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^{path}, line 3: not valid JSON"):
        Precomputed(str(path))


def test_missing_field_names_file_line_and_field(tmp_path: Path) -> None:
    rows: list[object] = [ROWS[0], ROWS[1], {"task_id": "t3", "system": "alpha"}]
    path = write_jsonl(tmp_path / "outputs.jsonl", rows)
    with pytest.raises(ValueError) as error:
        Precomputed(path)
    assert str(error.value) == f"{path}, line 3: missing field 'summary' (expected a string)"


def test_non_string_field_names_file_line_and_field(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "outputs.jsonl", [{"task_id": 7, "system": "a", "summary": ""}])
    with pytest.raises(ValueError) as error:
        Precomputed(path)
    assert str(error.value) == f"{path}, line 1: field 'task_id' has type int (expected a string)"


def test_a_line_that_is_not_an_object_is_named(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "outputs.jsonl", [ROWS[0], ["t1", "alpha", "x"]])
    with pytest.raises(ValueError, match=rf"^{path}, line 2: expected an object"):
        Precomputed(path)


def test_conflicting_duplicate_names_both_lines(tmp_path: Path) -> None:
    rows: list[object] = [*ROWS, {**ROWS[0], "summary": "Something else."}]
    path = write_jsonl(tmp_path / "outputs.jsonl", rows)
    with pytest.raises(ValueError) as error:
        Precomputed(path)
    assert str(error.value) == (
        f"{path}, line 4: task 't1' of system 'alpha' already has a different summary (line 1)"
    )


def test_unknown_system_lists_the_systems_of_the_file(jsonl: str) -> None:
    with pytest.raises(ValueError) as error:
        Precomputed(jsonl, system="gamma")
    assert str(error.value) == f"{jsonl}: no system 'gamma'; the file has: alpha, beta"


def test_csv_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "outputs.csv"
    path.write_text("task_id,system,text\nt1,a,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^{path}, line 1: missing column 'summary'"):
        Precomputed(str(path))


def test_csv_errors_count_lines_of_multiline_summaries(tmp_path: Path) -> None:
    path = tmp_path / "outputs.csv"
    path.write_text('task_id,system,summary\nt1,a,"two\nlines"\nt2,a\n', encoding="utf-8")
    with pytest.raises(ValueError) as error:
        Precomputed(str(path))
    assert str(error.value) == f"{path}, line 4: missing field 'summary' (expected a string)"


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "outputs.jsonl"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^{path}: no summaries found"):
        Precomputed(str(path))


def test_a_missing_task_is_a_lookup_error(jsonl: str) -> None:
    with pytest.raises(LookupError) as error:
        Precomputed(jsonl, system="beta").summarize(request("t2"))
    assert str(error.value) == f"{jsonl}: no summary for task 't2' of system 'beta'"
    assert not isinstance(error.value, KeyError)


def test_summarize_without_a_system_on_a_multi_system_file_says_what_to_do(jsonl: str) -> None:
    with pytest.raises(LookupError, match=r"several systems \(alpha, beta\)"):
        Precomputed(jsonl).summarize(request("t1"))
