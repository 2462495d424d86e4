"""The tasks a run reads: any source (task folder, table, hub), a preset's or the given table
options, and the limit / sample / shard selection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from bench.inputs import limit_from_mb
from bench.presets import get_preset
from bench.run.errors import RunError
from bench.run.options import RunOptions
from bench.sampling import select
from bench.task import Task, TaskError
from bench.tasksets import is_task_folder, open_tasks
from bench.tasksets.sources import TABLE_SUFFIXES, is_url, source_size

TableSpec = tuple[str, dict[str, Any], int]
"""(table file, ``open_tasks`` options, its size in bytes): what a worker opens a shared
table from (the size tells a stale copy on another machine from the driver's)."""


@dataclass
class SharedTable:
    """A task table that workers read themselves (a JSONL, CSV or Parquet file, on storage every
    node sees at the same path): the driver sends row indices, not task contents."""

    source: str
    options: dict[str, Any]
    size: int
    positions: dict[str, int] = field(default_factory=dict)
    """Each task id the driver has read, and its row: filled as the run reads the table."""

    @property
    def spec(self) -> TableSpec:
        """What a worker opens the table from."""
        return self.source, self.options, self.size


def shared_table(
    source: str, options: dict[str, Any], references: Path | None
) -> SharedTable | None:
    """The table workers may read directly (a JSONL, CSV or Parquet file, at a local path or a
    URL), or None for a source only the driver reads (a task folder, a hub dataset, a
    ``save_to_disk`` folder, or tasks whose references come from a separate file)."""
    remote = is_url(source)
    suffix = PurePosixPath(urlsplit(source).path if remote else source).suffix.lower()
    if references is not None or suffix not in TABLE_SUFFIXES:
        return None
    if not remote and not Path(source).is_file():
        return None
    location = source if remote else str(Path(source).resolve())
    try:
        size = source_size(location)
    except (OSError, TaskError):  # reported as the driver opens it
        return None
    return SharedTable(location, dict(options), size)


def table_options(
    preset: str | None,
    mapping: str | None = None,
    separator: str | None = None,
    budget: int | None = None,
    instructions: str | None = None,
    clean: bool = False,
    language: str | None = None,
) -> tuple[dict[str, Any], str | None]:
    """``open_tasks`` keyword arguments from the command-line options (a preset's, then the
    options given), and the preset's hub source; raises ``ValueError`` for an unknown preset."""
    options: dict[str, Any] = {}
    source = None
    if preset:
        chosen = get_preset(preset)
        options = chosen.task_options()
        source = chosen.source
    given = {
        "mapping": mapping,
        "separator": separator,
        "budget": budget,
        "instructions": instructions,
        "clean": clean,
        "language": language,
    }
    options.update({k: v for k, v in given.items() if v is not None and v is not False})
    return options, source


def open_selection(
    options: RunOptions, source: str, references: Path | None, share: bool = False
) -> tuple[Iterable[Task], int | None, list[str], SharedTable | None]:
    """The selected tasks of ``source``, how many there are when known, warnings (a sample
    larger than the set) and, when ``share`` (workers elsewhere) and the source is a table
    file, the :class:`SharedTable` they may read: a folder loads (and validates) at once into a
    list, a table streams. Raises :class:`RunError`, with every problem of a bad task set."""
    try:
        table_kwargs, preset_source = table_options(
            options.preset,
            options.mapping,
            options.separator,
            options.budget,
            options.instructions,
            options.clean,
            options.language,
        )
        table_kwargs["max_document_bytes"] = limit_from_mb(options.max_document_mb)
    except ValueError as error:
        raise RunError(str(error)) from None
    if preset_source and source == "tasks":
        source = preset_source
    limit, sample, shard = options.limit, options.sample, options.shard
    for name, value in (("--limit", limit), ("--sample", sample)):
        if value is not None and value < 1:
            raise RunError(f"{name} must be at least 1 task (got {value})")
    warnings: list[str] = []
    shared = shared_table(source, table_kwargs, references) if share else None
    try:
        table = open_tasks(
            source,
            references=references,
            online=options.online,
            positions=shared.positions if shared is not None else None,
            **table_kwargs,
        )
        if not table.random_access:
            shared = None
        selected = select(table, limit=limit, sample=sample, seed=options.sample_seed, shard=shard)
        if sample is not None:
            chosen = list(selected)  # a sample has read the whole set already
            warnings += _short_sample(sample, len(chosen), shard is not None, limit)
            selected = iter(chosen)
    except TaskError as error:
        hint = f"; see `sumbench tasks validate {source}`" if is_task_folder(source) else ""
        raise RunError(
            f"{len(error.problems)} problem(s) in {source}{hint}", error.problems
        ) from None
    except ValueError as error:
        raise RunError(str(error)) from None
    if is_task_folder(source):
        items = list(selected)
        return items, len(items), warnings, None
    expected = table.num_rows
    for bound in (limit, sample):
        if expected is not None and bound is not None:
            expected = min(expected, bound)
    return selected, None if shard else expected, warnings, shared


def _short_sample(sample: int, got: int, sharded: bool, limit: int | None) -> list[str]:
    """A warning when ``--sample N`` asked for more tasks than the set holds."""
    if sharded or got >= sample:
        return []
    within = f"the first {limit} tasks" if limit is not None else "the task set"
    return [
        f"--sample {sample} asked for more tasks than {within} holds ({got}): "
        f"the run takes all {got}, which is not a sample"
    ]
