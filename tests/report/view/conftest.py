"""Runs for the viewer's tests: a copy of the bundled run with a claims.csv, and a run whose
system name and summaries are hostile HTML."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.task import load_tasks
from bench.text import split_sentences

REPO = Path(__file__).resolve().parents[3]

HOSTILE_SYSTEM = '<img src=x onerror="window.__pwned=1">'
HOSTILE_SUMMARIES = {
    "paris-summit-001": (
        "<script>window.__pwned=2</script> The UK and France signed a declaration in Paris. "
        '<img src=x onerror="window.__pwned=3"> <a href="javascript:window.__pwned=4">click</a>'
    ),
    "paris-summit-002": 'javascript:window.__pwned=5 Plain text & <b>bold</b> "quoted".',
}
CLAIM_COLUMNS = [
    "task_id",
    "system",
    "sample",
    "sentence",
    "claim",
    "verdict",
    "score",
    "evidence_doc",
    "evidence",
    "backend",
]


def write_claims(run: Path, system: str, task_id: str = "paris-summit-001") -> list[dict[str, str]]:
    """A claims.csv for ``system`` on ``task_id``: its first sentence supported by the first
    sentence of d001 (given by index), its second contradicted (the evidence given as text)."""
    task = next(t for t in load_tasks(REPO / "tasks") if t.id == task_id)
    source = split_sentences(task.documents[0].text)
    summary = next(
        json.loads(line)["summary"]
        for line in (run / "outputs.jsonl").read_text().splitlines()
        if json.loads(line)["task_id"] == task_id and json.loads(line)["system"] == system
    )
    sentences = split_sentences(summary)
    rows = [
        {
            "sentence": "0",
            "claim": sentences[0],
            "verdict": "supported",
            "score": "0.91",
            "evidence_doc": task.documents[0].id,
            "evidence": "0",
        },
        {
            "sentence": "1",
            "claim": sentences[min(1, len(sentences) - 1)],
            "verdict": "contradicted",
            "score": "0.12",
            "evidence_doc": task.documents[0].id,
            "evidence": source[2],
        },
    ]
    with (run / "claims.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, CLAIM_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {"task_id": task_id, "system": system, "sample": "", "backend": "lexical-v1", **row}
            )
    return rows


@pytest.fixture(scope="session")
def viewer_run(bundled_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled run (tests may rebuild its site) with claims for lead."""
    run = tmp_path_factory.mktemp("viewer") / "run"
    shutil.copytree(bundled_run, run, ignore=shutil.ignore_patterns("view", "charts"))
    write_claims(run, "lead")
    return run


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run of a system named like an HTML tag whose summaries hold script, an image with an
    onerror handler and javascript: links; it fails on the tasks it has no summary for."""
    folder = tmp_path_factory.mktemp("hostile")
    outputs = folder / "hostile.jsonl"
    outputs.write_text(
        "".join(
            json.dumps({"task_id": t, "system": HOSTILE_SYSTEM, "summary": s}) + "\n"
            for t, s in HOSTILE_SUMMARIES.items()
        ),
        encoding="utf-8",
    )
    run = folder / "run"
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--tasks",
            str(REPO / "tasks"),
            "--systems",
            f"precomputed:path={outputs}",
            "--systems",
            "lead",
            "--scorers",
            "rouge",
            "--scorers",
            "keyfacts",
            "--no-charts",
            "--allow-failures",
            "--out",
            str(run),
        ],
    )
    assert result.exit_code == 0, result.output
    write_claims(run, HOSTILE_SYSTEM)
    with (run / "claims.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow(
            [
                "paris-summit-002",
                HOSTILE_SYSTEM,
                "",
                "0",
                "<script>window.__pwned=6</script>",
                "not mentioned",
                "",
                "",
                '<img src=x onerror="window.__pwned=7">',
                "lexical-v1",
            ]
        )
    return run
