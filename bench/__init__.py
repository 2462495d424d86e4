"""sumbench: evaluate summarizers on tasks with ROUGE, key-fact recall and paper-style reports.

The names below are imported on first use (PEP 562), so that ``import bench`` and the command
line start at once: most of them pull in pandas, NLTK or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str) -> Any:
    """Import a public name's module when the name is first used."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'bench' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULE_OF])


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
