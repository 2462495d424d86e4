"""This machine: a thread pool per summarizer (its ``concurrency``) and, with more than one
score worker, a pool of spawned scoring processes."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from bench.adapters import Summarizer
from bench.request import Summary, SummaryRequest
from bench.run.executor import Gate
from bench.run.generate import NotRun, call, concurrency
from bench.run.record import Outcome
from bench.run.score import (
    ScoredBatch,
    ScoringJob,
    score_batch_in_process,
    score_in_process,
    scoring_pool,
)
from bench.run.systems import ScorerSetup, System
from bench.task import Task


class LocalExecutor:
    """Generation in threads, scoring in processes (or, with one worker, by the caller)."""

    def __init__(
        self,
        systems: Sequence[System],
        setups: Sequence[ScorerSetup],
        score_workers: int,
        score_deadline: float | None = None,
        gate: Gate | None = None,
    ) -> None:
        self.gate = gate
        """Asked as each batch starts: a reason (a spending limit reached) leaves it not run."""
        self._threads = {
            s.name: ThreadPoolExecutor(
                max_workers=max(1, concurrency(s.adapter)), thread_name_prefix=f"sumbench-{s.name}"
            )
            for s in systems
            if isinstance(s.adapter, Summarizer)
        }
        self._processes = scoring_pool(list(setups), score_workers, score_deadline)

    @property
    def scores_elsewhere(self) -> bool:
        """True when scoring processes run."""
        return self._processes is not None

    def generate(
        self, system: System, requests: list[SummaryRequest]
    ) -> Future[list[Summary | Exception]]:
        """Call ``system``'s adapter on a batch in one of its threads."""
        if not isinstance(system.adapter, Summarizer):
            raise TypeError(f"{system.name} is not a summarizer; it needs no generation call")
        return self._threads[system.name].submit(self._call, system, requests)

    def _call(self, system: System, requests: list[SummaryRequest]) -> list[Summary | Exception]:
        reason = self.gate.gate(system, requests) if self.gate is not None else None
        if reason is not None:
            return [NotRun(reason)] * len(requests)
        assert isinstance(system.adapter, Summarizer)
        results = call(system.adapter, requests)
        if self.gate is not None:
            self.gate.settle(system, requests, results)
        return results

    def score(
        self, task: Task, summaries: list[Summary], names: list[str]
    ) -> Future[list[Outcome]]:
        """Score an item in a scoring process."""
        if self._processes is None:
            raise RuntimeError("no scoring processes: the caller scores in its own thread")
        return self._processes.submit(score_in_process, task, summaries, names)

    def score_batch(self, jobs: list[ScoringJob]) -> Future[ScoredBatch]:
        """Score several items in one scoring process, in one message: each item's outcomes
        or why its scoring failed, and the seconds they took (a task shared by the items is
        sent once)."""
        if self._processes is None:
            raise RuntimeError("no scoring processes: the caller scores in its own thread")
        return self._processes.submit(score_batch_in_process, jobs)

    def stop_generating(self, complete: bool) -> None:
        """Shut the thread pools down, cancelling batches not started."""
        for pool in self._threads.values():
            pool.shutdown(wait=complete, cancel_futures=True)

    def stop_scoring(self) -> None:
        """Shut the scoring processes down once their started work is done."""
        if self._processes is not None:
            self._processes.shutdown(wait=True, cancel_futures=True)
