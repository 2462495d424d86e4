"""Scoring elsewhere in batches: items grouped into one message, batches sized to the time
items take, partial batches sent when the loop waits, a failed item's batch-mates kept (with an
executor that scores in this thread and says how long each item took)."""

from __future__ import annotations

import pickle
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from conftest import write_task

from bench.request import Summary
from bench.run import RunError, build_scorers, build_systems
from bench.run.record import Outcome, Recorder
from bench.run.score import (
    BATCH_SECONDS,
    BATCHES_OUT,
    ItemFailed,
    ScoredBatch,
    Scoring,
    ScoringJob,
    compute,
    score_batch_in_process,
)
from bench.run.systems import ScorerSetup
from bench.scorers import ItemScore, Metric, Scorer, register_scorer
from bench.store import Store
from bench.task import Task, load_tasks


@register_scorer("test-fails-on-t1")
class FailsOnT1(Scorer):
    """Fails on the task ``t1``: a scorer bug, not a CannotScore."""

    name = "test-fails-on-t1"

    def signature(self) -> str:
        return "test-fails-on-t1:v1"

    def metrics(self) -> list[Metric]:
        return [Metric("ok", "OK", None, 1.0)]

    def score(self, task: Task, summary: Summary) -> ItemScore:
        if task.id == "t1":
            raise ValueError("scorer bug")
        return ItemScore({"ok": 1.0})


class InThread:
    """An executor that scores each batch it is sent at once, and remembers the batches."""

    scores_elsewhere = True

    def __init__(self, setups: list[ScorerSetup], broken: str = "", seconds: float = 0.0) -> None:
        self.setups = {s.name: s for s in setups}
        self.broken = broken
        """A task whose items fail to score."""
        self.seconds = seconds
        """What each item is said to take."""
        self.batches: list[list[str]] = []

    def score_batch(self, jobs: list[ScoringJob]) -> Future[ScoredBatch]:
        self.batches.append([task.id for task, _, _ in jobs])
        results: list[list[Outcome] | ItemFailed] = [
            ItemFailed("ValueError: scorer bug", "Traceback ...")
            if task.id == self.broken
            else [compute(self.setups[n], task, summaries) for n in names]
            for task, summaries, names in jobs
        ]
        future: Future[ScoredBatch] = Future()
        future.set_result((results, self.seconds * len(jobs)))
        return future


class PerItem:
    """An executor without batches (as the Ray executor): one future per item."""

    scores_elsewhere = True

    def __init__(self, setups: list[ScorerSetup]) -> None:
        self.setups = {s.name: s for s in setups}
        self.items = 0

    def score(self, task: Task, summaries: list[Summary], names: list[str]) -> Future[Any]:
        self.items += 1
        future: Future[Any] = Future()
        future.set_result([compute(self.setups[n], task, summaries) for n in names])
        return future


@pytest.fixture
def tasks(tmp_path: Path) -> list[Task]:
    for n in range(7):
        write_task(tmp_path, f"t{n}")
    return load_tasks(tmp_path / "tasks")


def _scoring(tmp_path: Path, executor: Any, batch: int = 3) -> tuple[Scoring, Store]:
    store = Store(tmp_path / "run")
    recorder = Recorder(store)
    recorder.open({"status": "running"})
    return Scoring(executor.setups.values(), recorder, executor, batch=batch), store


def _submit(scoring: Scoring, tasks: list[Task], text: str = "A summary of the story.") -> None:
    (system,) = build_systems(["lead"])
    for task in tasks:
        scoring.score(task, system, [Summary(text=text)])


def test_items_go_in_batches_sized_by_the_first_ones_time_and_wait_while_processes_are_busy(
    tasks: list[Task], tmp_path: Path
) -> None:
    setups = build_scorers(["stats"])
    executor = InThread(setups)
    scoring, store = _scoring(tmp_path, executor)
    _submit(scoring, tasks[:3])
    assert executor.batches == [["t0"]]  # alone to the idle process; the rest wait for its time
    assert len(scoring) == 3
    scoring.collect(wait_all=False)  # t0 back at once: batches of the limit, 3
    assert scoring.size == 3
    assert executor.batches == [["t0"], ["t1", "t2"]]  # a partial batch: the process was idle
    _submit(scoring, tasks[3:6])  # a batch is out, so t3 and t4 wait for a batch-mate
    assert executor.batches[-1] == ["t3", "t4", "t5"]
    _submit(scoring, tasks[6:])  # two batches out (BATCHES_OUT for one process): t6 waits
    assert executor.batches[-1] == ["t3", "t4", "t5"] and len(scoring) == 6
    scoring.collect(wait_all=True)
    assert executor.batches[-1] == ["t6"]
    assert len(scoring) == 0
    stored = store.scores()
    assert stored["task_id"].drop_duplicates().tolist() == [f"t{n}" for n in range(7)]
    assert set(stored["metric"]) == {m.name for m in setups[0].scorer.metrics()}


def test_batches_out_are_bounded_per_process(tasks: list[Task], tmp_path: Path) -> None:
    executor = InThread(build_scorers(["stats"]))
    store = Store(tmp_path / "run")
    recorder = Recorder(store)
    recorder.open({"status": "running"})
    scoring = Scoring(executor.setups.values(), recorder, executor, batch=1, workers=3)
    scoring.learn(0.0, 1)
    _submit(scoring, tasks)
    assert len(executor.batches) == BATCHES_OUT * 3 == len(scoring.pending)
    scoring.collect(wait_all=True)
    assert len(executor.batches) == 7 and store.scores()["task_id"].nunique() == 7


def test_slow_items_go_one_at_a_time(tasks: list[Task], tmp_path: Path) -> None:
    executor = InThread(build_scorers(["stats"]), seconds=BATCH_SECONDS)
    scoring, store = _scoring(tmp_path, executor, batch=16)
    for task in tasks:
        _submit(scoring, [task])
        scoring.collect(wait_all=False)
    assert executor.batches == [[task.id] for task in tasks]
    assert store.scores()["task_id"].nunique() == 7


def test_batches_shrink_at_once_when_items_get_slower_and_grow_back_gradually(
    tmp_path: Path,
) -> None:
    scoring, _ = _scoring(tmp_path, InThread([]), batch=16)
    scoring.learn(BATCH_SECONDS / 100, 4)
    assert scoring.size == 16
    scoring.learn(BATCH_SECONDS / 2 * 3, 3)  # half the work in each item
    assert scoring.size == 2
    sizes = []
    for _ in range(12):
        scoring.learn(0.0, 16)
        sizes.append(scoring.size)
    assert sizes == sorted(sizes) and sizes[0] == 2 and sizes[-1] == 16


def test_a_failed_item_keeps_its_batch_mates_and_names_itself(
    tasks: list[Task], tmp_path: Path
) -> None:
    executor = InThread(build_scorers(["stats"]), broken="t1")
    scoring, store = _scoring(tmp_path, executor)
    scoring.learn(0.0, 1)
    _submit(scoring, tasks[:3])
    with pytest.raises(RunError, match=r"scoring lead on t1 .*ValueError: scorer bug") as raised:
        scoring.collect(wait_all=True)
    assert isinstance(raised.value.__cause__, ItemFailed)  # with the process's traceback
    assert sorted(store.scores()["task_id"].unique()) == ["t0", "t2"]


def test_an_interrupted_run_drops_items_not_sent(tasks: list[Task], tmp_path: Path) -> None:
    executor = InThread(build_scorers(["stats"]))
    scoring, store = _scoring(tmp_path, executor)
    scoring.learn(0.0, 1)
    _submit(scoring, tasks[:5])
    scoring.collect(wait_all=True, cancel=True)  # t4 was waiting: two batches were out
    assert len(scoring) == 0
    assert executor.batches == [["t0"], ["t1", "t2", "t3"]]
    assert sorted(store.scores()["task_id"].unique()) == ["t0", "t1", "t2", "t3"]


def test_a_batch_interrupted_while_it_is_stored_keeps_the_rest_for_the_next_collection(
    tasks: list[Task], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    executor = InThread(build_scorers(["stats"]))
    scoring, store = _scoring(tmp_path, executor, batch=16)
    scoring.learn(0.0, 1)
    _submit(scoring, tasks)
    scoring.collect(wait_all=False)  # t0 went alone; t1-t6 go as one batch once it is back
    assert executor.batches == [["t0"], [f"t{n}" for n in range(1, 7)]]
    stored = scoring.recorder.outcome
    calls = []

    def ctrl_c_at_the_fourth(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 4:
            raise KeyboardInterrupt
        stored(*args)

    monkeypatch.setattr(scoring.recorder, "outcome", ctrl_c_at_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        scoring.collect(wait_all=True)
    monkeypatch.setattr(scoring.recorder, "outcome", stored)
    scoring.collect(wait_all=True, cancel=True)  # what the run does on Ctrl-C
    rows = (tmp_path / "run" / "scores.csv").read_text().splitlines()[1:]
    assert len(rows) == len(set(rows))  # nothing stored twice
    assert store.scores()["task_id"].nunique() == 7  # and nothing lost


def test_an_executor_without_batches_gets_one_item_at_a_time(
    tasks: list[Task], tmp_path: Path
) -> None:
    executor = PerItem(build_scorers(["stats"]))
    scoring, store = _scoring(tmp_path, executor, batch=16)
    _submit(scoring, tasks)
    assert executor.items == 7 and len(scoring.pending) == 7
    scoring.collect(wait_all=True)
    assert store.scores()["task_id"].nunique() == 7


def test_a_batch_must_hold_an_item(tmp_path: Path) -> None:
    with pytest.raises(RunError, match="at least 1 item"):
        _scoring(tmp_path, InThread([]), batch=0)


def test_a_scoring_process_reports_a_failed_item_and_scores_the_rest(
    tasks: list[Task], monkeypatch: pytest.MonkeyPatch
) -> None:
    import bench.run.score as score

    setups = build_scorers(["test-fails-on-t1"])
    monkeypatch.setitem(score._PROCESS_SCORERS, "test-fails-on-t1", setups[0])
    summary = [Summary(text="A summary.")]
    names = ["test-fails-on-t1"]
    results, seconds = score_batch_in_process(
        [(tasks[0], summary, names), (tasks[1], summary, names)] * 2
    )
    assert seconds > 0
    assert [r.message if isinstance(r, ItemFailed) else r[0].values for r in results] == [
        {"ok": 1.0},
        "ValueError: scorer bug",
        {"ok": 1.0},
        "ValueError: scorer bug",
    ]
    failed = results[1]
    assert isinstance(failed, ItemFailed)
    assert "Traceback" in failed.trace and 'raise ValueError("scorer bug")' in failed.trace
    assert pickle.loads(pickle.dumps(failed)).trace == failed.trace  # it crosses processes


@pytest.mark.slow  # a Python process of its own: ~2.5 s
def test_a_program_read_from_standard_input_scores_in_its_own_process(tmp_path: Path) -> None:
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    program = f"""
from bench.run import Run, build_scorers, build_systems
from bench.run.score import scoring_pool
from bench.store import Store
from bench.task import load_tasks
setups = build_scorers(["stats"])
assert scoring_pool(setups, 2) is None  # spawn would run "<stdin>" again, and fail
tasks = load_tasks({str(repo / "tasks")!r})
run = Run(tasks, build_systems(["lead"]), setups, Store({str(tmp_path / "run")!r}), score_workers=2)
print(run.execute().scored)
"""
    done = subprocess.run(
        [sys.executable, "-"], input=program, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["5"]


def test_a_program_in_a_file_gets_scoring_processes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sys
    import types

    from bench.run.score import scoring_pool

    script = tmp_path / "script.py"
    script.write_text("")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    pool = scoring_pool(build_scorers(["stats"]), 2)
    assert pool is not None
    pool.shutdown()
    main.__file__ = "<stdin>"
    assert scoring_pool(build_scorers(["stats"]), 2) is None
