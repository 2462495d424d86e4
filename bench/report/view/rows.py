"""Streaming readers of a results folder's row files for the viewer: one record at a time, a
last line cut short by a crash left out, so building a site never holds a whole run in memory."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.store import StoreError


def _ends_cleanly(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(0, 2)
        if handle.tell() == 0:
            return True
        handle.seek(-1, 2)
        return handle.read(1) == b"\n"


def jsonl_records(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSONL file, in order; a cut last line is skipped, any other bad
    line is a :class:`StoreError` naming the file and line."""
    if not path.is_file():
        return
    clean = _ends_cleanly(path)
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.endswith("\n") and not clean:
                return  # the last line, cut short by a crash
            if line.strip():
                yield _parse_line(path, number, line)


def _parse_line(path: Path, number: int, line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise StoreError(f"{path}, line {number}: invalid JSON ({error})") from error
    if not isinstance(record, dict):
        raise StoreError(f"{path}, line {number}: expected a JSON object")
    return record


def csv_records(path: Path, required: tuple[str, ...] = ()) -> Iterator[dict[str, str]]:
    """The rows of a CSV file with a header, as dicts of text; a row cut short by a crash (the
    last one, without its line end) is skipped. Missing ``required`` columns are an error."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    clean = _ends_cleanly(path)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None) or []
        missing = [c for c in required if c not in header]
        if missing:
            raise StoreError(
                f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(required)}"
            )
        pending: list[str] | None = None
        for row in reader:
            if pending is not None:
                yield dict(zip(header, pending, strict=False))
            pending = row
        if pending is not None and clean:
            yield dict(zip(header, pending, strict=False))
