"""Merging sharded runs gives the tables of the unsharded run; mismatched shards are refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

from bench.merge import MergeError, merge_runs
from bench.report.build import build_report
from bench.run import Run, build_scorers, build_systems
from bench.store import FACTS_FILE, OUTPUTS_FILE, PROBLEMS_FILE, TASKS_FILE, Store
from bench.task import Task, load_tasks

SYSTEMS = ["lead", "textrank"]
SCORERS = ["rouge", "stats"]


def run(tasks: list[Task], folder: Path, systems: list[str] = SYSTEMS) -> Store:
    """One Run per system into the same store: systems generating side by side share a
    sentence splitter that is not thread-safe, which would make outputs differ run to run."""
    store = Store(folder)
    for spec in systems:
        setup = build_scorers(SCORERS)
        Run(tasks, build_systems([spec]), setup, store, {"shard": folder.name}).execute()
    return store


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Store, Store]:
    """The bundled tasks run whole, and as two shards."""
    root = tmp_path_factory.mktemp("runs")
    tasks = load_tasks(REPO / "tasks")
    whole = run(tasks, root / "whole")
    return whole, run(tasks[:2], root / "one"), run(tasks[2:], root / "two")


def test_merged_shards_have_the_tables_of_the_unsharded_run(
    runs: tuple[Store, Store, Store], tmp_path: Path
) -> None:
    whole, one, two = runs
    merged = Store(tmp_path / "merged")
    info = merge_runs([one, two], merged)
    assert build_report(merged, charts=False) == build_report(whole, charts=False)
    table = (tmp_path / "merged" / "table.csv").read_text(encoding="utf-8")
    assert table == (Path(whole.root) / "table.csv").read_text(encoding="utf-8")
    assert len(merged.scores()) == len(whole.scores())
    assert len(merged.outputs()) == len(whole.outputs())
    assert info["counts"]["tasks"] == sum(s.run_info()["counts"]["tasks"] for s in (one, two))
    assert info["status"] == "complete"
    assert "shard" not in info["config"]  # differs between shards: kept per source
    assert [m["config"]["shard"] for m in info["merged_from"]] == ["one", "two"]
    assert info["signatures"] == whole.run_info()["signatures"]


def test_merge_copies_facts_and_problems(runs: tuple[Store, Store, Store], tmp_path: Path) -> None:
    _, one, two = runs
    merge_runs([one, two], Store(tmp_path / "m"))
    for name in (OUTPUTS_FILE, PROBLEMS_FILE, FACTS_FILE, TASKS_FILE):
        parts = [(Path(s.root) / name).read_text(encoding="utf-8") for s in (one, two)]
        merged = (tmp_path / "m" / name).read_text(encoding="utf-8")
        if name == FACTS_FILE:
            header, *_ = parts[0].splitlines(keepends=True)
            parts = [parts[0], parts[1].removeprefix(header)]
        assert merged == "".join(parts)


def test_overlapping_shards_are_refused(runs: tuple[Store, Store, Store], tmp_path: Path) -> None:
    whole, one, _ = runs
    with pytest.raises(MergeError, match=r"'lead' on task '.*' is in both"):
        merge_runs([whole, one], Store(tmp_path / "m"))
    assert not Store(tmp_path / "m").exists()


def test_scorer_signatures_must_agree_but_engine_fields_do_not_count(
    runs: tuple[Store, Store, Store], tmp_path: Path
) -> None:
    _, one, two = runs
    info = two.run_info()
    rouge = next(s for s in info["scorers"] if s["name"] == "rouge")
    copy = _copy_store(two, tmp_path / "engine")
    rouge["signature"] += "|engine:other"
    copy.write_run(info)
    merge_runs([one, copy], Store(tmp_path / "ok"))
    rouge["signature"] = rouge["signature"].replace("stem:", "stem:x", 1) + "|tok:other"
    copy.write_run(info)
    with pytest.raises(MergeError, match="scorer 'rouge' has signature"):
        merge_runs([one, copy], Store(tmp_path / "bad"))


def test_systems_must_have_the_same_parameters(
    runs: tuple[Store, Store, Store], tmp_path: Path
) -> None:
    _, one, two = runs
    copy = _copy_store(two, tmp_path / "params")
    info = copy.run_info()
    info["systems"][0]["params"] = {"sentences": "5"}
    copy.write_run(info)
    with pytest.raises(MergeError, match="system 'lead' has params"):
        merge_runs([one, copy], Store(tmp_path / "m"))


def test_merge_needs_a_new_output_folder(runs: tuple[Store, Store, Store]) -> None:
    _, one, two = runs
    with pytest.raises(MergeError, match="already holds a run"):
        merge_runs([one, two], one)
    with pytest.raises(MergeError, match="the same run is given twice"):
        merge_runs([one, one], Store(Path(two.root).parent / "x"))


def _copy_store(store: Store, folder: Path) -> Store:
    folder.mkdir()
    for path in Path(store.root).iterdir():
        if path.is_file():
            (folder / path.name).write_bytes(path.read_bytes())
    json.loads((folder / "run.json").read_text(encoding="utf-8"))
    return Store(folder)


def test_facts_of_an_earlier_version_merge_with_empty_scores(
    runs: tuple[Store, Store, Store], tmp_path: Path
) -> None:
    _, one, two = runs
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(one.root, old)
    shutil.copytree(two.root, new)
    (old / FACTS_FILE).write_text(
        "task_id,system,sample,fact_id,weight,present,evidence,matcher\n"
        "paris-summit,lead,,f1,1.0,True,It rained.,lexical-v2\n",
        encoding="utf-8",
    )
    row = {
        "task_id": "paris-summit-002",
        "system": "lead",
        "sample": "",
        "fact_id": "f1",
        "weight": 1.0,
        "present": False,
        "evidence": "",
        "matcher": "lexical-v2",
        "score": 0.5,
    }
    Store(new).append_facts([row])
    merged = Store(tmp_path / "m")
    merge_runs([Store(old), Store(new)], merged)
    facts = merged.facts()
    assert facts["task_id"].tolist() == ["paris-summit", "paris-summit-002"]
    assert pd.isna(facts["score"].iloc[0]) and facts["score"].iloc[1] == 0.5
    assert facts["evidence"].tolist() == ["It rained.", ""]


def test_shards_split_by_system_list_each_task_once_and_changed_gold_is_refused(
    tmp_path: Path,
) -> None:
    tasks = load_tasks(REPO / "tasks")[:2]
    lead, textrank = (
        run(tasks, tmp_path / "lead", ["lead"]),
        run(tasks, tmp_path / "tr", ["textrank"]),
    )
    merged = Store(tmp_path / "m")
    merge_runs([lead, textrank], merged)
    assert [t["id"] for t in merged.tasks()] == [t.id for t in tasks]
    assert merged.listed_tasks() == lead.listed_tasks()
    changed = [t.model_copy(update={"keyfacts": t.keyfacts[1:]}) for t in tasks]
    other = run(changed, tmp_path / "changed", ["textrank"])
    with pytest.raises(MergeError, match=r"task 'paris-summit' differs between .* key facts"):
        merge_runs([lead, other], Store(tmp_path / "m2"))
    assert not (tmp_path / "m2").exists()  # refused before anything was written
