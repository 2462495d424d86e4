"""The summarizer protocol and the adapter registry.

Ordinary summarizers implement ``summarize(request)`` and see a :class:`SummaryRequest` only.
Bounds (``oracle``, ``human``) implement ``summarize_task(task)``: they are the only adapters
that see references, and reports set them apart.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from bench.registry import Registry
from bench.request import Summary, SummaryRequest
from bench.task import Task


class AdapterError(Exception):
    """A summarizer failed on one item; recorded for that item, never turned into a summary."""

    def __init__(self, message: str, *, attempts: int = 1, transient: bool = False) -> None:
        super().__init__(message)
        self.attempts = attempts
        """How many tries were made before giving up."""
        self.transient = transient
        """True when a later re-run may succeed (timeouts, 429, 5xx)."""


class NotApplicable(Exception):
    """The system does not apply to this task (e.g. ``human`` with one reference): recorded as
    skipped, not as a failure."""


class Summarizer(ABC):
    """A system under evaluation: request in, summary out."""

    version: ClassVar[str] = "1"
    """Bump when outputs change for the same parameters (part of the cache key)."""
    concurrency: int = 1
    """How many ``summarize`` calls the runner may have in flight at once (threads)."""
    batch_size: int = 1
    """How many requests the runner hands to ``summarize_batch`` at once."""
    cacheable: bool = True
    """False for adapters whose output is not a function of (parameters, request)."""
    light: bool = False
    """Safe to copy into worker processes and cheap to build (True for the baselines and the
    adapters that read files or call a program, a function or an endpoint); False for one that
    holds a model, and for a plugin until it says otherwise."""

    @abstractmethod
    def summarize(self, request: SummaryRequest) -> Summary:
        """Summarize the documents of ``request`` within its word budget."""

    def summarize_batch(self, requests: list[SummaryRequest]) -> list[Summary | Exception]:
        """Summarize several requests; a failure is returned in its slot, not raised.

        Adapters that batch (local models) override this; the default calls ``summarize``.
        """
        results: list[Summary | Exception] = []
        for request in requests:
            try:
                results.append(self.summarize(request))
            except Exception as error:  # returned in its slot; the runner records it
                results.append(error)
        return results

    def cache_identity(self) -> dict[str, str]:
        """Extra facts that change outputs but are not parameters (e.g. a file's hash)."""
        return {}

    def expand(self) -> dict[str, Summarizer] | None:
        """Systems this adapter stands for when one configuration holds several (e.g. a file of
        precomputed outputs); ``None`` for an ordinary single system."""
        return None


class GoldSummarizer(ABC):
    """An upper bound that reads the task's references (only ``oracle`` and ``human``)."""

    version: ClassVar[str] = "1"
    light: bool = False
    """Safe to copy into worker processes and cheap to build (True for the baselines and the
    adapters that read files or call a program, a function or an endpoint); False for one that
    holds a model, and for a plugin until it says otherwise."""

    @abstractmethod
    def summarize_task(self, task: Task) -> list[Summary]:
        """One or more summaries for ``task``; scores are averaged over them."""


Adapter = Summarizer | GoldSummarizer

adapters: Registry[Adapter] = Registry("adapter", "sumbench.adapters")
register_adapter = adapters.register


def is_bound(adapter: Adapter) -> bool:
    """True for adapters that see the gold: tables set them apart as bounds."""
    return isinstance(adapter, GoldSummarizer)
