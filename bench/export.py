"""Write any task set as JSONL, Parquet or a ``save_to_disk`` folder that the import reads back.

One row per task with the task's own field names as columns; documents, references and key
facts are lists of structs (nested JSON in JSONL), and the free-form ``metadata`` mappings are
JSON strings in Parquet and ``save_to_disk`` output, whose columns need one type for all rows.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from bench.task import Task
from bench.tasksets.rows import task_to_row
from bench.tasksets.sources import BATCH_ROWS

Format = Literal["jsonl", "parquet", "hf"]
FORMATS: tuple[Format, ...] = ("jsonl", "parquet", "hf")

_TEXT = pa.string()
_SECTION = pa.struct(
    [
        ("title", _TEXT),
        ("published", _TEXT),
        ("label", _TEXT),
        ("start", pa.int64()),
        ("end", pa.int64()),
    ]
)
_DOCUMENT = pa.struct(
    [
        ("id", _TEXT),
        ("title", _TEXT),
        ("outlet", _TEXT),
        ("url", _TEXT),
        ("date", _TEXT),
        ("text", _TEXT),
        ("sections", pa.list_(_SECTION)),
        ("path", _TEXT),
        ("metadata", _TEXT),
    ]
)
_REFERENCE = pa.struct([("id", _TEXT), ("text", _TEXT), ("author", _TEXT), ("kind", _TEXT)])
_KEYFACT = pa.struct(
    [
        ("id", _TEXT),
        ("text", _TEXT),
        ("weight", pa.float64()),
        ("support", pa.list_(_TEXT)),
        ("patterns", pa.list_(pa.list_(_TEXT))),
    ]
)
ROW_SCHEMA = pa.schema(
    [
        ("id", _TEXT),
        ("title", _TEXT),
        ("language", _TEXT),
        ("documents", pa.list_(_DOCUMENT)),
        ("instructions", _TEXT),
        ("budget", pa.int64()),
        ("metadata", _TEXT),
        ("references", pa.list_(_REFERENCE)),
        ("keyfacts", pa.list_(_KEYFACT)),
    ]
)
"""The Parquet / ``save_to_disk`` schema of one task row."""


class ExportError(Exception):
    """An export that cannot be written (unknown format, existing output)."""


def output_path(out_dir: Path | str, fmt: Format) -> Path:
    """Where :func:`export_tasks` writes: ``DIR/tasks.jsonl``, ``DIR/tasks.parquet`` or ``DIR``."""
    out = Path(out_dir)
    return out if fmt == "hf" else out / f"tasks.{fmt}"


def export_tasks(
    tasks: Iterable[Task], out_dir: Path | str, fmt: Format = "jsonl", *, overwrite: bool = False
) -> tuple[Path, int]:
    """Write ``tasks`` (streamed, in batches) and return the path written and the task count."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    target = output_path(out_dir, fmt)
    if target.exists() and not overwrite and (target.is_file() or any(target.iterdir())):
        raise ExportError(f"{target} already exists; choose another folder or overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        with _replacing(target) as tmp:
            return target, _write_jsonl(tasks, tmp)
    if fmt == "parquet":
        with _replacing(target) as tmp:
            return target, _write_parquet(tasks, tmp)
    return target, _write_hf(tasks, target)


def arrow_row(task: Task) -> dict[str, Any]:
    """A task row with the ``metadata`` mappings JSON-encoded, matching :data:`ROW_SCHEMA`."""
    row = task_to_row(task)
    if set(row) != set(ROW_SCHEMA.names):
        raise ExportError(f"task fields {sorted(row)} no longer match the export schema")
    row["metadata"] = json.dumps(row["metadata"], ensure_ascii=False)
    for document in row["documents"]:
        document["metadata"] = json.dumps(document["metadata"], ensure_ascii=False)
    return row


@contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A temporary file beside ``target`` that replaces it on success (no half-written file)."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _batches(tasks: Iterable[Task]) -> Iterator[list[Task]]:
    iterator = iter(tasks)
    while batch := list(islice(iterator, BATCH_ROWS)):
        yield batch


def _write_jsonl(tasks: Iterable[Task], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for batch in _batches(tasks):
            handle.write(
                "".join(json.dumps(task_to_row(t), ensure_ascii=False) + "\n" for t in batch)
            )
            count += len(batch)
    return count


def _write_parquet(tasks: Iterable[Task], path: Path) -> int:
    count = 0
    with pq.ParquetWriter(path, ROW_SCHEMA) as writer:
        for batch in _batches(tasks):
            table = pa.Table.from_pylist([arrow_row(t) for t in batch], schema=ROW_SCHEMA)
            writer.write_table(table, row_group_size=BATCH_ROWS)
            count += len(batch)
    return count


def _write_hf(tasks: Iterable[Task], target: Path) -> int:
    import datasets

    with tempfile.TemporaryDirectory(prefix="sumbench-export-") as tmp:
        parquet = Path(tmp) / "tasks.parquet"
        count = _write_parquet(tasks, parquet)
        features = datasets.Features.from_arrow_schema(ROW_SCHEMA)
        bars = datasets.is_progress_bar_enabled()
        datasets.disable_progress_bars()
        try:
            dataset = datasets.Dataset.from_parquet(
                str(parquet), features=features, cache_dir=str(Path(tmp) / "cache")
            )
            dataset.save_to_disk(str(target))
        finally:
            if bars:
                datasets.enable_progress_bars()
        del dataset  # release the memory-mapped cache before the folder goes
    return count
