"""Summarizers for the Ray tests, importable by the driver and by Ray's workers (the tests put
this folder's parent on the workers' PYTHONPATH)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import ClassVar

from bench.request import Summary, SummaryRequest
from bench.scorers import ItemScore, Metric, Scorer, register_scorer
from bench.task import Task

CRASH_TASK = "task-0003"
"""The task whose summarizer kills its own worker process, every time."""

MARKS = "SUMBENCH_TEST_RAY_MARKS"
"""A folder where each call in flight keeps a file named after its Ray node (when set)."""


def first_words(request: SummaryRequest) -> str:
    """The first budget words of the first document, after a short pause (work in flight)."""
    folder = os.environ.get(MARKS)
    mark = None
    if folder:
        import ray

        node = ray.get_runtime_context().get_node_id()
        mark = Path(folder) / f"{node}.{os.getpid()}.{request.task_id}"
        mark.touch()
    time.sleep(0.01)
    if mark is not None:
        mark.unlink()
    return " ".join(request.documents[0].text.split()[: request.budget])


def crash_on_one(request: SummaryRequest) -> str:
    """Like :func:`first_words`, but the process dies on :data:`CRASH_TASK`."""
    if request.task_id == CRASH_TASK:
        os._exit(1)
    return first_words(request)


SLOW_TASK = "task-0001"
"""The task on which :class:`Spin` runs for 30 s (past any deadline a test sets)."""


@register_scorer("test-ray-spin")
class Spin(Scorer):
    """Spins in pure Python on :data:`SLOW_TASK` (nothing checks the deadline), else scores 1."""

    name: ClassVar[str] = "test-ray-spin"

    def signature(self) -> str:
        return "test-ray-spin:v1"

    def metrics(self) -> list[Metric]:
        return [Metric("spin", "Spin", None, 1.0)]

    def score(self, task: Task, summary: Summary) -> ItemScore:
        end = time.monotonic() + (30 if task.id == SLOW_TASK else 0)
        while time.monotonic() < end:
            pass
        return ItemScore({"spin": 1.0})
