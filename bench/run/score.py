"""Scoring an item's summaries: each scorer's outcome, in the calling thread or in spawned
scoring processes, stored through the recorder in the order items were submitted."""

from __future__ import annotations

import importlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
import warnings
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from bench.deadline import DeadlineExceeded, deadline
from bench.request import Summary
from bench.run.errors import RunError
from bench.run.executor import Executor
from bench.run.record import Outcome, Recorder, sample_name
from bench.run.systems import ScorerSetup, System
from bench.scorers import CannotScore, scorers
from bench.task import Task


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
    except Exception as error:  # the pool would only say "a process terminated abruptly"
        _START_ERROR.append(f"cannot build the scorers: {type(error).__name__}: {error}")


def score_in_process(task: Task, summaries: list[Summary], names: list[str]) -> list[Outcome]:
    """What a scoring process does with one item: each named scorer's outcome (in the
    process's main thread, so the deadline's alarm can interrupt it)."""
    if _START_ERROR:
        raise RuntimeError(_START_ERROR[0])
    return [compute(_PROCESS_SCORERS[name], task, summaries, _DEADLINE[0]) for name in names]


def scoring_pool(
    setups: list[ScorerSetup], workers: int, seconds: float | None = None
) -> ProcessPoolExecutor | None:
    """Processes that each build the run's scorers, or None to score in this thread."""
    if workers < 1:
        raise RunError(f"score_workers must be at least 1, got {workers}")
    modules = sorted({type(setup.scorer).__module__ for setup in setups})
    if workers == 1 or not setups or any(m in ("__main__", "__mp_main__") for m in modules):
        return None  # a scorer defined in a script cannot be rebuilt in another process
    # spawn, not fork: the generation threads may hold locks a forked child would inherit.
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_scoring_process,
        initargs=([setup.recipe() for setup in setups], modules, seconds),
    )


class Scoring:
    """Scores each item whose summaries are stored with the scorers it still lacks: in this
    thread, or through the executor (outcomes stored as they finish, in submission order)."""

    def __init__(
        self,
        setups: Sequence[ScorerSetup],
        recorder: Recorder,
        executor: Executor,
        deadline: float | None = None,
    ) -> None:
        self.setups = list(setups)
        self.deadline = deadline
        self.recorder = recorder
        self.executor = executor
        self._pending: dict[Future[list[Outcome]], tuple[Task, System]] = {}

    def __len__(self) -> int:
        """Items submitted whose outcomes are not stored yet."""
        return len(self._pending)

    @property
    def pending(self) -> list[Future[list[Outcome]]]:
        """The futures of the items being scored elsewhere."""
        return list(self._pending)

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
        future = self.executor.score(task, summaries, [setup.name for setup in needed])
        self._pending[future] = (task, system)

    def collect(self, wait_all: bool, cancel: bool = False) -> None:
        """Store the outcomes of finished scoring processes, as each finishes (until none is
        left when ``wait_all``), in submission order. ``cancel`` (a run being interrupted) drops
        work that has not started, keeps the rest and ignores failures, so the first error is
        the one reported."""
        if cancel:
            for future in self._pending:
                future.cancel()
        while True:
            for future in [f for f in self._pending if f.done()]:
                task, system = self._pending.pop(future)
                if future.cancelled():
                    continue
                try:
                    outcomes = future.result()
                except BaseException as error:  # a scorer that crashed its process
                    if cancel:
                        continue
                    if not isinstance(error, Exception):
                        raise
                    raise RunError(
                        f"scoring {system.name} on {task.id} in a scoring process failed: "
                        f"{type(error).__name__}: {error}; --score-workers 1 scores in-process"
                    ) from error
                for outcome in outcomes:
                    self.recorder.outcome(task, system, outcome)
            if not wait_all or not self._pending:
                return
            wait(list(self._pending), return_when=FIRST_COMPLETED)
