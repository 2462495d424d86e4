"""Scoring an item's summaries: each scorer's outcome, in the calling thread or in spawned
scoring processes, stored through the recorder in the order items were submitted."""

from __future__ import annotations

import gc
import importlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from bench.deadline import DeadlineExceeded, deadline
from bench.request import Summary
from bench.run.errors import RunError
from bench.run.executor import Executor
from bench.run.record import Outcome, Recorder, sample_name
from bench.run.systems import ScorerSetup, System
from bench.scorers import CannotScore, scorers
from bench.task import Task

GC_THRESHOLDS = (50_000, 20, 100)
"""The cyclic garbage collector's thresholds while scoring (Python's are 700, 10, 10): scoring
allocates many small objects but makes few reference cycles, and the caches a run fills
(tokens, stems, sentence splits) are walked again by every older-generation collection. With
these, ``benchmarks/run_speed.py`` scored about 20% faster in a scoring process."""


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Within the block, collect cyclic garbage less often (:data:`GC_THRESHOLDS`); the
    previous thresholds come back after it."""
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def compute(
    setup: ScorerSetup, task: Task, summaries: list[Summary], seconds: float | None = None
) -> Outcome:
    """Score an item's summaries (several for multi-sample systems) with one scorer, within a
    deadline of ``seconds`` (None: none); past it the outcome is a timeout (see
    :mod:`bench.deadline` for how scoring is interrupted)."""
    started = time.monotonic()
    try:
        with deadline(seconds):
            outcome = _compute(setup, task, summaries)
    except DeadlineExceeded:
        return Outcome(setup.name, timeout=time.monotonic() - started)
    took = time.monotonic() - started
    if seconds and took > seconds:  # in C code that no check or alarm could interrupt
        return Outcome(setup.name, timeout=took)
    return outcome


def _compute(setup: ScorerSetup, task: Task, summaries: list[Summary]) -> Outcome:
    reasons = [r for s in summaries if (r := setup.scorer.cannot_score(task, s))]
    if reasons:
        return Outcome(setup.name, skip=reasons[0])
    totals: dict[str, float] = {}
    facts: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            for index, summary in enumerate(summaries):
                item = setup.scorer.score(task, summary)
                for metric, value in item.values.items():
                    totals[metric] = totals.get(metric, 0.0) + value
                sample = sample_name(summary, index, len(summaries))
                facts.extend(
                    {
                        "sample": sample,
                        "fact_id": f.fact_id,
                        "weight": f.weight,
                        "present": f.present,
                        "evidence": f.evidence,
                        "matcher": f.matcher,
                        "score": f.score,
                    }
                    for f in item.facts
                )
                claims.extend({"sample": sample, **c.row()} for c in item.claims)
        except CannotScore as reason:
            return Outcome(setup.name, skip=str(reason))
    values = {metric: total / len(summaries) for metric, total in totals.items()}
    return Outcome(setup.name, values, facts, [str(w.message) for w in caught], claims=claims)


_PROCESS_SCORERS: dict[str, ScorerSetup] = {}
"""The scorers of a scoring process, by name (built once by :func:`start_scoring_process`)."""
_START_ERROR: list[str] = []
"""Why this scoring process could not build its scorers (reported with its first item)."""
_DEADLINE: list[float | None] = [None]
"""This scoring process's per-item deadline in seconds."""


def start_scoring_process(
    recipes: list[tuple[str, str, dict[str, str]]],
    modules: list[str],
    seconds: float | None = None,
) -> None:
    """Set up a scoring process: Ctrl-C is the parent's to handle (it stores what the processes
    finished), the process ends with its parent (even a killed one), then the scorers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _DEADLINE[0] = seconds
    parent = multiprocessing.parent_process()
    if parent is not None:
        sentinel = parent.sentinel

        def end_with_parent() -> None:
            multiprocessing.connection.wait([sentinel])
            os._exit(1)

        threading.Thread(target=end_with_parent, daemon=True).start()
    try:
        for module in modules:  # registers scorers defined outside bench (not plugins)
            importlib.import_module(module)
        for name, base, params in recipes:
            scorer = scorers.create(base, **params)
            _PROCESS_SCORERS[name] = ScorerSetup(name, params, scorer, "", base)
        gc.freeze()  # what start-up built is never garbage: older collections skip it
        gc.set_threshold(*GC_THRESHOLDS)
    except Exception as error:  # the pool would only say "a process terminated abruptly"
        _START_ERROR.append(f"cannot build the scorers: {type(error).__name__}: {error}")


def score_in_process(task: Task, summaries: list[Summary], names: list[str]) -> list[Outcome]:
    """What a scoring process does with one item: each named scorer's outcome (in the
    process's main thread, so the deadline's alarm can interrupt it)."""
    if _START_ERROR:
        raise RuntimeError(_START_ERROR[0])
    return [compute(_PROCESS_SCORERS[name], task, summaries, _DEADLINE[0]) for name in names]


ScoringJob = tuple[Task, list[Summary], list[str]]
"""An item to score elsewhere: its task, its summaries and the names of the scorers it lacks."""


class ItemFailed(Exception):
    """Why an item's scoring failed in a scoring process (``Type: message``), with the
    process's traceback; sent back in place of the item's outcomes."""

    def __init__(self, message: str, trace: str = "") -> None:
        super().__init__(message, trace)
        self.message = message
        self.trace = trace

    def __str__(self) -> str:
        return (
            f"{self.message}\n\nin the scoring process:\n{self.trace}"
            if self.trace
            else self.message
        )


ScoredBatch = tuple[list[list[Outcome] | ItemFailed], float]
"""A scored batch: each item's outcomes or why its scoring failed, and the seconds it took."""


def score_batch_in_process(jobs: list[ScoringJob]) -> ScoredBatch:
    """What a scoring process does with a batch of items: each item's outcomes, or why its
    scoring failed (the items after it are still scored, so none of the batch's finished work
    is lost), and the seconds the batch took."""
    started = time.perf_counter()
    results: list[list[Outcome] | ItemFailed] = []
    for task, summaries, names in jobs:
        try:
            results.append(score_in_process(task, summaries, names))
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            results.append(ItemFailed(message, traceback.format_exc()))
    return results, time.perf_counter() - started


def _main_reloadable() -> bool:
    """Whether a spawned process can import this program's main module again, as ``spawn``
    does: a script file, a module run with ``-m``, or none (``-c``, a notebook); not a program
    read from standard input (``python - <<EOF``), whose ``__file__`` is ``<stdin>``."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    return path is None or os.path.isfile(path)


def scoring_pool(
    setups: list[ScorerSetup], workers: int, seconds: float | None = None
) -> ProcessPoolExecutor | None:
    """Processes that each build the run's scorers, or None to score in this thread."""
    if workers < 1:
        raise RunError(f"score_workers must be at least 1, got {workers}")
    modules = sorted({type(setup.scorer).__module__ for setup in setups})
    if workers == 1 or not setups or any(m in ("__main__", "__mp_main__") for m in modules):
        return None  # a scorer defined in a script cannot be rebuilt in another process
    if not _main_reloadable():
        return None  # a program read from standard input cannot be started again
    # spawn, not fork: the generation threads may hold locks a forked child would inherit.
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_scoring_process,
        initargs=([setup.recipe() for setup in setups], modules, seconds),
    )


SCORING_BATCH = 16
"""Items sent to a scoring process at once, at most (when the executor takes batches): one
message instead of sixteen, and a task's items scored together, so its caches are warm."""

BATCH_SECONDS = 0.05
"""The scoring work a batch holds, about: items that take longer go in smaller batches (one at
a time when each takes this long), so an interrupted run waits little for batches in flight."""

BATCHES_OUT = 2
"""Batches sent to each scoring process before it returns one: it never waits for the next,
and items not sent yet go in batches sized by the latest times (and are not lost work when a
run is interrupted)."""

SLOWER = 10.0
"""Items this many times slower than the average so far resize the batches at once; the average
absorbs smaller changes."""


class Scoring:
    """Scores each item whose summaries are stored with the scorers it still lacks: in this
    thread, or through the executor (outcomes stored as they finish, in submission order).

    An executor with a ``score_batch`` method (the local scoring processes) gets items in
    batches of up to ``batch``, sized to :data:`BATCH_SECONDS` of work by the time items took so
    far (items much slower than the average shrink the batches at once, other changes move them
    gradually). At most :data:`BATCHES_OUT` batches per scoring process (``workers``) are out;
    the other items wait here, to go in batches sized by what is known when they go. A process
    that may be idle (fewer batches out than processes) gets a partial batch. Until the first
    batch is back (the time of items unknown) items go alone, and only to idle processes."""

    def __init__(
        self,
        setups: Sequence[ScorerSetup],
        recorder: Recorder,
        executor: Executor,
        deadline: float | None = None,
        batch: int = SCORING_BATCH,
        workers: int = 1,
    ) -> None:
        if batch < 1:
            raise RunError(f"a scoring batch holds at least 1 item, got {batch}")
        self.setups = list(setups)
        self.deadline = deadline
        self.recorder = recorder
        self.executor = executor
        self.batches = callable(getattr(executor, "score_batch", None))
        self.limit = batch if self.batches else 1
        self.workers = workers
        self.size = 1
        """Items a batch holds: one until a batch's time is known (:meth:`learn`)."""
        self.item_seconds: float | None = None
        """What scoring an item takes, as far as the batches tell."""
        self._pending: dict[Future[Any], list[tuple[Task, System]]] = {}
        self._waiting: deque[tuple[Task, System, ScoringJob]] = deque()
        self._unstored: deque[tuple[Task, System, Outcome]] = deque()
        self._count = 0

    def learn(self, seconds: float, items: int) -> None:
        """Size the next batches by a batch of ``items`` that took ``seconds``."""
        each = seconds / max(items, 1)
        known = self.item_seconds
        if known is None or each > SLOWER * known:  # slower items: smaller batches at once
            self.item_seconds = each
        else:  # an item's time varies (a task's first item warms its caches): average
            self.item_seconds = 0.7 * known + 0.3 * each
        fits = BATCH_SECONDS / self.item_seconds if self.item_seconds > 0 else self.limit
        self.size = max(1, min(self.limit, int(fits + 1e-6)))  # 1.9999999 items fit 2

    def __len__(self) -> int:
        """Items submitted whose outcomes are not stored yet."""
        return self._count

    @property
    def pending(self) -> list[Future[Any]]:
        """The futures of the batches being scored elsewhere (after sending what waits, as far
        as :meth:`send` sends it)."""
        self.send()
        return list(self._pending)

    def send(self) -> None:
        """Send waiting items: full batches while fewer than :data:`BATCHES_OUT` per process
        are out, and a partial one (one item while times are unknown) while a process may be
        idle."""
        while self._waiting:
            out = len(self._pending)
            idle = out < self.workers
            if not idle and (
                self.item_seconds is None
                or len(self._waiting) < self.size
                or out >= BATCHES_OUT * self.workers
            ):
                return
            chunk = [self._waiting.popleft() for _ in range(min(self.size, len(self._waiting)))]
            future = self.executor.score_batch([job for _, _, job in chunk])  # type: ignore[attr-defined]
            self._pending[future] = [(task, system) for task, system, _ in chunk]

    def _store(self) -> None:
        """Store the outcomes collected and not stored yet, one by one: a batch interrupted
        while it is being stored (Ctrl-C) keeps the rest for the next collection."""
        while self._unstored:
            task, system, outcome = self._unstored[0]
            self.recorder.outcome(task, system, outcome)
            self._unstored.popleft()

    def score(self, task: Task, system: System, summaries: list[Summary]) -> None:
        """Score an item with every scorer that has not stored its rows yet."""
        done = self.recorder.scored_by(task, system)
        needed = [setup for setup in self.setups if setup.name not in done]
        if not needed:
            return
        if not self.executor.scores_elsewhere:
            for setup in needed:
                try:
                    outcome = compute(setup, task, summaries, self.deadline)
                except Exception as error:  # the run stops; what is stored stays
                    raise RunError(
                        f"scoring {system.name} on {task.id} with {setup.name} failed: "
                        f"{type(error).__name__}: {error}"
                    ) from error
                self.recorder.outcome(task, system, outcome)
            return
        names = [setup.name for setup in needed]
        self._count += 1
        if not self.batches:
            self._pending[self.executor.score(task, summaries, names)] = [(task, system)]
            return
        self._waiting.append((task, system, (task, summaries, names)))
        self.send()

    def collect(self, wait_all: bool, cancel: bool = False) -> None:
        """Store the outcomes of finished scoring processes, as each finishes (until none is
        left when ``wait_all``), in submission order. ``cancel`` (a run being interrupted) drops
        work that has not started, keeps the rest and ignores failures, so the first error is
        the one reported; otherwise the rest of a failed item's batch is stored before the
        error is raised."""
        self._store()  # what an interrupted collection had not stored yet
        if cancel:
            self._count -= len(self._waiting)
            self._waiting.clear()
            for future in self._pending:
                future.cancel()
        while True:
            for future in [f for f in self._pending if f.done()]:
                items = self._pending.pop(future)
                self._count -= len(items)
                if future.cancelled():
                    continue
                try:
                    if self.batches:
                        results, seconds = future.result()
                        self.learn(seconds, len(items))
                    else:
                        results = [future.result()]
                except BaseException as error:  # a scorer that crashed its process
                    if cancel:
                        continue
                    if not isinstance(error, Exception):
                        raise
                    task, system = items[0]
                    more = f" (and {len(items) - 1} more items)" if len(items) > 1 else ""
                    raise RunError(
                        f"scoring {system.name} on {task.id}{more} in a scoring process failed: "
                        f"{type(error).__name__}: {error}; --score-workers 1 scores in-process"
                    ) from error
                failure: RunError | None = None
                for (task, system), result in zip(items, results, strict=True):
                    if isinstance(result, ItemFailed):
                        if failure is None and not cancel:
                            failure = RunError(
                                f"scoring {system.name} on {task.id} in a scoring process "
                                f"failed: {result.message}; --score-workers 1 scores in-process"
                            )
                            failure.__cause__ = result
                        continue
                    self._unstored.extend((task, system, outcome) for outcome in result)
                self._store()
                if failure is not None:
                    raise failure
            self.send()
            if not wait_all or not self._pending:
                return
            wait(list(self._pending), return_when=FIRST_COMPLETED)
