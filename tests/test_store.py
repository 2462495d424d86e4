"""The results store: append-only rows that survive interruption."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.store import FACTS_FILE, SCORES_FILE, Store, StoreError, write_atomic


def test_rows_round_trip_with_exact_floats(tmp_path: Path) -> None:
    store = Store(tmp_path / "run")
    store.open()
    value = 0.1 + 0.2
    store.append_scores([("t1", "lead", "rouge", "rouge1_f", value)])
    store.append_facts(
        [
            {
                "task_id": "t1",
                "system": "lead",
                "sample": "",
                "fact_id": "f",
                "weight": 2.0,
                "present": True,
                "evidence": 'He said "yes", then, no.',
                "matcher": "lexical-v1",
            }
        ]
    )
    store.append_outputs([{"task_id": "t1", "system": "lead", "summary": "Été à Kyiv."}])
    scores = store.scores()
    assert scores["value"].tolist() == [value]
    facts = store.facts()
    assert facts["present"].tolist() == [True]
    assert facts["evidence"].tolist() == ['He said "yes", then, no.']
    assert store.outputs()[0]["summary"] == "Été à Kyiv."


def test_open_drops_a_line_cut_short_by_a_crash(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.open()
    store.append_scores([("t1", "lead", "rouge", "rouge1_f", 0.5)])
    with (tmp_path / SCORES_FILE).open("a") as handle:
        handle.write("t2,lead,rou")
    store.open()
    store.append_scores([("t3", "lead", "rouge", "rouge1_f", 0.25)])
    assert store.scores()["task_id"].tolist() == ["t1", "t3"]


def test_open_twice_writes_headers_once(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.open()
    store.open()
    assert (tmp_path / FACTS_FILE).read_text().count("task_id") == 1


def test_write_atomic_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "x" / "run.json"
    write_atomic(target, "old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert list(target.parent.iterdir()) == [target]


def test_missing_run_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not a results folder"):
        Store(tmp_path).run_info()


def test_corrupt_outputs_line_names_file_and_line(tmp_path: Path) -> None:
    store = Store(tmp_path)
    (tmp_path / "outputs.jsonl").write_text('{"a": 1}\n{oops\n')
    with pytest.raises(StoreError, match=r"outputs.jsonl, line 2"):
        store.outputs()
