"""The texts a results folder points to: its tasks' cleaned sources, references and key facts.

A results folder records each task's content hashes (``tasks.jsonl``), not its texts: the
sources and gold stay where the benchmark keeps them (a benchmark may publish its tasks and keep
its references private, and a 100,000-task table should not be copied into every run). The
viewer reopens the task set ``run.json`` names, with the run's table options, and checks every
document and the gold against the recorded hashes, so a site never shows a text the run did not
score without saying so. The built site holds the texts it shows, so it stands on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.run.provenance import gold_hash
from bench.run.selection import table_options
from bench.task import Task, TaskError
from bench.tasksets import open_tasks
from bench.tasksets.sources import is_url
from bench.text import split_sentences

_PARAGRAPH = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class TextSource:
    """Where a run's task texts were found, or why they were not."""

    tasks: str | None
    references: str | None
    error: str | None = None


def _find(recorded: str, run_root: Path) -> str | None:
    """A recorded path as given (from here), else from the run folder's parent folders; a URL
    as it is (opening it says whether it is there)."""
    if is_url(recorded):
        return recorded
    path = Path(recorded)
    if path.is_absolute():
        return recorded if path.exists() else None
    for base in (Path.cwd(), *run_root.resolve().parents):
        if (base / path).exists():
            return str(base / path)
    return None


def locate(
    info: dict[str, Any], run_root: Path, tasks: str | None = None, references: str | None = None
) -> TextSource:
    """The task set and references of a run: the ones given, else those ``run.json`` records
    (a relative path is looked for from here, then from the run folder's parent folders)."""
    config = info.get("config") if isinstance(info.get("config"), dict) else {}
    recorded_refs = (config or {}).get("references")
    refs = references or (recorded_refs and (_find(recorded_refs, run_root) or recorded_refs))
    if tasks:
        return TextSource(tasks, refs)
    source = (config or {}).get("tasks")
    if not source:
        return TextSource(None, None, "run.json records no task set; pass --tasks")
    preset = ((config or {}).get("selection") or {}).get("preset")
    if str(source).startswith("hf:") or (preset and source == "tasks"):
        return TextSource(str(source), refs)
    found = _find(str(source), run_root)
    if found is None:
        return TextSource(None, None, f"the run's task set {source!r} is not found; pass --tasks")
    return TextSource(found, refs)


def open_run_tasks(info: dict[str, Any], where: TextSource) -> Iterator[Task]:
    """The tasks of ``where.tasks`` read with the table options the run recorded; rows that
    fail to load are skipped (their items are shown without texts). Raises TaskError and
    ValueError when the set cannot be opened."""
    selection = (info.get("config") or {}).get("selection") or {}
    options, preset_source = table_options(
        selection.get("preset"),
        selection.get("map"),
        selection.get("separator"),
        selection.get("budget"),
        selection.get("instructions"),
        bool(selection.get("clean")),
        selection.get("language"),
    )
    source = where.tasks or ""
    if preset_source and source == "tasks":
        source = preset_source
    skipped: list[Any] = []
    table = open_tasks(source, references=where.references, problems=skipped, **options)
    return iter(table)


def paragraphs(text: str, language: str) -> list[list[str]]:
    """The sentences of ``text`` (:func:`split_sentences`, so a sentence index a scorer recorded
    points at the same sentence here) grouped by the blank lines between them."""
    found: list[list[str]] = []
    position = 0
    for sentence in split_sentences(text, language):
        start = text.find(sentence, position)
        if start < 0:  # not verbatim in the text: keep it in the current paragraph
            start = position
        if not found or _PARAGRAPH.search(text, position, max(start, position)):
            found.append([])
        found[-1].append(sentence)
        position = max(position, start + len(sentence))
    return found


def task_payload(task: Task, listed: dict[str, Any] | None) -> dict[str, Any]:
    """Everything the task page shows of ``task``, with what differs from the run's record
    (a changed document or gold) under ``changed``."""
    recorded = {d.get("id"): d.get("hash") for d in (listed or {}).get("documents", [])}
    changed = [
        f"document {d.id}"
        for d in task.documents
        if recorded and recorded.get(d.id) != d.content_hash
    ]
    if listed and listed.get("gold") not in (None, gold_hash(task)):
        changed.append("references or key facts")
    return {
        "title": task.title,
        "language": task.language,
        "instructions": task.instructions,
        "budget": task.budget,
        "changed": changed,
        "documents": [
            {
                "id": d.id,
                "title": d.title,
                "outlet": d.outlet,
                "url": d.url,
                "date": d.date,
                "paragraphs": paragraphs(d.text, task.language),
            }
            for d in task.documents
        ],
        "references": [
            {"id": r.id, "text": r.text, "author": r.author, "kind": r.kind}
            for r in task.references
        ],
        "keyfacts": [
            {"id": f.id, "text": f.text, "weight": f.weight, "support": f.support}
            for f in task.keyfacts
        ],
    }


def load_error(error: Exception) -> str:
    """A task set that could not be opened, in one line."""
    if isinstance(error, TaskError):
        return "; ".join(f"{p.file}: {p.message}" for p in error.problems[:3])
    return str(error)
