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


@pytest.fixture(scope="session", autouse=True)
def _isolated_generation_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write the user's generation cache."""
    import os

    os.environ["SUMBENCH_CACHE"] = str(tmp_path_factory.mktemp("generation-cache"))


@pytest.fixture
def task_tree(tmp_path: Path) -> Path:
    """A folder with tasks/t1 and references/t1, valid."""
    write_task(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def bundled_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled benchmark run once per test session (read-only for tests)."""
    from typer.testing import CliRunner

    from bench.cli import app

    out = tmp_path_factory.mktemp("run") / "bundled"
    result = CliRunner().invoke(app, ["run", "--tasks", str(REPO / "tasks"), "--out", str(out)])
    assert result.exit_code == 0, result.output + str(result.exception)
    return out


@pytest.fixture(scope="session")
def degraded_run(bundled_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run whose `lead` outputs are the bundled run's cut to 15 words: a real degradation."""
    import json

    from typer.testing import CliRunner

    from bench.cli import app

    folder = tmp_path_factory.mktemp("degraded")
    outputs = folder / "lead15.jsonl"
    with outputs.open("w") as handle:
        for line in (bundled_run / "outputs.jsonl").read_text().splitlines():
            record = json.loads(line)
            if record["system"] == "lead":
                short = " ".join(record["summary"].split()[:15])
                handle.write(
                    json.dumps({"task_id": record["task_id"], "system": "lead", "summary": short})
                    + "\n"
                )
    out = folder / "run"
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--tasks",
            str(REPO / "tasks"),
            "--no-charts",
            "--systems",
            f"precomputed:path={outputs}",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out
