"""sumbench: evaluate summarizers on tasks with ROUGE, key-fact recall and paper-style reports."""

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
