"""Writing the static site: the page and its bundled script and style, then the data as
script files (``window.__sumbench_chunk(name, data)``), which a page opened from ``file://``
may load where it may not fetch JSON.

``data/manifest.js`` (run, systems, metrics, the table) is all the first page needs; the task
index, each metric's per-item values, the problems and the chunks of tasks (texts, summaries,
scores, evidence) are loaded when a page needs them.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from bench.store import StoreError, write_atomic

ASSETS = ("index.html", "view.js", "view.css")
CALLBACK = "window.__sumbench_chunk"
MARKER = "data/manifest.js"
"""A folder holding this file is a site this module wrote (and may replace)."""


def script(name: str, payload: Any) -> str:
    """The text of a data file: one call of the page's callback with ``payload`` as JSON
    (``<`` and line separators escaped, so no text can end the script or break it)."""
    return _call(name, _json(payload))


def _json(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def task_json(payload: dict[str, Any]) -> str:
    """A task's payload as its chunk holds it."""
    return _json(payload)


def _call(name: str, body: str) -> str:
    body = body.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"{CALLBACK}({json.dumps(name)},{body});\n"


def rounded(value: float | None) -> float | None:
    """A value as the site stores it: six significant digits, None for missing or NaN."""
    if value is None or not math.isfinite(value):
        return None
    return float(f"{value:.6g}")


def prepare(out: Path) -> None:
    """Make ``out`` ready for a new site: create it, or clear the data of a site written
    before; refuse a non-empty folder that is not a site."""
    if out.exists() and not out.is_dir():
        raise StoreError(f"{out} is a file; expected a folder for the site")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise StoreError(f"{out} is not empty and holds no site; choose another --out")
    shutil.rmtree(out / "data", ignore_errors=True)
    (out / "data" / "chunks").mkdir(parents=True)
    (out / "data" / "metrics").mkdir()
    for name in ASSETS:
        source = resources.files("bench.report.view") / "assets" / name
        write_atomic(out / name, source.read_bytes(), durable=False)


def write_data(out: Path, name: str, payload: Any) -> int:
    """Write ``data/<name>.js``; returns its size in bytes."""
    text = script(name, payload)
    write_atomic(out / "data" / f"{name}.js", text, durable=False)
    return len(text.encode("utf-8"))


@dataclass
class Chunker:
    """Groups task payloads into chunk files of about ``max_bytes`` (at most ``max_tasks``)."""

    out: Path
    max_bytes: int = 400_000
    max_tasks: int = 200
    starts: list[int] = field(default_factory=list)
    """Position of the first task of each chunk."""
    _pending: list[str] = field(default_factory=list)
    _size: int = 0
    bytes_written: int = 0

    def add(self, position: int, payload: dict[str, Any]) -> None:
        """Add the task at ``position`` (positions come in order)."""
        self.add_json(position, task_json(payload))

    def add_json(self, position: int, text: str) -> None:
        """Add the task at ``position`` as :func:`task_json` encoded it."""
        if self._pending and (
            self._size + len(text) > self.max_bytes or len(self._pending) >= self.max_tasks
        ):
            self.flush()
        if not self._pending:
            self.starts.append(position)
        self._pending.append(text)
        self._size += len(text)

    def flush(self) -> None:
        """Write the pending tasks as the next chunk."""
        if not self._pending:
            return
        name = f"chunks/{len(self.starts) - 1}"
        text = _call(name, "[" + ",".join(self._pending) + "]")
        write_atomic(self.out / "data" / f"{name}.js", text, durable=False)
        self.bytes_written += len(text.encode("utf-8"))
        self._pending, self._size = [], 0


def metric_payload(
    metric: str, systems: list[str], count: int, rows: Iterator[tuple[int, str, float | None]]
) -> dict[str, Any]:
    """One metric's per-item values: per system a list over task positions (None where the
    system has no value)."""
    values: dict[str, list[float | None]] = {}
    for position, system, value in rows:
        column = values.get(system)
        if column is None:
            column = values[system] = [None] * count
        if 0 <= position < count:
            column[position] = rounded(value)
    order = [s for s in systems if s in values] + sorted(set(values) - set(systems))
    return {"metric": metric, "values": {s: values[s] for s in order}}
