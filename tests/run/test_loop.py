"""The runner: items stored as computed, failures recorded per item, interrupted runs resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest
from conftest import REPO, write_task

from bench.adapters import AdapterError, GoldSummarizer, Summarizer, register_adapter
from bench.cache import GenerationCache
from bench.request import Summary, SummaryRequest
from bench.run import Notes, Run, RunError, build_scorers, build_systems, parse_spec
from bench.scorers import ItemScore, Metric, Scorer, register_scorer
from bench.store import Store
from bench.task import Task, load_tasks

CALLS: list[str] = []
FAULTS: dict[str, type[BaseException]] = {}
"""Task id -> exception the test adapter raises for it (cleared to simulate a transient fault)."""


@register_adapter("test-first-words")
class FirstWords(Summarizer):
    """First n words of the first document."""

    def __init__(self, n: int | str = 3) -> None:
        self.n = int(n)

    def summarize(self, request: SummaryRequest) -> Summary:
        CALLS.append(request.task_id)
        fault = FAULTS.get(request.task_id)
        if fault is KeyboardInterrupt:
            raise KeyboardInterrupt
        if fault is not None:
            raise AdapterError("model server said no", attempts=3, transient=True)
        return Summary(text=" ".join(request.documents[0].text.split()[: self.n]))


@register_adapter("test-each-reference")
class EachReference(GoldSummarizer):
    """Every reference, left out in turn."""

    def summarize_task(self, task: Task) -> list[Summary]:
        return [Summary(text=r.text, reference_id=r.id) for r in task.references]


@register_scorer("test-length")
class Length(Scorer):
    """Words in the summary, and the number of references scored against."""

    name: ClassVar[str] = "test-length"
    requires = frozenset({"references"})

    def __init__(self, unit: str = "words") -> None:
        self.unit = unit

    def signature(self) -> str:
        return f"test-length:v1|unit:{self.unit}"

    def metrics(self) -> list[Metric]:
        return [Metric("length", "Len", None, 1.0), Metric("refs", "Refs", None, 1.0)]

    def score(self, task: Task, summary: Summary) -> ItemScore:
        return ItemScore(
            {
                "length": float(len(summary.text.split())),
                "refs": float(len(task.references_for(summary))),
            }
        )


@register_scorer("test-chars")
class Chars(Scorer):
    """Characters in the summary."""

    name: ClassVar[str] = "test-chars"

    def signature(self) -> str:
        return "test-chars:v1"

    def metrics(self) -> list[Metric]:
        return [Metric("chars", "Chars", None, 1.0)]

    def score(self, task: Task, summary: Summary) -> ItemScore:
        return ItemScore({"chars": float(len(summary.text))})


@register_scorer("test-explodes")
class Explodes(Scorer):
    """Fails on the task ``boom``: a scorer bug, not a CannotScore."""

    name: ClassVar[str] = "test-explodes"

    def signature(self) -> str:
        return "test-explodes:v1"

    def metrics(self) -> list[Metric]:
        return [Metric("ok", "OK", None, 1.0)]

    def score(self, task: Task, summary: Summary) -> ItemScore:
        if task.id == "boom":
            raise ValueError("scorer bug")
        return ItemScore({"ok": 1.0})


@pytest.fixture
def three_tasks(tmp_path: Path) -> list[Task]:
    for name in ("t1", "t2", "t3"):
        write_task(tmp_path, name)
    return load_tasks(tmp_path / "tasks")


def make_run(
    tasks: list[Task], out: Path, systems: list[str], scorers: list[str] | None = None
) -> Run:
    return Run(tasks, build_systems(systems), build_scorers(scorers or ["test-length"]), Store(out))


def test_parse_spec_reads_parameters_and_names() -> None:
    assert parse_spec("lead") == ("lead", {}, "lead")
    assert parse_spec("lead:k=5") == ("lead", {"k": "5"}, "lead:k=5")
    assert parse_spec("lead:k=5,name=lead5") == ("lead", {"k": "5"}, "lead5")
    with pytest.raises(RunError, match="expected key=value"):
        parse_spec("lead:k")


def test_run_stores_every_item(three_tasks: list[Task], tmp_path: Path) -> None:
    stats = make_run(three_tasks, tmp_path / "run", ["test-first-words:n=4"]).execute()
    store = Store(tmp_path / "run")
    assert stats.generated == 3 and stats.scored == 3
    scores = store.scores()
    assert sorted(scores["task_id"].unique()) == ["t1", "t2", "t3"]
    assert set(scores[scores.metric == "length"]["value"]) == {4.0}
    info = store.run_info()
    assert info["status"] == "complete"
    assert info["signatures"] == {"test-length": "test-length:v1|unit:words"}
    assert info["systems"][0]["params"] == {"n": "4"}
    assert [t["id"] for t in store.tasks()] == ["t1", "t2", "t3"]
    assert all(len(d["hash"]) == 16 for t in store.tasks() for d in t["documents"])
    assert info["counts"]["tasks"] == 3


def test_failing_adapter_is_recorded_and_the_run_goes_on(
    three_tasks: list[Task], tmp_path: Path
) -> None:
    FAULTS["t2"] = AdapterError
    try:
        stats = make_run(three_tasks, tmp_path, ["test-first-words"]).execute()
    finally:
        FAULTS.clear()
    store = Store(tmp_path)
    assert len(stats.errors) == 1 and "model server said no" in stats.errors[0]
    assert sorted(store.scores()["task_id"].unique()) == ["t1", "t3"]
    failed = [o for o in store.outputs() if o.get("error")]
    assert failed[0]["task_id"] == "t2" and failed[0]["summary"] is None
    assert failed[0]["attempts"] == 3
    assert [p["kind"] for p in store.problems()] == ["error"]


def test_rerun_retries_only_failed_items(three_tasks: list[Task], tmp_path: Path) -> None:
    FAULTS["t2"] = AdapterError
    try:
        make_run(three_tasks, tmp_path, ["test-first-words"]).execute()
    finally:
        FAULTS.clear()
    CALLS.clear()
    stats = make_run(three_tasks, tmp_path, ["test-first-words"]).execute()
    assert CALLS == ["t2"] and stats.generated == 1 and stats.reused == 2
    assert sorted(Store(tmp_path).scores()["task_id"]) == ["t1", "t1", "t2", "t2", "t3", "t3"]


def test_interrupted_run_keeps_work_and_resumes_without_repeating(
    three_tasks: list[Task], tmp_path: Path
) -> None:
    FAULTS["t3"] = KeyboardInterrupt
    try:
        with pytest.raises(KeyboardInterrupt):
            make_run(three_tasks, tmp_path, ["test-first-words"]).execute()
    finally:
        FAULTS.clear()
    store = Store(tmp_path)
    assert store.run_info()["status"] == "interrupted"
    assert sorted(store.scores()["task_id"].unique()) == ["t1", "t2"]
    CALLS.clear()
    make_run(three_tasks, tmp_path, ["test-first-words"]).execute()
    assert CALLS == ["t3"]
    assert store.run_info()["status"] == "complete"
    assert len(store.scores()) == 6


def test_changed_parameters_under_the_same_name_are_refused(
    three_tasks: list[Task], tmp_path: Path
) -> None:
    make_run(three_tasks, tmp_path, ["test-first-words:n=3,name=sys"]).execute()
    with pytest.raises(RunError, match="ran system 'sys'"):
        make_run(three_tasks, tmp_path, ["test-first-words:n=5,name=sys"]).execute()


def test_two_scorers_with_the_same_metrics_are_refused(
    three_tasks: list[Task], tmp_path: Path
) -> None:
    with pytest.raises(RunError, match="both produce 'length'"):
        make_run(
            three_tasks,
            tmp_path,
            ["test-first-words"],
            ["test-length", "test-length:unit=chars,name=other"],
        ).execute()


def test_changed_gold_is_refused_on_resume(tmp_path: Path) -> None:
    write_task(tmp_path, "t1")
    make_run(load_tasks(tmp_path / "tasks"), tmp_path / "run", ["test-first-words"]).execute()
    write_task(
        tmp_path,
        "t1",
        references=[
            {"id": "r1", "text": "An entirely new reference text."},
            {"id": "r2", "text": "And a second new one here."},
        ],
    )
    with pytest.raises(RunError, match=r"task 't1' \(references or key facts\) changed since"):
        make_run(load_tasks(tmp_path / "tasks"), tmp_path / "run", ["test-first-words"]).execute()


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of a results folder, to check that a refused run leaves it as it was."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def resume_after_change(tmp_path: Path, **changed: Any) -> Path:
    """Run t1 and t2 into a folder, write t1 again with ``changed`` and resume: the refused
    resume must leave every file of the folder as it was. Returns the folder."""
    write_task(tmp_path, "t1")
    write_task(tmp_path, "t2")
    out = tmp_path / "run"
    make_run(load_tasks(tmp_path / "tasks"), out, ["test-first-words"]).execute()
    before = folder_bytes(out)
    write_task(tmp_path, "t1", **changed)
    CALLS.clear()
    try:
        make_run(load_tasks(tmp_path / "tasks"), out, ["test-first-words"]).execute()
    finally:
        assert CALLS == [] and folder_bytes(out) == before
    return out


def test_changed_documents_are_refused_on_resume(tmp_path: Path) -> None:
    documents = [{"id": "d1", "text": "The council rejected the new bridge on Friday."}]
    with pytest.raises(RunError) as refused:
        resume_after_change(tmp_path, documents=documents)
    assert str(refused.value).startswith(
        f"task 't1' (text of document(s) 'd1') changed since {tmp_path / 'run'} was scored"
    )
    assert "write to a new --out folder" in str(refused.value)


def test_added_document_is_refused_on_resume(tmp_path: Path) -> None:
    documents = [{"id": "d1", "path": "sources/a.txt"}, {"id": "d2", "text": "More news here."}]
    with pytest.raises(RunError, match=r"task 't1' \(document\(s\) 'd2' added\) changed"):
        resume_after_change(tmp_path, documents=documents)


def test_changed_budget_is_refused_on_resume(tmp_path: Path) -> None:
    with pytest.raises(RunError, match=r"task 't1' \(budget 20 -> 5\) changed since"):
        resume_after_change(tmp_path, budget=5)


def test_changed_instructions_and_titles_are_refused_on_resume(tmp_path: Path) -> None:
    with pytest.raises(RunError, match=r"task 't1' \(instructions\) changed since"):
        resume_after_change(tmp_path, instructions="Summarize in French.")
    documents = [{"id": "d1", "path": "sources/a.txt", "title": "A new headline"}]
    with pytest.raises(RunError, match=r"'t1' \(document titles, outlets or dates\) changed"):
        resume_after_change(tmp_path / "again", documents=documents)


def test_every_changed_task_is_named_with_what_changed(tmp_path: Path) -> None:
    for name in ("t1", "t2", "t3"):
        write_task(tmp_path, name)
    out = tmp_path / "run"
    make_run(load_tasks(tmp_path / "tasks"), out, ["test-first-words"]).execute()
    write_task(tmp_path, "t1", budget=5)
    write_task(tmp_path, "t3", budget=7, language="fr")
    with pytest.raises(RunError) as refused:
        make_run(load_tasks(tmp_path / "tasks"), out, ["test-first-words"]).execute()
    assert str(refused.value).startswith(
        f"2 tasks changed since {out} was scored: 't1' (budget 20 -> 5), "
        "'t3' (budget 20 -> 7; language 'en' -> 'fr'); "
    )


def test_unchanged_tasks_resume_without_new_rows(tmp_path: Path) -> None:
    write_task(tmp_path, "t1")
    write_task(tmp_path, "t2")
    out = tmp_path / "run"
    make_run(load_tasks(tmp_path / "tasks"), out, ["test-first-words"]).execute()
    listed = (out / "tasks.jsonl").read_bytes()
    CALLS.clear()
    stats = make_run(load_tasks(tmp_path / "tasks"), out, ["test-first-words"]).execute()
    assert CALLS == [] and stats.reused == 2 and stats.generated == 0
    assert (out / "tasks.jsonl").read_bytes() == listed
    assert len(Store(out).outputs()) == 2
    assert len(pd.read_csv(out / "scores.csv")) == 4  # t1, t2 x length, refs: no row twice


def test_a_changed_task_nothing_was_made_of_yet_is_run_as_it_is_now(tmp_path: Path) -> None:
    write_task(tmp_path, "t1")
    write_task(tmp_path, "t2")
    out = tmp_path / "run"
    FAULTS["t2"] = AdapterError
    try:
        make_run(load_tasks(tmp_path / "tasks"), out, ["test-first-words"]).execute()
    finally:
        FAULTS.clear()
    write_task(tmp_path, "t2", budget=5)
    CALLS.clear()
    stats = make_run(load_tasks(tmp_path / "tasks"), out, ["test-first-words"]).execute()
    assert CALLS == ["t2"] and stats.reused == 1
    listed = Store(out).tasks()
    assert [t["id"] for t in listed] == ["t1", "t2"] and listed[1]["budget"] == 5
    assert len(pd.read_csv(out / "scores.csv")) == 4


def write_outputs(path: Path, text: str, tasks: tuple[str, ...] = ("t1", "t2")) -> None:
    """Precomputed summaries of the system "mine", the same ``text`` for each task."""
    rows = [{"task_id": t, "system": "mine", "summary": text} for t in tasks]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_an_item_made_anew_replaces_its_earlier_rows(tmp_path: Path) -> None:
    # The system's summaries changed (a precomputed file, an edited prompt or function): the
    # resumed run makes the items anew, and the folder keeps only the new version of each.
    write_task(tmp_path, "t1")
    write_task(tmp_path, "t2")
    outputs, out = tmp_path / "outputs.jsonl", tmp_path / "run"
    spec = [f"precomputed:path={outputs},name=mine"]
    write_outputs(outputs, "The council approved the bridge.")
    make_run(load_tasks(tmp_path / "tasks"), out, spec, ["test-length"]).execute()
    first = pd.read_csv(out / "scores.csv")
    write_outputs(outputs, "Work on a new bridge starts in May, the council said on Monday.")
    stats = make_run(load_tasks(tmp_path / "tasks"), out, spec, ["test-length"]).execute()
    assert stats.generated == 2 and stats.reused == 0
    scores = pd.read_csv(out / "scores.csv")
    assert len(scores) == len(first)  # one row per task, system and metric, as before
    assert not scores.duplicated(["task_id", "system", "metric"]).any()
    lengths = scores[scores.metric == "length"].value
    assert sorted(lengths) == [13.0, 13.0]  # the new summaries' words, not the old 5
    assert [r["summary"][:4] for r in Store(out).outputs()] == ["Work", "Work"]
    assert Store(out).run_info()["status"] == "complete"


def test_a_run_stopped_before_removing_old_rows_is_completed_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # kill -9 after the new summaries were stored, before the run ended: the folder holds two
    # versions of each item, and which scores are whose cannot be told. The next run makes the
    # items again and keeps one version.
    write_task(tmp_path, "t1")
    write_task(tmp_path, "t2")
    outputs, out = tmp_path / "outputs.jsonl", tmp_path / "run"
    spec = [f"precomputed:path={outputs},name=mine"]
    write_outputs(outputs, "The council approved the bridge.")
    make_run(load_tasks(tmp_path / "tasks"), out, spec, ["test-length"]).execute()
    write_outputs(outputs, "Work on a new bridge starts in May, the council said on Monday.")
    with monkeypatch.context() as killed:
        killed.setattr(Store, "drop_rows", lambda *args: 0)
        make_run(load_tasks(tmp_path / "tasks"), out, spec, ["test-length"]).execute()
    assert len(pd.read_csv(out / "scores.csv")) == 8  # both versions
    stats = make_run(load_tasks(tmp_path / "tasks"), out, spec, ["test-length"]).execute()
    assert stats.generated == 2
    scores = pd.read_csv(out / "scores.csv")
    assert len(scores) == 4 and sorted(scores[scores.metric == "length"].value) == [13.0, 13.0]
    assert len(Store(out).outputs()) == 2


def test_only_items_made_anew_lose_their_earlier_rows(tmp_path: Path) -> None:
    write_task(tmp_path, "t1")
    write_task(tmp_path, "t2")
    outputs, out = tmp_path / "outputs.jsonl", tmp_path / "run"
    spec = [f"precomputed:path={outputs},name=mine", "test-first-words"]
    write_outputs(outputs, "The council approved the bridge.")
    make_run(load_tasks(tmp_path / "tasks"), out, spec, ["test-length"]).execute()
    kept = Store(out).scores().query("system == 'test-first-words'")
    write_outputs(outputs, "Work on a new bridge starts in May, the council said on Monday.")
    make_run(load_tasks(tmp_path / "tasks"), out, spec, ["test-length"]).execute()
    scores = pd.read_csv(out / "scores.csv")
    assert len(scores) == 8 and not scores.duplicated(["task_id", "system", "metric"]).any()
    again = Store(out).scores().query("system == 'test-first-words'")
    assert again.reset_index(drop=True).equals(kept.reset_index(drop=True))


def test_a_failure_fixed_by_a_later_run_leaves_no_record(tmp_path: Path) -> None:
    write_task(tmp_path, "t1")
    write_task(tmp_path, "t2")
    out = tmp_path / "run"
    FAULTS["t2"] = AdapterError
    try:
        make_run(load_tasks(tmp_path / "tasks"), out, ["test-first-words"]).execute()
    finally:
        FAULTS.clear()
    assert [p["kind"] for p in Store(out).problems()] == ["error"]
    stats = make_run(load_tasks(tmp_path / "tasks"), out, ["test-first-words"]).execute()
    assert stats.generated == 1 and stats.reused == 1
    assert Store(out).problems() == []  # Problems lists what is, not what was
    assert [(r["task_id"], r.get("error")) for r in Store(out).outputs()] == [
        ("t1", None),
        ("t2", None),
    ]


def test_a_streamed_task_is_refused_when_it_is_read(tmp_path: Path) -> None:
    write_task(tmp_path, "t1")
    write_task(tmp_path, "t2")
    out = tmp_path / "run"
    make_run(load_tasks(tmp_path / "tasks"), out, ["test-first-words"]).execute()
    before = folder_bytes(out)
    write_task(tmp_path, "t2", budget=5)
    # With a system added, t1's new items are made before t2 is read and refused: the refused
    # run is undone, run.json included (its status and systems stay as they were).
    streamed = Run(
        iter(load_tasks(tmp_path / "tasks")),
        build_systems(["test-first-words", "test-first-words:n=5,name=five"]),
        build_scorers(["test-length"]),
        Store(out),
    )
    with pytest.raises(RunError, match=r"task 't2' \(budget 20 -> 5\) changed since"):
        streamed.execute()
    assert folder_bytes(out) == before
    assert [t.get("budget") for t in Store(out).tasks()] == [20, 20]


def test_a_folder_listed_without_input_hashes_still_refuses_changed_documents(
    tmp_path: Path,
) -> None:
    write_task(tmp_path, "t1")
    out = tmp_path / "run"
    make_run(load_tasks(tmp_path / "tasks"), out, ["test-first-words"]).execute()
    older = ("id", "gold", "documents", "references", "keyfacts")  # an earlier version's lines
    records = [{k: v for k, v in r.items() if k in older} for r in Store(out).tasks()]
    (out / "tasks.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    make_run(load_tasks(tmp_path / "tasks"), out, ["test-first-words"]).execute()
    write_task(tmp_path, "t1", documents=[{"id": "d1", "text": "Another text altogether."}])
    with pytest.raises(RunError, match=r"task 't1' \(text of document\(s\) 'd1'\) changed"):
        make_run(load_tasks(tmp_path / "tasks"), out, ["test-first-words"]).execute()


def test_ordinary_summarizer_cannot_leave_out_a_reference(
    three_tasks: list[Task], tmp_path: Path
) -> None:
    make_run(three_tasks[:1], tmp_path, ["test-sneaky"]).execute()
    scores = Store(tmp_path).scores().set_index("metric")["value"]
    assert scores["refs"] == 2.0


@register_adapter("test-sneaky")
class Sneaky(Summarizer):
    """Claims to be a reference to get it left out of its scoring."""

    def summarize(self, request: SummaryRequest) -> Summary:
        return Summary(text="x", reference_id="r1")


def test_cached_generations_are_reused_across_runs(three_tasks: list[Task], tmp_path: Path) -> None:
    cache = GenerationCache(tmp_path / "cache")
    first = Run(
        three_tasks,
        build_systems(["test-first-words"]),
        build_scorers(["test-length"]),
        Store(tmp_path / "a"),
        cache=cache,
    ).execute()
    CALLS.clear()
    second = Run(
        three_tasks,
        build_systems(["test-first-words"]),
        build_scorers(["test-length"]),
        Store(tmp_path / "b"),
        cache=cache,
    ).execute()
    assert first.generated == 3 and second.cached == 3 and CALLS == []
    assert all(o["cached"] for o in Store(tmp_path / "b").outputs())
    CALLS.clear()
    Run(
        three_tasks,
        build_systems(["test-first-words:n=4"]),
        build_scorers(["test-length"]),
        Store(tmp_path / "c"),
        cache=cache,
    ).execute()
    assert CALLS == ["t1", "t2", "t3"]


def test_bound_without_enough_references_is_skipped_not_failed(tmp_path: Path) -> None:
    write_task(tmp_path, "t1", references=[{"id": "r1", "text": "Only one reference here."}])
    stats = make_run(load_tasks(tmp_path / "tasks"), tmp_path / "run", ["human"]).execute()
    assert stats.errors == [] and "human needs at least 2 references" in stats.skipped[0]


def test_new_scorer_does_not_regenerate(three_tasks: list[Task], tmp_path: Path) -> None:
    make_run(three_tasks, tmp_path, ["test-first-words"]).execute()
    CALLS.clear()
    make_run(three_tasks, tmp_path, ["test-first-words"], ["test-chars"]).execute()
    assert CALLS == []
    assert set(Store(tmp_path).scores()["scorer"]) == {"test-length", "test-chars"}


def test_changed_scorer_signature_refuses_to_mix(three_tasks: list[Task], tmp_path: Path) -> None:
    make_run(three_tasks, tmp_path, ["test-first-words"]).execute()
    with pytest.raises(RunError, match="signature"):
        make_run(
            three_tasks, tmp_path, ["test-first-words"], ["test-length:unit=chars,name=test-length"]
        ).execute()


def test_task_without_references_is_reported_not_scored_zero(tmp_path: Path) -> None:
    write_task(tmp_path, "t1", references=[], keyfacts=[])
    tasks = load_tasks(tmp_path / "tasks")
    stats = make_run(tasks, tmp_path / "run", ["test-first-words"]).execute()
    assert stats.scored == 0 and "no references" in stats.skipped[0]
    assert Store(tmp_path / "run").scores().empty


def test_multi_sample_bound_is_averaged_with_its_reference_left_out(
    three_tasks: list[Task], tmp_path: Path
) -> None:
    make_run(three_tasks[:1], tmp_path, ["test-each-reference"]).execute()
    store = Store(tmp_path)
    scores = store.scores().set_index("metric")["value"]
    words = [len(r.text.split()) for r in three_tasks[0].references]
    assert scores["length"] == sum(words) / len(words)
    assert scores["refs"] == 1.0
    assert [o["sample"] for o in store.outputs()] == ["r1", "r2"]
    assert store.run_info()["systems"][0]["bound"] is True


def test_duplicate_system_names_are_rejected() -> None:
    with pytest.raises(RunError, match="used twice"):
        build_systems(["test-first-words", "test-first-words"])


def test_bad_system_parameter_is_a_run_error() -> None:
    with pytest.raises(RunError, match="has no parameter 'k'"):
        build_systems(["test-first-words:k=2"])


def test_builtin_baselines_are_never_served_from_the_cache(
    three_tasks: list[Task], tmp_path: Path
) -> None:
    cache = GenerationCache(tmp_path / "cache")
    for out in ("a", "b"):
        stats = Run(
            three_tasks,
            build_systems(["lead", "textrank"]),
            build_scorers(["test-length"]),
            Store(tmp_path / out),
            cache=cache,
        ).execute()
        assert stats.cached == 0 and stats.generated == 6
    assert not (tmp_path / "cache").exists()


def _stored(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple[str, ...]]]:
    store = Store(folder)
    scores = store.scores().sort_values(["task_id", "system", "scorer", "metric"])
    facts = store.facts().sort_values(["task_id", "system", "sample", "fact_id"])
    # A warning is recorded once per task and scorer, with the first system it came from:
    # with scoring processes, which system is first may differ.
    problems = sorted(
        (
            p["kind"],
            p["task_id"],
            "" if p["kind"] == "warning" else p["system"],
            str(p.get("scorer")),
            p["message"],
        )
        for p in store.problems()
    )
    return scores.reset_index(drop=True), facts.reset_index(drop=True), problems


@pytest.mark.slow
def test_scoring_processes_store_exactly_what_in_process_scoring_stores(tmp_path: Path) -> None:
    write_task(tmp_path, "no-facts", keyfacts=[])  # keyfacts skips it
    write_task(
        tmp_path,
        "cyrillic",
        documents=[{"id": "d1", "text": "Шторм обрушился на побережье. Свет погас."}],
    )  # rouge, stats and keyfacts warn
    tasks = load_tasks(REPO / "tasks") + load_tasks(tmp_path / "tasks")
    systems = ["lead", "textrank", "human"]
    scorers = ["rouge", "keyfacts", "stats", "test-length"]
    for workers, out in ((1, "serial"), (2, "parallel")):
        Run(
            tasks,
            build_systems(systems),
            build_scorers(scorers),
            Store(tmp_path / out),
            score_workers=workers,
        ).execute()
    serial, parallel = _stored(tmp_path / "serial"), _stored(tmp_path / "parallel")
    pd.testing.assert_frame_equal(serial[0], parallel[0])
    pd.testing.assert_frame_equal(serial[1], parallel[1])
    assert serial[2] == parallel[2]
    kinds = {kind for kind, *_ in serial[2]}
    assert kinds == {"skipped", "warning"}
    assert len(serial[0]) > 100 and serial[1]["score"].notna().any()


@pytest.mark.parametrize(
    "workers",
    [1, pytest.param(2, marks=pytest.mark.slow)],  # spawning scoring processes: ~3.5 s
    ids=["in-process", "scoring-processes"],
)
def test_a_failing_scorer_stops_the_run_with_its_item(tmp_path: Path, workers: int) -> None:
    for name in ("a", "boom"):
        write_task(tmp_path, name)
    tasks = load_tasks(tmp_path / "tasks")
    run = Run(
        tasks,
        build_systems(["test-first-words"]),
        build_scorers(["test-explodes"]),
        Store(tmp_path / "run"),
        score_workers=workers,
    )
    with pytest.raises(
        RunError, match=r"scoring test-first-words on boom .*ValueError: scorer bug"
    ):
        run.execute()
    store = Store(tmp_path / "run")
    assert store.run_info()["status"] == "interrupted"
    assert store.scores()["task_id"].tolist() == ["a"]


def test_score_workers_must_be_positive(three_tasks: list[Task], tmp_path: Path) -> None:
    run = Run(
        three_tasks,
        build_systems(["lead"]),
        build_scorers(["stats"]),
        Store(tmp_path),
        score_workers=0,
    )
    with pytest.raises(RunError, match="score_workers must be at least 1"):
        run.execute()


def test_run_notes_keep_the_first_messages_and_count_them_all() -> None:
    notes = Notes()
    for i in range(Notes.LIMIT + 5):
        notes.append(f"skip {i}")
    assert len(notes) == Notes.LIMIT and notes.total == Notes.LIMIT + 5
    assert notes[0] == "skip 0" and notes[-1] == f"skip {Notes.LIMIT - 1}"


SLOW_SCORER = '''
import os
import time
from pathlib import Path

from bench.scorers import ItemScore, Metric, Scorer, register_scorer


@register_scorer("test-slow-pid")
class SlowPid(Scorer):
    """Takes a while, and says which process scored."""

    name = "test-slow-pid"

    def signature(self):
        return "test-slow-pid:v1"

    def metrics(self):
        return [Metric("pid", "PID", None, 1.0)]

    def score(self, task, summary):
        Path(os.environ["PID_DIR"], str(os.getpid())).touch()
        time.sleep(float(os.environ.get("SLOW_S", "0.6")))
        return ItemScore({"pid": float(os.getpid())})
'''
DRIVER = """
import sys
from bench.run import Run, build_scorers, build_systems
from bench.store import Store
from bench.task import load_tasks
import slow_pid_scorer  # registers test-slow-pid

if __name__ == "__main__":  # scoring processes are spawned: they import this module
    Run(load_tasks(sys.argv[1]), build_systems(["lead", "random", "textrank"]),
        build_scorers(["test-slow-pid"]), Store(sys.argv[2]), score_workers=2).execute()
"""


def _driver(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path, Path]:
    (tmp_path / "slow_pid_scorer.py").write_text(SLOW_SCORER)
    (tmp_path / "driver.py").write_text(DRIVER)
    pids = tmp_path / "pids"
    pids.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PID_DIR": str(pids)}
    process = subprocess.Popen(
        [sys.executable, str(tmp_path / "driver.py"), str(REPO / "tasks"), str(tmp_path / "run")],
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Ctrl-C as in a terminal: a suite started in the background (`cmd &`) passes SIGINT
        # down ignored, and Python then installs no KeyboardInterrupt handler
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    return process, tmp_path / "run", pids


def _wait_for_scores(run: Path, rows: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scores = run / "scores.csv"
        if scores.exists() and len(scores.read_text().splitlines()) > rows:
            return
        time.sleep(0.05)
    raise AssertionError(f"no {rows} score rows in {timeout} s")


def _all_gone(pids: Path, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for name in os.listdir(pids):
            try:
                os.kill(int(name), 0)
                alive.append(name)
            except ProcessLookupError:
                pass
        if not alive:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
def test_scoring_happens_in_other_processes_and_ctrl_c_keeps_their_work(tmp_path: Path) -> None:
    process, run, pids = _driver(tmp_path)
    _wait_for_scores(run, 2)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    process.communicate(timeout=60)
    store = Store(run)
    assert store.run_info()["status"] == "interrupted"
    scores = store.scores()
    assert 2 <= len(scores) < 15
    workers = {int(v) for v in scores["value"]}
    assert process.pid not in workers and workers <= {int(p) for p in os.listdir(pids)}
    assert _all_gone(pids)


@pytest.mark.slow
def test_scoring_processes_end_with_a_killed_run(tmp_path: Path) -> None:
    process, run, pids = _driver(tmp_path)
    _wait_for_scores(run, 1)
    process.kill()
    process.communicate(timeout=30)
    assert len(os.listdir(pids)) >= 1
    assert _all_gone(pids)


@register_scorer("test-slow")
class Slow(Scorer):
    """Spins in pure Python on the task ``slow`` (nothing checks the deadline)."""

    name: ClassVar[str] = "test-slow"

    def signature(self) -> str:
        return "test-slow:v1"

    def metrics(self) -> list[Metric]:
        return [Metric("fast", "Fast", None, 1.0)]

    def score(self, task: Task, summary: Summary) -> ItemScore:
        end = time.monotonic() + (30 if task.id == "slow" else 0)
        while time.monotonic() < end:
            pass
        return ItemScore({"fast": 1.0})


def test_a_scorer_past_the_item_deadline_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    for name in ("t1", "slow", "t3"):
        write_task(tmp_path, name)
    tasks = load_tasks(tmp_path / "tasks")
    run = make_run(tasks, tmp_path / "run", ["test-first-words"], ["test-slow", "test-length"])
    run.score_deadline = 0.3
    started = time.monotonic()
    stats = run.execute()
    assert time.monotonic() - started < 10
    store = Store(tmp_path / "run")
    scores = store.scores()
    assert set(scores[scores.scorer == "test-slow"]["task_id"]) == {"t1", "t3"}
    assert set(scores[scores.scorer == "test-length"]["task_id"]) == {"t1", "slow", "t3"}
    (problem,) = [p for p in store.problems() if p["kind"] == "timeout"]
    assert (problem["task_id"], problem["system"], problem["scorer"]) == (
        "slow",
        "test-first-words",
        "test-slow",
    )
    assert 0.3 <= problem["seconds"] < 5
    assert "deadline" in problem["message"]
    assert store.run_info()["status"] == "complete"
    assert stats.skipped.total == 1
