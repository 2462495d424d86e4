"""Task sets from tables: JSONL, Parquet, CSV, ``save_to_disk`` folders and Hugging Face datasets.

Rows become the same :class:`~bench.task.Task` objects the folder loader makes, one at a time, so
a 100,000-row set never sits in memory whole. A :class:`ColumnMapping` says which columns hold
which task fields (CLI form ``documents=article,references=highlights,id=id``); rows count from
0, as ``datasets`` indexes them.

``sources`` reads each format, ``columns`` maps columns to task fields, ``rows`` turns a row into
a task, and ``table`` opens a task set (a task folder or a table) with :func:`open_tasks`.
"""

from bench.tasksets.columns import ColumnMapping, parse_mapping
from bench.tasksets.sources import TaskSetError
from bench.tasksets.table import (
    TaskTable,
    check_task_set,
    is_task_folder,
    iter_tasks,
    open_tasks,
)

__all__ = [
    "ColumnMapping",
    "TaskSetError",
    "TaskTable",
    "check_task_set",
    "is_task_folder",
    "iter_tasks",
    "open_tasks",
    "parse_mapping",
]
