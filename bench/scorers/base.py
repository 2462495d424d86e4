"""The scorer protocol, per-item results and the scorer registry.

A scorer turns (task, summary) into per-item statistics; aggregation and resampling work on the
stored rows and never call a scorer again. Every scorer has a signature string that travels with
its numbers, e.g. ``rouge:v0.1.2|tok:default|stem:porter|lsum:pysbd|refs:max``
(see :mod:`bench.signature`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from bench.registry import Registry
from bench.request import Summary
from bench.task import Task

Need = Literal["references", "keyfacts", "documents"]


class CannotScore(Exception):
    """The task lacks what the scorer needs (e.g. no references): reported, never scored as 0."""


@dataclass(frozen=True)
class Metric:
    """How a metric is shown in tables."""

    name: str
    """Column name in scores.csv, e.g. ``rouge1_f``."""
    label: str
    """Table header, e.g. ``R-1``."""
    higher_is_better: bool | None = True
    """``None`` for descriptive statistics (no best value is marked)."""
    scale: float = 100.0
    """Multiplier for display (ROUGE and recall are shown as percentages)."""
    digits: int = 1
    shown: bool = True
    """Whether tables show it by default (ROUGE precision/recall are stored but not shown)."""
    total: bool = False
    """Tables show the sum over a system's tasks instead of the mean (a cost)."""


@dataclass(frozen=True)
class FactDecision:
    """Whether one key fact is present in a summary, and the sentence that shows it."""

    fact_id: str
    weight: float
    present: bool
    evidence: str
    matcher: str
    score: float | None = None
    """The matcher's score behind ``present`` (e.g. a probability); ``None`` when it has none."""


@dataclass
class ItemScore:
    """A scorer's result for one (task, summary)."""

    values: dict[str, float]
    facts: list[FactDecision] = field(default_factory=list)
    claims: Sequence[Any] = ()
    """Per-sentence verdicts of the ``faithfulness`` scorer
    (:class:`bench.support.sources.SentenceVerdict`), written to ``claims.csv``."""


class Scorer(ABC):
    """Computes per-item statistics for a summary of a task."""

    name: ClassVar[str]
    requires: ClassVar[frozenset[Need]] = frozenset()
    light: bool = True
    """Cheap to build once in every scoring process; False for a scorer that holds a model
    (``--score-workers auto`` then scores in one process rather than load it per core)."""

    @abstractmethod
    def signature(self) -> str:
        """A string identifying exactly how numbers were computed; the built-in scorers write
        it with :class:`~bench.signature.Signature`."""

    @abstractmethod
    def metrics(self) -> list[Metric]:
        """The metrics ``score`` returns, in display order."""

    @abstractmethod
    def score(self, task: Task, summary: Summary) -> ItemScore:
        """Score one summary; raise :class:`CannotScore` when the task lacks what is needed."""

    def cannot_score(self, task: Task, summary: Summary) -> str | None:
        """Why this task cannot be scored, or ``None``; checks :attr:`requires`."""
        if "references" in self.requires and not task.references_for(summary):
            return f"task {task.id!r} has no references to score against"
        if "keyfacts" in self.requires and not task.keyfacts:
            return f"task {task.id!r} has no key facts"
        return None


scorers: Registry[Scorer] = Registry("scorer", "sumbench.scorers")
register_scorer = scorers.register
