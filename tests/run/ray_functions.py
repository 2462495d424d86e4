"""Summarizers for the Ray tests, importable by the driver and by Ray's workers (the tests put
this folder's parent on the workers' PYTHONPATH)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench.request import SummaryRequest

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
