"""Small task tables written in a temporary folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

ARTICLE = "The council approved the new bridge on Monday.\n\nWork starts in May, officials said."
HIGHLIGHTS = "Council approves bridge .\nWork to start in May ."


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    """``rows`` as JSON lines at ``path``."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    """``rows`` as CSV with a header at ``path``."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    """``rows`` as a Parquet file at ``path``."""
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path
