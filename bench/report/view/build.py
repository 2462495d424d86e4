"""``build_view``: a results folder (and optionally a second one to compare with) -> the
static site, streaming the store through a temporary on-disk index so memory stays bounded."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.analysis import metric_catalog
from bench.report.view.evidence import EVIDENCE_KINDS, EvidenceKind
from bench.report.view.index import ItemIndex
from bench.report.view.items import task_items
from bench.report.view.site import Chunker, metric_payload, prepare, write_data
from bench.report.view.table import read_table
from bench.report.view.texts import TextSource, load_error, locate, open_run_tasks, task_payload
from bench.store import Store, StoreError
from bench.task import Task, TaskError

PROBLEMS_SHOWN = 5000
"""Problems listed on the problems page (all are counted; ``problems.jsonl`` holds them all)."""
TITLE_CHARS = 80


@dataclass(frozen=True)
class ViewOptions:
    """Where the texts come from and how the data is cut into files."""

    tasks: str | None = None
    """Task set to read the texts from (default: the one run.json records)."""
    references: str | None = None
    """References folder (default: the run's, else beside the tasks)."""
    compare_to: Path | None = None
    """A second results folder: adds the diff page (second - first, as `sumbench compare`)."""
    chunk_bytes: int = 400_000
    chunk_tasks: int = 200
    loaded: Sequence[Task] | None = None
    """The run's tasks when the caller already holds them (``sumbench run`` on a task folder):
    their texts are used as they are, without opening the task set again."""


@dataclass(frozen=True)
class Site:
    """A written site: its page, and what it holds."""

    index: Path
    tasks: int
    texts: int
    """Tasks shown with their texts."""
    text_note: str
    chunks: int


def _texts(
    index: ItemIndex, info: dict[str, Any], root: Path, options: ViewOptions
) -> tuple[int, str]:
    """Load the texts of the run's tasks into the index; returns (tasks found, note)."""
    where: TextSource = locate(info, root, options.tasks, options.references)
    given = options.loaded if not options.tasks else None
    if given is not None:
        where = TextSource(str((info.get("config") or {}).get("tasks")), where.references)
    elif where.error:
        return 0, f"task texts not shown: {where.error}"
    found = 0
    try:
        for task in given if given is not None else open_run_tasks(info, where):
            if index.has_task(task.id):
                index.set_texts(task.id, task_payload(task, index.listed(task.id)))
                found += 1
    except (TaskError, ValueError, OSError) as error:
        return found, f"task texts from {where.tasks}: stopped ({load_error(error)}); pass --tasks"
    return found, f"task texts from {where.tasks}" + (
        f", references from {where.references}" if where.references else ""
    )


def _write_tasks(
    index: ItemIndex,
    out: Path,
    systems: list[str],
    kinds: tuple[EvidenceKind, ...],
    options: ViewOptions,
) -> tuple[Chunker, dict[str, Any]]:
    """Write the chunks of tasks and return the chunker and the task index."""
    chunker = Chunker(out, options.chunk_bytes, options.chunk_tasks)
    ids: list[str] = []
    titles: list[str] = []
    changed: list[int] = []
    for position, task_id, _listed, texts in index.tasks():
        language = (texts or {}).get("language") or "en"
        payload = {
            "id": task_id,
            "position": position,
            "texts": texts,
            "items": task_items(
                systems,
                index.outputs(task_id),
                index.scores(task_id),
                index.evidence(task_id),
                kinds,
                language,
            ),
            "problems": index.problems(task_id),
        }
        chunker.add(position, payload)
        ids.append(task_id)
        titles.append(str((texts or {}).get("title") or "")[:TITLE_CHARS])
        if texts and texts.get("changed"):
            changed.append(position)
    chunker.flush()
    return chunker, {"ids": ids, "titles": titles, "starts": chunker.starts, "changed": changed}


def _manifest(
    store: Store,
    info: dict[str, Any],
    index: ItemIndex,
    table: dict[str, Any],
    extra: dict[str, Any],
) -> dict[str, Any]:
    present = set(index.metrics())
    owners = {
        m["name"]: s.get("name") for s in info.get("scorers", []) for m in s.get("metrics", [])
    }
    metrics = [
        {**vars(m), "scorer": owners.get(m.name), "file": n}
        for n, m in enumerate(metric_catalog(store))
        if m.name in present
    ]
    run = {
        k: info.get(k) for k in ("status", "started", "resumed", "finished", "git_commit", "counts")
    }
    config = info.get("config") or {}
    run["name"] = Path(store.root).resolve().name
    run["tasks"] = config.get("tasks")
    run["argv"] = config.get("argv")
    return {
        "version": 1,
        "run": run,
        "systems": [
            {k: s.get(k) for k in ("name", "adapter", "params", "bound", "origin")}
            for s in info.get("systems", [])
        ],
        "signatures": info.get("signatures", {}),
        "metrics": metrics,
        "table": table,
        "problems": index.problem_counts(),
        **extra,
    }


def build_view(
    run: Path | str, out: Path | str | None = None, options: ViewOptions | None = None
) -> Site:
    """Write the results site of the folder ``run`` into ``out`` (default ``<run>/view``);
    raises :class:`StoreError` for a folder that is not a results folder or has no table."""
    options = options or ViewOptions()
    store = Store(run)
    info = store.run_info()
    root = Path(store.root)
    target = Path(out) if out is not None else root / "view"
    if not (root / "table.md").is_file():
        raise StoreError(f"{root}: no table.md; build it with `sumbench report {root}`")
    catalog = metric_catalog(store)
    declared = [str(s.get("name")) for s in info.get("systems", [])]
    prepare(target)
    kinds = tuple(k for k in EVIDENCE_KINDS if (root / k.file).is_file())
    with tempfile.TemporaryDirectory(prefix=".view-", dir=target) as scratch:
        index = ItemIndex(Path(scratch) / "index.sqlite")
        try:
            index.load(root, kinds)
            systems = declared + [s for s in index.systems() if s not in declared]
            table = read_table(root / "table.md", systems, catalog)
            texts, note = _texts(index, info, root, options)
            chunker, tasks = _write_tasks(index, target, systems, kinds, options)
            write_data(target, "tasks", tasks)
            present = set(index.metrics())
            for n, metric in enumerate(catalog):
                if metric.name in present:
                    rows = index.metric_values(metric.name)
                    write_data(
                        target,
                        f"metrics/{n}",
                        metric_payload(metric.name, systems, len(tasks["ids"]), rows),
                    )
            write_data(target, "problems", {"shown": index.problems(limit=PROBLEMS_SHOWN)})
            extra: dict[str, Any] = {
                "tasks": {"count": len(tasks["ids"]), "with_texts": texts, "note": note},
                "evidence": [
                    {"name": k.name, "title": k.title, "verdict": k.verdict} for k in kinds
                ],
                "diff": None,
            }
            if options.compare_to is not None:
                from bench.report.view.diff import write_diff

                extra["diff"] = write_diff(store, Store(options.compare_to), target)
            write_data(target, "manifest", _manifest(store, info, index, table, extra))
        finally:
            index.close()
    return Site(target / "index.html", len(tasks["ids"]), texts, note, len(chunker.starts))
