"""sumbench: evaluate summarizers on tasks with ROUGE, key-fact recall and paper-style reports.

The names below are imported on first use (PEP 562), so that ``import bench`` and the command
line start at once: most of them pull in pandas, NLTK or matplotlib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench._lazy import lazy_exports

if TYPE_CHECKING:
    from bench.adapters import GoldSummarizer, Summarizer, adapters, register_adapter
    from bench.report.build import build_report
    from bench.request import RequestDocument, Summary, SummaryRequest
    from bench.run import Run, RunOptions, build_scorers, build_systems, plan_run
    from bench.scorers import (
        CannotScore,
        FactDecision,
        ItemScore,
        Metric,
        Scorer,
        register_scorer,
        scorers,
    )
    from bench.store import Store
    from bench.task import Document, KeyFact, Reference, Task, TaskError, check_tasks, load_tasks

__version__ = "0.1.0"

_EXPORTS = {
    "bench.adapters": ("GoldSummarizer", "Summarizer", "adapters", "register_adapter"),
    "bench.report.build": ("build_report",),
    "bench.request": ("RequestDocument", "Summary", "SummaryRequest"),
    "bench.run": ("Run", "RunOptions", "build_scorers", "build_systems", "plan_run"),
    "bench.scorers": (
        "CannotScore",
        "FactDecision",
        "ItemScore",
        "Metric",
        "Scorer",
        "register_scorer",
        "scorers",
    ),
    "bench.store": ("Store",),
    "bench.task": (
        "Document",
        "KeyFact",
        "Reference",
        "Task",
        "TaskError",
        "check_tasks",
        "load_tasks",
    ),
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


__all__ = [
    "CannotScore",
    "Document",
    "FactDecision",
    "GoldSummarizer",
    "ItemScore",
    "KeyFact",
    "Metric",
    "Reference",
    "RequestDocument",
    "Run",
    "RunOptions",
    "Scorer",
    "Store",
    "Summarizer",
    "Summary",
    "SummaryRequest",
    "Task",
    "TaskError",
    "__version__",
    "adapters",
    "build_report",
    "build_scorers",
    "build_systems",
    "check_tasks",
    "load_tasks",
    "plan_run",
    "register_adapter",
    "register_scorer",
    "scorers",
]
