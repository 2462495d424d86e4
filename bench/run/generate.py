"""Generation: an item's summaries reused from the store, made by a gold summarizer, served
from the generation cache, or asked of its adapter in batches through the executor."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from bench.adapters import Adapter, AdapterError, GoldSummarizer, NotApplicable, Summarizer
from bench.cache import GenerationCache, cache_key
from bench.request import Summary, SummaryRequest
from bench.run.executor import Executor
from bench.run.provenance import gold_hash
from bench.run.record import Recorder
from bench.run.score import Scoring
from bench.run.systems import System
from bench.task import Task


class NotRun(Exception):
    """An item left out because the run's spending limit (``--max-cost``) was reached before
    its request was sent: recorded as not run, and a resumed run does it."""


def concurrency(adapter: Adapter) -> int:
    """How many calls of ``adapter`` may run at once."""
    return int(getattr(adapter, "concurrency", 1) or 1)


def call(adapter: Summarizer, requests: list[SummaryRequest]) -> list[Summary | Exception]:
    """Run one batch in a worker thread, timing it; never raises."""
    start = time.perf_counter()
    try:
        results = adapter.summarize_batch(requests)
    except Exception as error:  # a batch-level failure fails each of its items
        return [error] * len(requests)
    if len(results) != len(requests):
        return [
            AdapterError(f"adapter returned {len(results)} results for {len(requests)} requests")
        ] * len(requests)
    latency = (time.perf_counter() - start) / len(requests)
    for result in results:
        if isinstance(result, Summary):
            result.meta.setdefault("latency_s", round(latency, 6))
    return results


def item_key(task: Task, system: System) -> str:
    """The cache key of an item: adapter, its version and parameters, and the request."""
    adapter = system.adapter
    identity = (
        adapter.cache_identity() if isinstance(adapter, Summarizer) else {"gold": gold_hash(task)}
    )
    return cache_key(system.adapter_name, adapter.version, system.params, identity, task.request())


class Generation:
    """Gives each item its summaries, stores them through the recorder and has them scored."""

    def __init__(
        self,
        recorder: Recorder,
        scoring: Scoring,
        cache: GenerationCache | None,
    ) -> None:
        self.recorder = recorder
        self.scoring = scoring
        self.cache = cache

    def prepare(self, task: Task, system: System) -> bool:
        """Handle an item that needs no model call; True when it must be generated."""
        stored = self.recorder.take_stored(task, system)
        if stored is not None:
            key, reused = stored
            if key == self.key(task, system):
                self.recorder.reused()
                self.scoring.score(task, system, reused)
                self.recorder.tick(system, "reused")
                return False
            self.recorder.forget_scores(task, system)  # its input changed: score anew
        if isinstance(system.adapter, GoldSummarizer):
            start = time.perf_counter()
            try:
                summaries = system.adapter.summarize_task(task)
            except NotApplicable as reason:
                self.recorder.not_applicable(task, system, reason)
                return False
            except Exception as error:  # recorded per item; the run goes on
                self.recorder.failure(task, system, error)
                return False
            self._deliver(task, system, summaries, time.perf_counter() - start, cached=False)
            return False
        cached = self._cached(task, system)
        if cached is not None:
            self._deliver(task, system, [cached], 0.0, cached=True)
            return False
        return True

    def finish(self, task: Task, system: System, result: Summary | Exception) -> None:
        """Store what the adapter returned for an item (and cache a summary)."""
        if isinstance(result, NotRun):
            self.recorder.not_run(task, system, result)
            return
        if isinstance(result, NotApplicable):
            self.recorder.not_applicable(task, system, result)
            return
        if isinstance(result, Exception):
            self.recorder.failure(task, system, result)
            return
        result.reference_id = None  # only bounds may leave a reference out of their scoring
        if self.cache is not None and getattr(system.adapter, "cacheable", True):
            self.cache.put(self.key(task, system), result)
        self._deliver(task, system, [result], None, cached=False)

    def key(self, task: Task, system: System) -> str:
        """The cache key of an item (:func:`item_key`)."""
        return item_key(task, system)

    def _cached(self, task: Task, system: System) -> Summary | None:
        if self.cache is None or not getattr(system.adapter, "cacheable", True):
            return None
        return self.cache.get(self.key(task, system))

    def _deliver(
        self,
        task: Task,
        system: System,
        summaries: list[Summary],
        latency: float | None,
        cached: bool,
    ) -> None:
        self.recorder.summaries(task, system, summaries, latency, cached, self.key(task, system))
        self.scoring.score(task, system, summaries)
        self.recorder.tick(system, "cached" if cached else "done")


@dataclass
class Batch:
    """Tasks of one system sent to its adapter together."""

    system: System
    tasks: list[Task]


class Batches:
    """Items waiting for their adapter, sent through the executor in batches of its
    ``batch_size``, and the batches in flight (in submission order)."""

    def __init__(self, systems: Sequence[System], executor: Executor) -> None:
        self.systems = list(systems)
        self.executor = executor
        self.in_flight: dict[Future[list[Summary | Exception]], Batch] = {}
        self._waiting: dict[str, list[Task]] = {s.name: [] for s in self.systems}

    def add(self, system: System, task: Task) -> None:
        """Queue an item for generation."""
        self._waiting[system.name].append(task)

    def waiting(self) -> bool:
        """True while some item is queued but not sent."""
        return any(self._waiting.values())

    def flush(self, system: System, force: bool) -> None:
        """Send ``system``'s full batches, and a partial one when ``force``."""
        adapter = system.adapter
        queue = self._waiting[system.name]
        if not isinstance(adapter, Summarizer) or not queue:
            return
        size = max(1, int(getattr(adapter, "batch_size", 1)))
        while len(queue) >= size or (force and queue):
            batch, queue[:] = queue[:size], queue[size:]
            future = self.executor.generate(system, [t.request() for t in batch])
            self.in_flight[future] = Batch(system, batch)

    def flush_all(self, force: bool) -> None:
        """:meth:`flush` every system."""
        for system in self.systems:
            self.flush(system, force)

    def finished(
        self, done: set[Future[Any]]
    ) -> Iterator[tuple[Task, System, Summary | Exception]]:
        """Each item of the batches in ``done``, in submission order; a batch that raised
        (Ctrl-C in a thread) is raised once every other finished item has been yielded."""
        interrupted: BaseException | None = None
        for future in [f for f in self.in_flight if f in done]:
            batch = self.in_flight.pop(future)
            try:
                results = future.result()
            except BaseException as error:  # store every finished result before stopping
                interrupted = interrupted or error
                continue
            for task, result in zip(batch.tasks, results, strict=True):
                yield task, batch.system, result
        if interrupted is not None:
            raise interrupted
