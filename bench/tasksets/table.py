"""Opening a task set: a task folder or a table, its columns checked now, its tasks made one
row at a time as the :class:`TaskTable` is iterated."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.inputs import MAX_BUDGET, MAX_DOCUMENT_BYTES
from bench.task import Problem, Task, TaskError, check_tasks, load_tasks, task_files, task_warnings
from bench.tasksets.columns import ColumnMapping, parse_mapping
from bench.tasksets.rows import RowError, RowOptions, RowReader
from bench.tasksets.sources import HUB_PREFIX, BadRow, Source, TaskSetError, open_source


def is_task_folder(source: str | Path) -> bool:
    """True for a task.yaml file or a folder of task folders (the bundled format)."""
    path = Path(source)
    if str(source).startswith(HUB_PREFIX) or not path.exists():
        return False
    if path.is_file():
        return path.suffix.lower() in (".yaml", ".yml")
    return bool(task_files(path))


class TaskTable:
    """An opened task set: its columns, row count if known, and tasks made as it is iterated."""

    def __init__(
        self,
        name: str,
        columns: list[str],
        num_rows: int | None,
        mapping: ColumnMapping,
        tasks: Callable[[], Iterator[Task]],
        fetch: Callable[[list[int]], list[Task]] | None = None,
    ) -> None:
        self.name = name
        self.columns = columns
        self.num_rows = num_rows
        self.mapping = mapping
        self._tasks = tasks
        self._fetch = fetch

    def __iter__(self) -> Iterator[Task]:
        return self._tasks()

    @property
    def random_access(self) -> bool:
        """True when :meth:`tasks_at` can read rows by index (a JSONL, CSV or Parquet file)."""
        return self._fetch is not None

    def tasks_at(self, indices: list[int]) -> list[Task]:
        """The tasks of these rows (numbered from 0 as iteration reads them), made by the same
        reader; a bad row raises :class:`TaskError` naming it."""
        if self._fetch is None:
            raise TypeError(f"{self.name} cannot be read by row; iterate it instead")
        return self._fetch(indices)


def _row_tasks(
    source: Source,
    reader: RowReader,
    problems: list[Problem] | None,
    positions: dict[str, int] | None = None,
) -> Iterator[Task]:
    seen: set[str] = set()
    for index, row in source.rows(reader.mapping.columns()):
        where = f"{source.name}, row {index}"
        try:
            if isinstance(row, BadRow):
                raise _RowFailure(row.message)
            task = reader.task(index, row)
            if task.id in seen:
                raise _RowFailure(f"duplicate task id {task.id!r}")
        except (RowError, _RowFailure) as error:
            if problems is None:
                raise TaskError([Problem(where, "", str(error))]) from None
            problems.append(Problem(where, "", str(error)))
            continue
        seen.add(task.id)
        if positions is not None:
            positions[task.id] = index
        yield task


def _fetched_tasks(source: Source, reader: RowReader, indices: list[int]) -> list[Task]:
    assert source.fetch is not None
    tasks = []
    for index, row in source.fetch(reader.mapping.columns(), indices):
        try:
            if isinstance(row, BadRow):
                raise _RowFailure(row.message)
            tasks.append(reader.task(index, row))
        except (RowError, _RowFailure) as error:
            raise TaskError([Problem(f"{source.name}, row {index}", "", str(error))]) from None
    return tasks


class _RowFailure(Exception):
    """A row that is not a record at all, or repeats a task id."""


def open_tasks(
    source: str | Path,
    mapping: ColumnMapping | str | None = None,
    *,
    separator: str | None = None,
    newline_token: str | None = None,
    clean: bool = False,
    budget: int | None = None,
    instructions: str | None = None,
    language: str | None = None,
    references: str | Path | None = None,
    online: bool = False,
    problems: list[Problem] | None = None,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
    positions: dict[str, int] | None = None,
) -> TaskTable:
    """Open a task set and check its columns now; tasks are made as the result is iterated.

    ``source``: a task folder, FILE.jsonl/.parquet/.csv, a ``save_to_disk`` folder, or
    ``hf:NAME[:CONFIG]:SPLIT`` (offline unless ``online``). ``mapping`` defaults to the columns
    named like task fields. ``separator`` splits a text cell into several documents. Bad rows
    raise :class:`TaskError` naming file, row and column, or are skipped and appended to
    ``problems`` when a list is given. A document over ``max_document_bytes`` is a bad row (or,
    in a task folder, a problem of its file). ``positions``, when given, gets each table task's
    row index by id as it is read (what :meth:`TaskTable.tasks_at` takes).
    """
    text = str(source)
    if is_task_folder(text):
        given = {
            "a column mapping": mapping,
            "separator": separator,
            "newline_token": newline_token,
            "clean": clean,
            "budget": budget,
            "instructions": instructions,
            "language": language,
        }
        table_only = [n for n, value in given.items() if value is not None and value is not False]
        if table_only:
            raise TaskSetError(
                text,
                f"{', '.join(table_only)} apply to table sources (JSONL, Parquet, CSV, hub); "
                "a task folder sets budget, instructions and language in each task.yaml",
            )
        tasks = load_tasks(text, references, max_document_bytes)
        return TaskTable(text, [], len(tasks), ColumnMapping(), lambda: iter(tasks))
    opened = open_source(text, online)
    if isinstance(mapping, str):
        try:
            mapping = parse_mapping(mapping)
        except ValueError as error:
            raise TaskSetError(text, str(error)) from None
    mapping = mapping or ColumnMapping.identity(opened.columns)
    if opened.columns:
        missing = [c for c in mapping.columns() if c not in opened.columns]
        if missing:
            hint = "; map columns, e.g. --map documents=article" if "documents" in missing else ""
            raise TaskSetError(
                text,
                f"no column(s) {', '.join(map(repr, missing))}; the table has "
                f"{', '.join(opened.columns)}{hint}",
            )
    options = RowOptions(
        separator, newline_token, clean, budget, instructions, language, max_document_bytes
    )
    if budget is not None and budget <= 0:
        raise TaskSetError(text, f"budget must be a positive number of words (got {budget})")
    if budget is not None and budget > MAX_BUDGET:
        raise TaskSetError(text, f"budget must be at most {MAX_BUDGET} words (got {budget})")
    reader = RowReader(mapping, options, opened.name)
    return TaskTable(
        opened.name,
        opened.columns,
        opened.num_rows,
        mapping,
        lambda: _row_tasks(opened, reader, problems, positions),
        (lambda indices: _fetched_tasks(opened, reader, indices)) if opened.fetch else None,
    )


def iter_tasks(
    source: str | Path, mapping: ColumnMapping | str | None = None, **options: Any
) -> Iterator[Task]:
    """Tasks of a task set, one row at a time (see :func:`open_tasks` for the options)."""
    return iter(open_tasks(source, mapping, **options))


def check_task_set(
    source: str | Path,
    mapping: ColumnMapping | str | None = None,
    *,
    references: str | Path | None = None,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
    **options: Any,
) -> tuple[int, list[Problem]]:
    """How many tasks of a task set are valid, and every problem of it, as ``run`` reads it
    (the same readers and checks): a task folder's files, or every row of a table (a bad row
    is a problem here where ``run`` stops at it). Warnings (a script ROUGE's default tokenizer
    drops) come with the errors."""
    table_given = mapping is not None or any(v not in (None, False) for v in options.values())
    if is_task_folder(source) and not table_given:
        refs = Path(references) if references is not None else None
        tasks, found = check_tasks(Path(source), refs, max_document_bytes)
        return len(tasks), found
    problems: list[Problem] = []
    count = 0
    try:
        table = open_tasks(
            source,
            mapping,
            references=references,
            problems=problems,
            max_document_bytes=max_document_bytes,
            **options,
        )
        for task in table:
            count += 1
            problems += task_warnings(task, f"{table.name}, task {task.id!r}")
    except TaskError as error:
        problems += error.problems
    return count, problems
