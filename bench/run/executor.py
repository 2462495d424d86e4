"""The seam between the scheduling loop and the machinery that calls adapters and scorers."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Protocol

from bench.request import Summary, SummaryRequest
from bench.run.record import Outcome
from bench.run.systems import System
from bench.task import Task


class Gate(Protocol):
    """The run's spending limit as executors see it (:class:`bench.run.cost.Spending`)."""

    def gate(self, system: System, requests: list[SummaryRequest]) -> str | None:
        """Asked before a batch is sent: why it must not be, or None once its estimated cost
        is reserved."""
        ...

    def settle(
        self, system: System, requests: list[SummaryRequest], results: list[Summary | Exception]
    ) -> None:
        """A batch came back: release its reservation and count what it cost."""
        ...


class Executor(Protocol):
    """Runs adapter batches and, when :attr:`scores_elsewhere`, the scoring of items; the loop,
    the cache and the store stay with the caller, which receives results as futures."""

    @property
    def scores_elsewhere(self) -> bool:
        """False when the caller scores each item itself, in its own thread."""
        ...

    def generate(
        self, system: System, requests: list[SummaryRequest]
    ) -> Future[list[Summary | Exception]]:
        """One batch of ``system``'s requests: a summary or the error, per request."""
        ...

    def score(
        self, task: Task, summaries: list[Summary], names: list[str]
    ) -> Future[list[Outcome]]:
        """What the scorers called ``names`` make of an item's summaries."""
        ...

    def stop_generating(self, complete: bool) -> None:
        """Drop batches not started; wait for running ones only when the run is ``complete``."""
        ...

    def stop_scoring(self) -> None:
        """Drop scoring not started and wait for the rest."""
        ...
