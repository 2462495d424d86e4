"""A run and its scheduling loop: tasks read in a bounded window, each (task, system) item
generated, scored and recorded as soon as it can be.

Every item's summaries and scores are appended to the store as soon as they exist, so an
interrupted or failing run keeps everything computed so far, and re-running into the same
folder only does what is missing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from bench.cache import GenerationCache
from bench.run.cost import Spending
from bench.run.executors import make_executor
from bench.run.generate import Batches, Generation
from bench.run.options import ReportOptions
from bench.run.provenance import check_compatible, now, run_info
from bench.run.record import Progress, Recorder, RunStats
from bench.run.score import Scoring, fewer_collections
from bench.run.selection import SharedTable
from bench.run.systems import ScorerSetup, System, unknown_id_warnings
from bench.store import Store
from bench.task import Task, TaskError

WINDOW = 512
"""Tasks in flight at once: bounds memory whatever the size of the task set."""

SCORING_QUEUE = 64
"""Items submitted for scoring and not stored yet, per scoring process, at most: bounds memory
(four batches of :data:`bench.run.score.SCORING_BATCH`; the batches out are bounded apart, by
:data:`bench.run.score.BATCHES_OUT`, so an interrupted run waits for few)."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (a CI job cancelled, ``kill``, a container stopping): the run stops as on
    Ctrl-C, keeping everything done and marking itself interrupted."""


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main thread (elsewhere a
    signal handler cannot be set, and the default applies)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if not stopping:  # a second SIGTERM must not cut short the closing of the store
            stopping = True
            raise Terminated()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class Run:
    """Tasks x systems x scorers, written to one store (built by :func:`bench.run.plan_run`,
    or directly from its parts).

    ``tasks`` may be any iterable (a stream from a large dataset): at most :data:`WINDOW` tasks
    are held at once. Generation runs concurrently up to each adapter's ``concurrency`` (and in
    batches of its ``batch_size``); scoring runs in the calling thread as results arrive, or
    in ``score_workers`` processes, the store still being written by the calling thread only.
    """

    tasks: Iterable[Task]
    systems: list[System]
    scorers: list[ScorerSetup]
    store: Store
    config: dict[str, Any] = field(default_factory=dict)
    """What run.json records as the run's configuration (options, selection, report)."""
    cache: GenerationCache | None = None
    score_workers: int = 1
    """Processes that score (each builds its own scorers); 1 scores in the calling thread.
    They are spawned, so a script that runs with more than 1 needs the usual
    ``if __name__ == "__main__":`` guard."""
    score_deadline: float | None = None
    """Seconds one scorer may take on one item (see :mod:`bench.deadline`); None: no limit."""
    expected: int | None = None
    """How many tasks the run reads, when known before it starts."""
    selected: bool = False
    """True when only part of the task set runs (a limit, sample or shard)."""
    warnings: list[str] = field(default_factory=list)
    """What planning found worth telling before the run starts."""
    report: ReportOptions = field(default_factory=ReportOptions)
    """How the run's table is built."""
    executor: str = "local"
    """Where items are generated and scored: ``local``, or ``ray[:ADDRESS]`` (a Ray cluster)."""
    spending: Spending | None = None
    """What this run's requests cost (``--prices``) and its limit (``--max-cost``)."""
    shared_table: SharedTable | None = None
    """A table file Ray workers read themselves (the driver sends rows, not task contents)."""

    def execute(self, progress: Progress | None = None) -> RunStats:
        """Run every missing item; on interruption the store keeps what was done. A task whose
        input or gold changed since the folder scored it is refused (:class:`RunError`): tasks
        held in a list before anything is written, a streamed one when it is read."""
        previous = check_compatible(self.store, self.systems, self.scorers)
        started = now()
        recorder = Recorder(self.store, progress)
        known = self.tasks if isinstance(self.tasks, list) else None  # checked before writing
        recorder.open(self._info(previous, started, "running", recorder.stats), known)
        executor = make_executor(
            self.executor,
            self.systems,
            self.scorers,
            self.score_workers,
            self.spending,
            self.score_deadline,
            self.shared_table,
        )
        scoring = Scoring(
            self.scorers, recorder, executor, self.score_deadline, workers=self.score_workers
        )
        generation = Generation(recorder, scoring, self.cache)
        status = "interrupted"
        with sigterm_interrupts(), fewer_collections():
            try:
                schedule(
                    self.tasks,
                    self.systems,
                    recorder,
                    generation,
                    Batches(self.systems, executor),
                    scoring,
                    SCORING_QUEUE * self.score_workers,
                )
                status = "complete" if not recorder.stats.not_run.total else "stopped"
            finally:
                executor.stop_generating(complete=status != "interrupted")
                try:
                    if executor.scores_elsewhere:
                        # Keep what the scoring processes finished, even when interrupted.
                        scoring.collect(wait_all=True, cancel=status == "interrupted")
                        executor.stop_scoring()
                finally:
                    info = self._info(previous, started, status, recorder.stats)
                    describe = getattr(executor, "describe", None)
                    if callable(describe):
                        info["executor"] = {"name": self.executor, **describe()}
                    recorder.close(info)
        return recorder.stats

    def unknown_id_warnings(self) -> list[str]:
        """After a streamed run, ids in precomputed outputs that no task it read has (tasks
        held in a list were checked before the run, by :func:`bench.run.plan_run`)."""
        if isinstance(self.tasks, list):
            return []
        return unknown_id_warnings(self.systems, set(self.store.listed_tasks()), self.selected)

    def _info(
        self, previous: dict[str, Any] | None, started: str, status: str, stats: RunStats
    ) -> dict[str, Any]:
        info = run_info(
            previous, started, status, stats.counts(), self.systems, self.scorers, self.config
        )
        if self.spending is not None:
            info["cost"] = self.spending.recorded(previous)
        elif previous and "cost" in previous:  # resumed without --prices: keep what was spent
            info["cost"] = previous["cost"]
        return info


def schedule(
    tasks: Iterable[Task],
    systems: Sequence[System],
    recorder: Recorder,
    generation: Generation,
    batches: Batches,
    scoring: Scoring,
    scoring_slots: int,
) -> None:
    """Read tasks while fewer than :data:`WINDOW` are open and fewer than ``scoring_slots``
    items wait for scoring; send items to generation; store results as they finish. A bad row
    of a streamed table is raised once everything before it is stored."""
    source = iter(tasks)
    open_items: dict[str, int] = {}  # task id -> items still running
    exhausted = False
    bad_row: TaskError | None = None
    while True:
        while not exhausted and len(open_items) < WINDOW and len(scoring) < scoring_slots:
            try:
                task = next(source, None)
            except TaskError as error:  # a bad row: finish what is running, then report
                bad_row, task = error, None
            if task is None:
                exhausted = True
                break
            recorder.list_task(task)
            open_items[task.id] = 0
            for system in systems:
                if generation.prepare(task, system):
                    batches.add(system, task)
                    open_items[task.id] += 1
                batches.flush(system, force=False)
        batches.flush_all(force=exhausted)
        for task_id in [t for t, n in open_items.items() if n == 0]:
            del open_items[task_id]
        if not batches.in_flight:
            if batches.waiting():  # a partial batch while nothing else is running
                batches.flush_all(force=True)
                continue
            if exhausted:
                scoring.collect(wait_all=True)
                if bad_row is not None:
                    raise bad_row
                return
            if len(scoring):  # reading waits for the scoring processes to catch up
                wait(scoring.pending, return_when=FIRST_COMPLETED)
                scoring.collect(wait_all=False)
            continue
        pending: list[Future[Any]] = [*batches.in_flight, *scoring.pending]
        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
        scoring.collect(wait_all=False)
        for task, system, result in batches.finished(finished):  # in submission order
            generation.finish(task, system, result)
            open_items[task.id] -= 1
