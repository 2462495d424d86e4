"""A run's rows regrouped by task on disk, so the site is written one chunk of tasks at a time.

The store's files are in the order items finished, not by task; building the site streams
each file once into a temporary SQLite file (a small page cache, so memory stays bounded
whatever the size of the run) and then reads it back task by task and metric by metric.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from bench.report.view.evidence import EvidenceKind, number
from bench.report.view.rows import csv_records, jsonl_records
from bench.store import OUTPUTS_FILE, PROBLEMS_FILE, SCORE_COLUMNS, SCORES_FILE, TASKS_FILE

BATCH = 5000
_SCHEMA = """
CREATE TABLE tasks (idx INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, listed TEXT, texts TEXT);
CREATE TABLE outputs (seq INTEGER PRIMARY KEY, task TEXT, system TEXT, record TEXT);
CREATE TABLE scores (task TEXT, system TEXT, metric TEXT, value REAL,
                     PRIMARY KEY (task, system, metric)) WITHOUT ROWID;
CREATE TABLE evidence (seq INTEGER PRIMARY KEY, kind TEXT, task TEXT, system TEXT, record TEXT);
CREATE TABLE problems (seq INTEGER PRIMARY KEY, task TEXT, record TEXT);
"""
_INDEXES = """
CREATE INDEX outputs_task ON outputs (task);
CREATE INDEX evidence_task ON evidence (task);
CREATE INDEX problems_task ON problems (task);
CREATE INDEX scores_metric ON scores (metric);
"""


def _batches(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        yield batch


class ItemIndex:
    """The rows of one results folder in a temporary SQLite file, read back by task."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        if read_only:  # another process's view of an index written (and committed) already
            self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            return
        self.db = sqlite3.connect(path)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-16000"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(_SCHEMA)

    def commit(self) -> None:
        """Make what was written visible to other connections."""
        self.db.commit()

    def close(self) -> None:
        """Close the database (the caller removes its file)."""
        self.db.close()

    def _insert(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        for batch in _batches(rows):
            self.db.executemany(sql, batch)

    def load(self, root: Path, kinds: Iterable[EvidenceKind]) -> None:
        """Stream every row file of the folder ``root`` into the index."""
        self._insert(
            "INSERT OR IGNORE INTO tasks (id, listed) VALUES (?, ?)",
            ((str(r.get("id")), json.dumps(r)) for r in jsonl_records(root / TASKS_FILE)),
        )
        self._insert(
            "INSERT INTO outputs (task, system, record) VALUES (?, ?, ?)",
            (
                (str(r.get("task_id")), str(r.get("system")), json.dumps(r, ensure_ascii=False))
                for r in jsonl_records(root / OUTPUTS_FILE)
            ),
        )
        self._insert(
            "INSERT OR REPLACE INTO scores VALUES (?, ?, ?, ?)",
            (
                (r["task_id"], r["system"], r["metric"], number(r["value"]))
                for r in csv_records(root / SCORES_FILE, tuple(SCORE_COLUMNS))
            ),
        )
        for kind in kinds:
            self._insert(
                "INSERT INTO evidence (kind, task, system, record) VALUES (?, ?, ?, ?)",
                (
                    (kind.name, task, system, json.dumps(record, ensure_ascii=False))
                    for task, system, record in kind.rows(root)
                ),
            )
        self._insert(
            "INSERT INTO problems (task, record) VALUES (?, ?)",
            (
                (str(r.get("task_id", "")), json.dumps(r, ensure_ascii=False))
                for r in jsonl_records(root / PROBLEMS_FILE)
            ),
        )
        self.db.executescript(_INDEXES)
        for table in ("outputs", "scores"):  # items of tasks missing from tasks.jsonl
            self.db.execute(f"INSERT OR IGNORE INTO tasks (id) SELECT DISTINCT task FROM {table}")
        self.db.commit()

    def has_task(self, task_id: str) -> bool:
        """True when the run has rows (or a listing) for ``task_id``."""
        row = self.db.execute("SELECT 1 FROM tasks WHERE id = ?", (task_id,)).fetchone()
        return row is not None

    def set_texts(self, task_id: str, payload: dict[str, Any]) -> None:
        """Keep a task's texts (sources, references, key facts) for its chunk."""
        self.db.execute(
            "UPDATE tasks SET texts = ? WHERE id = ?",
            (json.dumps(payload, ensure_ascii=False), task_id),
        )

    def listed(self, task_id: str) -> dict[str, Any] | None:
        """The task's record in ``tasks.jsonl`` (document hashes, gold hash), if any."""
        row = self.db.execute("SELECT listed FROM tasks WHERE id = ?", (task_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def task_count(self) -> int:
        """Number of tasks in the run."""
        return int(self.db.execute("SELECT COUNT(*) FROM tasks").fetchone()[0])

    def task_blocks(self, size: int) -> list[tuple[int, int, int]]:
        """The tasks in blocks of ``size``: (first position, first idx, last idx) of each."""
        keys = [k for (k,) in self.db.execute("SELECT idx FROM tasks ORDER BY idx")]
        return [
            (start, keys[start], keys[min(start + size, len(keys)) - 1])
            for start in range(0, len(keys), size)
        ]

    def block(
        self, first: int, low: int, high: int
    ) -> Iterator[tuple[int, str, dict[str, Any] | None, dict[str, Any] | None]]:
        """(position, id, listing, texts) of each task of one block of :meth:`task_blocks`,
        in the order the run listed them."""
        cursor = self.db.execute(
            "SELECT id, listed, texts FROM tasks WHERE idx BETWEEN ? AND ? ORDER BY idx",
            (low, high),
        )
        for position, (task_id, listed, texts) in enumerate(cursor, first):
            yield (
                position,
                task_id,
                json.loads(listed) if listed else None,
                json.loads(texts) if texts else None,
            )

    def outputs(self, task_id: str) -> list[dict[str, Any]]:
        """Every output record of a task, in the order written."""
        cursor = self.db.execute(
            "SELECT record FROM outputs WHERE task = ? ORDER BY seq", (task_id,)
        )
        return [json.loads(r) for (r,) in cursor]

    def scores(self, task_id: str) -> list[tuple[str, str, float | None]]:
        """(system, metric, value) of a task."""
        cursor = self.db.execute(
            "SELECT system, metric, value FROM scores WHERE task = ?", (task_id,)
        )
        return list(cursor)

    def evidence(self, task_id: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(kind, system, record) of a task's evidence rows, in the order written."""
        cursor = self.db.execute(
            "SELECT kind, system, record FROM evidence WHERE task = ? ORDER BY seq", (task_id,)
        )
        return [(kind, system, json.loads(r)) for kind, system, r in cursor]

    def problems(self, task_id: str | None = None, limit: int = -1) -> list[dict[str, Any]]:
        """Problem records (of one task, or all of them up to ``limit``), in the order written."""
        if task_id is None:
            cursor = self.db.execute("SELECT record FROM problems ORDER BY seq LIMIT ?", (limit,))
        else:
            cursor = self.db.execute(
                "SELECT record FROM problems WHERE task = ? ORDER BY seq", (task_id,)
            )
        return [json.loads(r) for (r,) in cursor]

    def problem_counts(self) -> dict[str, int]:
        """Problems by kind (error, skipped, warning, ...)."""
        cursor = self.db.execute(
            "SELECT COALESCE(json_extract(record, '$.kind'), 'other'), COUNT(*) FROM problems "
            "GROUP BY 1 ORDER BY 1"
        )
        return {str(kind): int(count) for kind, count in cursor}

    def metric_values(self, metric: str) -> Iterator[tuple[int, str, float | None]]:
        """(task position, system, value) of every row of ``metric``."""
        cursor = self.db.execute(
            "SELECT t.idx, s.system, s.value FROM scores s JOIN tasks t ON t.id = s.task "
            "WHERE s.metric = ?",
            (metric,),
        )
        first = self.db.execute("SELECT MIN(idx) FROM tasks").fetchone()[0] or 0
        for idx, system, value in cursor:
            yield idx - first, system, value

    def metrics(self) -> list[str]:
        """Metric names with rows."""
        return [m for (m,) in self.db.execute("SELECT DISTINCT metric FROM scores")]

    def systems(self) -> list[str]:
        """System names with outputs or scores, in order of first appearance."""
        found = self.db.execute(
            "SELECT system FROM outputs GROUP BY system ORDER BY MIN(seq)"
        ).fetchall()
        names = list(dict.fromkeys(s for (s,) in found))
        names += sorted(
            {s for (s,) in self.db.execute("SELECT DISTINCT system FROM scores")} - set(names)
        )
        return names
