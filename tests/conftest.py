"""Shared fixtures: small task trees built in a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]


def write_task(
    root: Path,
    task_id: str = "t1",
    *,
    documents: list[dict[str, Any]] | None = None,
    references: list[dict[str, Any]] | None = None,
    keyfacts: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Path:
    """Write tasks/<id>/task.yaml (+ sources) and references/<id>/ under ``root``."""
    task_dir = root / "tasks" / task_id
    (task_dir / "sources").mkdir(parents=True, exist_ok=True)
    (task_dir / "sources" / "a.txt").write_text(
        "The council approved the new bridge on Monday. Work starts in May.\n", encoding="utf-8"
    )
    if documents is None:
        documents = [{"id": "d1", "path": "sources/a.txt"}]
    spec = {
        "id": task_id,
        "title": "A bridge",
        "instructions": "Summarize.",
        "budget": 20,
        "documents": documents,
        **fields,
    }
    (task_dir / "task.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    ref_dir = root / "references" / task_id
    ref_dir.mkdir(parents=True, exist_ok=True)
    if references is None:
        references = [
            {"id": "r1", "text": "The council approved a bridge; work starts in May."},
            {"id": "r2", "text": "A new bridge was approved by the council on Monday."},
        ]
    if references:
        (ref_dir / "references.yaml").write_text(yaml.safe_dump(references), encoding="utf-8")
    if keyfacts is None:
        keyfacts = [
            {
                "id": "approved",
                "text": "The council approved the bridge.",
                "weight": 2,
                "support": ["d1"],
                "patterns": [["council"], ["approv"], ["bridge"]],
            }
        ]
    if keyfacts:
        (ref_dir / "keyfacts.yaml").write_text(yaml.safe_dump(keyfacts), encoding="utf-8")
    return task_dir


@pytest.fixture
def task_tree(tmp_path: Path) -> Path:
    """A folder with tasks/t1 and references/t1, valid."""
    write_task(tmp_path)
    return tmp_path
