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


class Summarizer(ABC):
    """A system under evaluation: request in, summary out."""

    version: ClassVar[str] = "1"
    """Bump when outputs change for the same parameters (part of the cache key)."""

    @abstractmethod
    def summarize(self, request: SummaryRequest) -> Summary:
        """Summarize the documents of ``request`` within its word budget."""

    def expand(self) -> dict[str, Summarizer] | None:
        """Systems this adapter stands for when one configuration holds several (e.g. a file of
        precomputed outputs); ``None`` for an ordinary single system."""
        return None


class GoldSummarizer(ABC):
    """An upper bound that reads the task's references (only ``oracle`` and ``human``)."""

    version: ClassVar[str] = "1"

    @abstractmethod
    def summarize_task(self, task: Task) -> list[Summary]:
        """One or more summaries for ``task``; scores are averaged over them."""


Adapter = Summarizer | GoldSummarizer

adapters: Registry[Adapter] = Registry("adapter", "sumbench.adapters")
register_adapter = adapters.register


def is_bound(adapter: Adapter) -> bool:
    """True for adapters that see the gold: tables set them apart as bounds."""
    return isinstance(adapter, GoldSummarizer)
