"""``build_view``: a results folder (and optionally a second one to compare with) -> the
static site, streaming the store through a temporary on-disk index so memory stays bounded."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from bench.analysis import metric_catalog
from bench.report.view.evidence import EVIDENCE_KINDS, EvidenceKind
from bench.report.view.index import ItemIndex
from bench.report.view.items import task_items
from bench.report.view.site import Chunker, metric_payload, prepare, task_json, write_data
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


TASK_BLOCK = 50
"""Tasks whose chunk entries one process builds at a time."""
PARALLEL_TASKS = 400
"""Tasks from which their chunk entries are built by forked processes, one per core (up to 4):
splitting every summary into sentences again is most of the site's work."""

Entry = tuple[int, str, str, bool, str]
"""A task's chunk entry: (position, id, title, whether its texts changed, payload as JSON)."""
_BLOCKS: list[Any] = []
"""What a forked process builds entries from: the index (read-only), systems, evidence kinds."""


def _block_entries(
    index: ItemIndex,
    block: tuple[int, int, int],
    systems: list[str],
    kinds: tuple[EvidenceKind, ...],
) -> list[Entry]:
    """The chunk entries of one block of tasks (:meth:`ItemIndex.task_blocks`)."""
    entries: list[Entry] = []
    for position, task_id, _listed, texts in index.block(*block):
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
        title = str((texts or {}).get("title") or "")[:TITLE_CHARS]
        changed = bool(texts and texts.get("changed"))
        entries.append((position, task_id, title, changed, task_json(payload)))
    return entries


def _start_block_process(path: Path, systems: list[str], kinds: tuple[EvidenceKind, ...]) -> None:
    _BLOCKS[:] = [ItemIndex(path, read_only=True), systems, kinds]


def _block_in_process(block: tuple[int, int, int]) -> list[Entry]:
    index, systems, kinds = _BLOCKS
    return _block_entries(index, block, systems, kinds)


def _entries(
    index: ItemIndex, systems: list[str], kinds: tuple[EvidenceKind, ...]
) -> Iterator[list[Entry]]:
    """Every task's chunk entry, block by block in order: built by forked processes (a few
    blocks ahead of the writing, so memory stays bounded) for a large run where processes can
    be forked, else here."""
    blocks = index.task_blocks(TASK_BLOCK)
    affinity = getattr(os, "sched_getaffinity", None)  # the cores this process may use
    workers = min(len(affinity(0)) if affinity else os.cpu_count() or 1, 4)
    forks = "fork" in multiprocessing.get_all_start_methods()
    if index.task_count() < PARALLEL_TASKS or workers < 2 or not forks:
        for block in blocks:
            yield _block_entries(index, block, systems, kinds)
        return
    index.commit()  # the processes read the index through their own connections
    with ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_block_process,
        initargs=(index.path, systems, kinds),
    ) as pool:
        waiting = iter(blocks)
        running = deque(pool.submit(_block_in_process, b) for b in islice(waiting, 2 * workers))
        while running:
            entries = running.popleft().result()
            following = next(waiting, None)
            if following is not None:
                running.append(pool.submit(_block_in_process, following))
            yield entries


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
    for entries in _entries(index, systems, kinds):
        for position, task_id, title, texts_changed, text in entries:
            chunker.add_json(position, text)
            ids.append(task_id)
            titles.append(title)
            if texts_changed:
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
    if options.compare_to is not None:  # before the site's folder is made
        Store(options.compare_to).run_info()
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
