"""The results store: append-only rows that survive interruption."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
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
                "score": 0.1 + 0.7,
            },
            {
                "task_id": "t1",
                "system": "lead",
                "sample": "",
                "fact_id": "g",
                "weight": 1.0,
                "present": False,
                "evidence": "",
                "matcher": "patterns-v2",
                "score": None,
            },
        ]
    )
    store.append_outputs([{"task_id": "t1", "system": "lead", "summary": "Été à Kyiv."}])
    scores = store.scores()
    assert scores["value"].tolist() == [value]
    facts = store.facts()
    assert facts["present"].tolist() == [True, False]
    assert facts["evidence"].tolist() == ['He said "yes", then, no.', ""]
    assert facts["score"].iloc[0] == 0.1 + 0.7 and pd.isna(facts["score"].iloc[1])
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


def test_a_facts_file_of_an_earlier_version_reads_and_resumes_without_scores(
    tmp_path: Path,
) -> None:
    """facts.csv files written before the score column existed stay readable and appendable."""
    root = tmp_path / "old"
    root.mkdir()
    legacy = "task_id,system,sample,fact_id,weight,present,evidence,matcher\n"
    (root / FACTS_FILE).write_text(legacy + "t1,lead,,f,1.0,True,It rained.,lexical-v2\n")
    store = Store(root)
    store.open()
    store.append_facts(
        [
            {
                "task_id": "t2",
                "system": "lead",
                "sample": "",
                "fact_id": "f",
                "weight": 1.0,
                "present": False,
                "evidence": "",
                "matcher": "lexical-v2",
                "score": 0.25,
            }
        ]
    )
    lines = (root / FACTS_FILE).read_text().splitlines()
    assert lines[0] + "\n" == legacy and lines[-1] == "t2,lead,,f,1.0,False,,lexical-v2"
    facts = store.facts()
    assert facts["task_id"].tolist() == ["t1", "t2"] and facts["score"].isna().all()


def test_output_offsets_find_each_record_again_without_holding_the_file(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.open()
    texts = ["Été à Kyiv.", "Second «summary» — 35 nations.", "Third."]
    store.append_outputs(
        [{"task_id": f"t{i}", "system": "lead", "summary": t} for i, t in enumerate(texts)]
    )
    store.sync()
    indexed = list(store.output_offsets())
    assert [record["summary"] for _, record in indexed] == texts
    offsets = [offset for offset, _ in indexed]
    assert [r["summary"] for r in store.outputs_at(offsets[::-1])] == texts[::-1]
    (tmp_path / "outputs.jsonl").write_text('{"a": 1}\n{oops\n')
    with pytest.raises(StoreError, match=r"outputs.jsonl, line 2"):
        list(store.output_offsets())


def test_scored_items_lists_the_scorers_stored_per_item(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.open()
    store.append_scores(
        [
            ("t1", "lead", "rouge", "rouge1_f", 0.5),
            ("t1", "lead", "rouge", "rouge2_f", 0.2),
            ("t1", "lead", "stats", "words", 30.0),
            ("t2", "lead", "rouge", "rouge1_f", 0.4),
            ("t1", "random", "stats", "words", 12.0),
        ]
    )
    store.sync()
    assert store.scored_items() == {
        ("t1", "lead"): {"rouge", "stats"},
        ("t2", "lead"): {"rouge"},
        ("t1", "random"): {"stats"},
    }
    assert Store(tmp_path / "empty").scored_items() == {}


def test_a_summary_holding_a_unicode_line_separator_reads_back_whole(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.open()
    text = "First line\u2028second line\u2029third."
    store.append_outputs([{"task_id": "t1", "system": "lead", "summary": text}])
    store.sync()
    assert [r["summary"] for r in store.outputs()] == [text]
    assert [r["summary"] for _, r in store.output_offsets()] == [text]


def test_drop_rows_removes_earlier_rows_of_the_items_and_keeps_later_bytes(tmp_path: Path) -> None:
    store = Store(tmp_path / "run")
    store.open()
    store.append_scores(
        [("t1", "a", "rouge", "rouge1_f", 0.5), ("t2", "a", "rouge", "rouge1_f", 0.7)]
    )
    fact = {"task_id": "t1", "system": "a", "sample": "", "fact_id": "f1", "weight": 1.0}
    store.append_facts([{**fact, "present": True, "evidence": 'two\nlines, "quoted"'}])
    store.append_outputs([{"task_id": "t1", "system": "a", "summary": "old"}])
    store.append_problem({"task_id": "t3", "system": "b", "kind": "error", "message": "x"})
    store.sync()
    before = store.sizes()
    store.append_scores([("t1", "a", "rouge", "rouge1_f", 0.9)])
    store.append_outputs([{"task_id": "t1", "system": "a", "summary": "new"}])
    store.sync()
    later = (tmp_path / "run" / "scores.csv").read_bytes()[before["scores.csv"] :]
    assert store.drop_rows({("t1", "a")}, {"t3"}, before) == 4
    scores = (tmp_path / "run" / "scores.csv").read_bytes()
    assert scores == b"task_id,system,scorer,metric,value\nt2,a,rouge,rouge1_f,0.7\n" + later
    assert store.facts().empty  # the quoted two-line evidence went as one row
    assert [r["summary"] for r in store.outputs()] == ["new"]
    assert store.problems() == []
    assert store.drop_rows({("t1", "a")}, set(), store.sizes()) == 2  # now all rows are earlier


def test_a_cell_with_a_carriage_return_is_read_back_whole(tmp_path: Path) -> None:
    store = Store(tmp_path / "run")
    store.open()
    fact = {"task_id": "t1", "system": "a", "sample": "", "fact_id": "f1", "weight": 1.0}
    store.append_facts([{**fact, "present": True, "evidence": "old Mac\rline end"}])
    store.append_facts([{**fact, "fact_id": "f2", "present": False, "evidence": "plain"}])
    store.sync()
    facts = store.facts()
    assert list(facts.evidence) == ["old Mac\rline end", "plain"]
    lines = (tmp_path / "run" / FACTS_FILE).read_bytes().decode("utf-8").split("\n")
    assert lines[2] == "t1,a,,f2,1.0,False,plain,,"  # other records are written as before
