"""Combine the stores of a sharded run into one store, as if the run had not been split.

Rows are streamed file by file, so merging 100,000-task shards holds only the item keys in
memory. A merge is refused when the shards cannot be one run: a scorer measured differently
(implementation fields such as ``engine:`` aside), a system configured differently, a task with
different content, or the same (task, system) item in two shards. ``run.json`` is written last,
so an interrupted merge leaves no folder that looks like a run.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from bench.signature import measurement
from bench.store import (
    CLAIM_COLUMNS,
    CLAIMS_FILE,
    FACT_COLUMNS,
    FACTS_FILE,
    OUTPUTS_FILE,
    PROBLEMS_FILE,
    SCORE_COLUMNS,
    SCORES_FILE,
    TASKS_FILE,
    Store,
    fact_columns,
)

_SYSTEM_FIELDS = ("adapter", "params", "version")
_CHUNK_LINES = 10_000


class MergeError(Exception):
    """Shards that cannot be merged into one run."""


def merge_runs(stores: Sequence[Store], out: Store) -> dict[str, Any]:
    """Merge ``stores`` into the new store ``out``; return the merged ``run.json`` content."""
    if not stores:
        raise MergeError("give at least one run to merge")
    roots = [Path(s.root).resolve() for s in stores]
    if len(set(roots)) != len(roots):
        raise MergeError("the same run is given twice")
    if out.exists() or Path(out.root).resolve() in roots:
        raise MergeError(f"{out.root} already holds a run; merge into a new folder")
    infos = [s.run_info() for s in stores]
    systems = _union(stores, infos, "systems", _same_system)
    setups = _union(stores, infos, "scorers", _same_scorer)
    tasks = _union(stores, infos, "tasks", _same_task)
    _check_tasks(stores)  # before anything is written: a refused merge leaves no folder
    out.open()
    out.sync()  # the headers are written; the rows below are streamed file by file
    _copy_outputs(stores, out)
    _copy_csv(stores, out, SCORES_FILE, SCORE_COLUMNS, key_columns=3)
    _copy_csv(stores, out, FACTS_FILE, FACT_COLUMNS, key_columns=None)
    if any((Path(s.root) / CLAIMS_FILE).is_file() for s in stores):
        _append_all(Path(out.root) / CLAIMS_FILE, iter([_csv_text([CLAIM_COLUMNS])]))
        _copy_csv(stores, out, CLAIMS_FILE, CLAIM_COLUMNS, key_columns=None)
    _copy_lines(stores, out, PROBLEMS_FILE)
    _copy_tasks(stores, out)
    info = _merged_info(stores, infos, systems, setups, tasks)
    out.write_run(info)
    return info


# ------------------------------------------------------------------------------ run.json parts


_Check = Callable[[dict[str, Any], dict[str, Any], Path, Path], None]


def _union(
    stores: Sequence[Store], infos: list[dict[str, Any]], part: str, check: _Check
) -> list[dict[str, Any]]:
    """Entries of ``part`` by name/id in first-seen order; ``check`` raises on a conflict."""
    merged: dict[str, tuple[dict[str, Any], Path]] = {}
    for store, info in zip(stores, infos, strict=True):
        for entry in info.get(part, []):
            key = entry.get("name", entry.get("id"))
            if key in merged:
                check(merged[key][0], entry, merged[key][1], Path(store.root))
            else:
                merged[key] = (entry, Path(store.root))
    return [entry for entry, _ in merged.values()]


def _same_system(a: dict[str, Any], b: dict[str, Any], where_a: Path, where_b: Path) -> None:
    for field in _SYSTEM_FIELDS:
        if a.get(field) != b.get(field):
            raise MergeError(
                f"system {a['name']!r} has {field} {a.get(field)!r} in {where_a} but "
                f"{b.get(field)!r} in {where_b}; shards of one run use the same systems"
            )


def _same_scorer(a: dict[str, Any], b: dict[str, Any], where_a: Path, where_b: Path) -> None:
    if measurement(a["signature"]) != measurement(b["signature"]):
        raise MergeError(
            f"scorer {a['name']!r} has signature {a['signature']} in {where_a} but "
            f"{b['signature']} in {where_b}; their scores are not comparable"
        )


def _same_task(a: dict[str, Any], b: dict[str, Any], where_a: Path, where_b: Path) -> None:
    if a != b:
        raise MergeError(
            f"task {a['id']!r} differs between {where_a} and {where_b} "
            "(documents, references or key facts)"
        )


def _merged_info(
    stores: Sequence[Store],
    infos: list[dict[str, Any]],
    systems: list[dict[str, Any]],
    setups: list[dict[str, Any]],
    tasks: list[dict[str, Any]],
) -> dict[str, Any]:
    configs = [info.get("config", {}) for info in infos]
    common = {k: v for k, v in configs[0].items() if all(c.get(k, object()) == v for c in configs)}
    counts: dict[str, int] = {}
    for info in infos:
        for key, value in info.get("counts", {}).items():
            counts[key] = counts.get(key, 0) + int(value)
    statuses = {info.get("status") for info in infos}
    finished = [info.get("finished") for info in infos]
    merged: dict[str, Any] = {
        "sumbench": infos[0].get("sumbench"),
        "status": "complete" if statuses == {"complete"} else "incomplete",
        "started": min(str(info.get("started", "")) for info in infos) or None,
        "resumed": None,
        "finished": max(str(f) for f in finished) if all(finished) else None,
        "config": common,
        "versions": _agreed(infos, "versions"),
        "git_commit": _agreed(infos, "git_commit"),
        "systems": systems,
        "scorers": setups,
        "signatures": {s["name"]: s["signature"] for s in setups},
        "counts": counts,
        "merged_from": [
            {
                "path": str(store.root),
                "status": info.get("status"),
                "config": info.get("config", {}),
                "versions": info.get("versions"),
                "git_commit": info.get("git_commit"),
                "counts": info.get("counts", {}),
            }
            for store, info in zip(stores, infos, strict=True)
        ],
    }
    if any("tasks" in info for info in infos):
        merged["tasks"] = tasks
    return merged


def _agreed(infos: list[dict[str, Any]], key: str) -> Any:
    """The shared value, or None when the shards differ (each is kept in merged_from)."""
    values = [info.get(key) for info in infos]
    return values[0] if all(v == values[0] for v in values) else None


# ---------------------------------------------------------------------------------- row files


def _chunks(lines: Iterator[str]) -> Iterator[str]:
    buffer: list[str] = []
    for line in lines:
        buffer.append(line)
        if len(buffer) >= _CHUNK_LINES:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def _append_all(path: Path, lines: Iterator[str]) -> None:
    with path.open("a", encoding="utf-8", newline="") as handle:
        for chunk in _chunks(lines):
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())


def _jsonl_lines(path: Path) -> Iterator[tuple[int, str]]:
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                yield number, line if line.endswith("\n") else line + "\n"


def _records(stores: Sequence[Store], name: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(shard index, line, parsed record) of every line of ``name`` in every shard."""
    for index, store in enumerate(stores):
        path = Path(store.root) / name
        for number, line in _jsonl_lines(path):
            try:
                yield index, line, json.loads(line)
            except json.JSONDecodeError as error:
                raise MergeError(f"{path}, line {number}: invalid JSON ({error})") from None


def _copy_outputs(stores: Sequence[Store], out: Store) -> None:
    owners: dict[tuple[str, str], int] = {}

    def lines() -> Iterator[str]:
        for index, line, record in _records(stores, OUTPUTS_FILE):
            key = (record["task_id"], record["system"])
            owner = owners.setdefault(key, index)
            if owner != index:
                raise MergeError(
                    f"{key[1]!r} on task {key[0]!r} is in both {stores[owner].root} and "
                    f"{stores[index].root}; shards must not overlap"
                )
            yield line

    _append_all(Path(out.root) / OUTPUTS_FILE, lines())


def _task_lines(stores: Sequence[Store]) -> Iterator[str]:
    """``tasks.jsonl`` lines of every shard, each task once; a task whose documents or gold
    differ between shards is refused (shards split by system see the same tasks)."""
    seen: dict[str, tuple[dict[str, Any], int]] = {}
    for index, line, record in _records(stores, TASKS_FILE):
        first = seen.get(record["id"])
        if first is None:
            seen[record["id"]] = (record, index)
            yield line
        elif first[0] != record:
            raise MergeError(
                f"task {record['id']!r} differs between {stores[first[1]].root} and "
                f"{stores[index].root} (documents, references or key facts); shards of one run "
                "use the same tasks"
            )


def _check_tasks(stores: Sequence[Store]) -> None:
    for _ in _task_lines(stores):
        pass


def _copy_tasks(stores: Sequence[Store], out: Store) -> None:
    _append_all(Path(out.root) / TASKS_FILE, _task_lines(stores))


def _copy_csv(
    stores: Sequence[Store], out: Store, name: str, columns: list[str], key_columns: int | None
) -> None:
    owners: dict[tuple[str, ...], int] = {}

    def lines() -> Iterator[str]:
        for index, store in enumerate(stores):
            path = Path(store.root) / name
            if not path.is_file():
                continue
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                header = next(reader, None)
                padding: list[str] = []
                if header is not None and header != columns:
                    if name != FACTS_FILE or fact_columns(path) == columns:
                        raise MergeError(f"{path}: columns {header}; expected {columns}")
                    padding = [""] * (len(columns) - len(header))  # an earlier version's file
                writer_rows: list[list[str]] = []
                for row in reader:
                    row += padding
                    if key_columns is not None:
                        key = tuple(row[:key_columns])
                        owner = owners.setdefault(key, index)
                        if owner != index:
                            raise MergeError(
                                f"{name} row {key} is in both {stores[owner].root} and "
                                f"{store.root}; shards must not overlap"
                            )
                    writer_rows.append(row)
                    if len(writer_rows) >= _CHUNK_LINES:
                        yield _csv_text(writer_rows)
                        writer_rows.clear()
                if writer_rows:
                    yield _csv_text(writer_rows)

    _append_all(Path(out.root) / name, lines())


def _csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _copy_lines(stores: Sequence[Store], out: Store, name: str) -> None:
    def lines() -> Iterator[str]:
        for store in stores:
            for _, line in _jsonl_lines(Path(store.root) / name):
                yield line

    _append_all(Path(out.root) / name, lines())
