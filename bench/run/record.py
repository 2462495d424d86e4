"""The one writer of a run's store, and what it keeps while the run goes: which items are
already done, scored, skipped, listed or warned about, and the counts.

Generation and scoring hand everything they finish to the :class:`Recorder`; neither writes
to the store nor knows about the other's bookkeeping.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.request import Summary
from bench.run.errors import RunError
from bench.run.provenance import documents_hash, now, task_changes, task_record
from bench.run.systems import System
from bench.store import TASKS_FILE, Store, write_atomic
from bench.task import Task


class Notes(list[str]):
    """Messages of one kind (failures, skips, warnings): the first :attr:`LIMIT` are kept
    (``problems.jsonl`` holds them all), every one is counted in :attr:`total`, so a run of
    100,000 skipped items does not hold 100,000 strings."""

    LIMIT = 1000

    def __init__(self) -> None:
        super().__init__()
        self.total = 0

    def append(self, text: str) -> None:
        """Count ``text``; keep it while fewer than :attr:`LIMIT` are kept."""
        self.total += 1
        if len(self) < self.LIMIT:
            super().append(text)


@dataclass
class RunStats:
    """What a run did, for the closing message."""

    generated: int = 0
    cached: int = 0
    reused: int = 0
    scored: int = 0
    tasks: int = 0
    errors: Notes = field(default_factory=Notes)
    skipped: Notes = field(default_factory=Notes)
    warnings: Notes = field(default_factory=Notes)
    not_run: Notes = field(default_factory=Notes)
    """Items left out by a spending limit (``--max-cost``); a resumed run does them."""

    def counts(self) -> dict[str, int]:
        """The counts run.json records."""
        return {
            "tasks": self.tasks,
            "generated": self.generated,
            "cached": self.cached,
            "reused": self.reused,
            "scored": self.scored,
            "errors": self.errors.total,
            "skipped": self.skipped.total,
            **({"not_run": self.not_run.total} if self.not_run.total else {}),
        }


Progress = Callable[[str, str], None]
"""Called with (system name, "done" | "cached" | "reused" | "failed" | "skipped" | "not run")
as each item finishes."""


@dataclass
class Outcome:
    """What one scorer made of one item: mean values, fact rows and warnings, or a skip."""

    setup: str
    values: dict[str, float] = field(default_factory=dict)
    facts: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skip: str | None = None
    timeout: float | None = None
    """Seconds the scorer ran before it was stopped at the per-item deadline."""
    claims: list[dict[str, Any]] = field(default_factory=list)
    """Per-sentence faithfulness verdicts (columns of ``claims.csv``)."""


Stored = tuple[str | None, list[Summary]]
"""An item's summaries in the store, with the cache key they were made under."""
StoredAt = tuple[str | None, tuple[int, ...]]
"""Where an item's summaries are in ``outputs.jsonl`` (line offsets), with their cache key."""
Listed = tuple[str | None, str | None, str | None]
"""What is kept of a task ``tasks.jsonl`` lists: the hashes of its gold and of its input, and
(for a record written before input hashes were) the hash of its documents."""

CHANGED_SHOWN = 10
"""Changed tasks a refusal names (it counts the others)."""


class Recorder:
    """Writes every row of a run to its store as it is finished and remembers what the store
    already holds, so a resumed run does only what is missing."""

    def __init__(self, store: Store, progress: Progress | None = None) -> None:
        self.store = store
        self.progress = progress
        self.stats = RunStats()
        self._done: dict[tuple[str, str], StoredAt] = {}
        self._scored: dict[tuple[str, str], set[str]] = {}
        self._skipped: set[tuple[str, str, str | None]] = set()
        self._listed: dict[str, Listed] = {}
        self._held: set[str] = set()
        """Tasks the folder held summaries or scores of when the run started."""
        self._checked: set[str] = set()
        """Listed tasks :meth:`open` already compared with their listing."""
        self._warned: set[tuple[str, str, str]] = set()
        self._before: dict[str, int] = {}
        """Where the rows this run appends start in each file (:meth:`Store.sizes`, and
        tasks.jsonl until a task is listed anew in place: the file is rewritten then)."""
        self._pending: set[tuple[str, str]] = set()
        """Items to be made anew (their system changed): not yet replaced."""
        self._superseded: set[tuple[str, str]] = set()
        """Items made anew (new summaries, or a new failure or skip): their earlier rows go
        when the run ends."""
        self._relisted: set[str] = set()
        """Tasks listed anew (changed before anything was made of them): the same."""
        self._previous: dict[str, Any] | None = None
        """The folder's run.json as the run found it."""
        self._refused = False
        """Whether a streamed task was refused: the run is undone when it ends."""

    def open(self, info: dict[str, Any], tasks: Sequence[Task] | None = None) -> None:
        """Create (or repair) the folder, read what it holds, then write ``info`` as run.json.

        ``tasks`` known before the run are compared with those the folder lists first: one
        changed since the folder scored it is refused (:class:`RunError`) before anything is
        written; a streamed task is compared when it is read (:meth:`list_task`)."""
        self.store.open()
        held: set[str] = set()
        made_anew: set[tuple[str, str]] = set()
        failed: set[tuple[str, str]] = set()
        outputs = noting_summaries(self.store.output_offsets(), held)
        self._done = index_outputs(outputs, made_anew, failed)
        self._scored = self.store.scored_items()
        for item in made_anew:  # two versions in the folder: which scores are whose is unknown
            self._done.pop(item, None)
            self._scored.pop(item, None)
        problems = self.store.problems()
        # Failed and left-out items are tried again: once they have a new outcome, the records
        # of the earlier attempt (the error, the problem) go, and Problems lists only what is.
        left_out = {(p["task_id"], p["system"]) for p in problems if p.get("kind") == "not_run"}
        self._pending = made_anew | failed | left_out
        self._held = held | {task_id for task_id, _ in self._scored}
        self._skipped = {
            (p["task_id"], p["system"], p.get("scorer"))
            for p in problems
            if p.get("kind") == "skipped"
        }
        self._previous = self.store.run_info() if self.store.exists() else None
        self._refused = False
        self._listed = {r["id"]: listing(r) for r in self.store.iter_tasks()}
        self._before = self.store.sizes()
        self._before[TASKS_FILE] = (Path(self.store.root) / TASKS_FILE).stat().st_size
        if tasks is not None:
            changed: dict[str, dict[str, Any]] = {}
            for task in tasks:
                if task.id in self._listed and task.id not in self._checked:
                    self._checked.add(task.id)
                    record = task_record(task)
                    if not same_task(self._listed[task.id], record):
                        changed[task.id] = record
            if changed:
                self._relist(changed)
        self.store.write_run(info)

    def close(self, info: dict[str, Any]) -> None:
        """Flush every file, remove the earlier rows of items made anew (so that each file
        holds one version of each item: scores.csv one row per task, system and metric), and
        write the final run.json."""
        self.store.sync()
        if self._refused:  # a streamed task was refused: undo what the run wrote before it
            for name, size in self._before.items():
                path = Path(self.store.root) / name
                if path.is_file() and path.stat().st_size > size:
                    with path.open("r+b") as handle:
                        handle.truncate(size)
            if self._previous is not None:
                self.store.write_run(self._previous)
            return
        if self._superseded or self._relisted:
            self.store.drop_rows(self._superseded, self._relisted, self._before)
            self._superseded.clear()
            self._relisted.clear()
        self.store.write_run(info)

    def list_task(self, task: Task) -> None:
        """Count and record a task the run reads; refuse one whose input (documents, budget,
        instructions...) or gold changed since the folder scored it."""
        self.stats.tasks += 1
        if task.id in self._checked:
            return
        record = task_record(task)
        listed = self._listed.get(task.id)
        if listed is None:
            self._listed[task.id] = listing(record)
            self.store.append_task(record)
        elif not same_task(listed, record):
            self._relist({task.id: record})

    def _relist(self, changed: Mapping[str, dict[str, Any]]) -> None:
        """Refuse the ``changed`` tasks whose summaries or scores the folder holds, naming what
        changed and leaving the folder as it was; else list the tasks as they are now (in
        place of their old lines: a changed task nothing was made of yet is run anew)."""
        before = {r["id"]: r for r in self.store.tasks() if r["id"] in changed}
        refused = {
            task_id: task_changes(before[task_id], record) or ["its input"]
            for task_id, record in changed.items()
            if task_id in self._held
        }
        if refused:
            self._refused = True  # close() puts the folder's run.json back as it was
            raise RunError(changed_tasks_message(self.store.root, refused))
        self.store.sync()  # the appending handle must not outlive the file it writes to
        replace_records(Path(self.store.root) / TASKS_FILE, changed)
        self._before.pop(TASKS_FILE, None)
        self._relisted.update(changed)  # failed attempts and problems of the old version
        self._skipped = {s for s in self._skipped if s[0] not in changed}
        self._listed.update((task_id, listing(r)) for task_id, r in changed.items())

    def take_stored(self, task: Task, system: System) -> Stored | None:
        """The item's summaries already in the store (once: a resumed item is handled once),
        read from the store when asked for."""
        found = self._done.pop((task.id, system.name), None)
        if found is None:
            return None
        key, offsets = found
        summaries = [
            Summary(text=r["summary"], meta=r.get("meta") or {}, reference_id=r.get("reference_id"))
            for r in self.store.outputs_at(offsets)
        ]
        return key, summaries

    def reused(self) -> None:
        """Count an item whose stored summaries are used again."""
        self.stats.reused += 1

    def forget_scores(self, task: Task, system: System) -> None:
        """The item's input changed: its stored scores and skips no longer count as done, and
        once it is made anew its earlier rows are removed when the run ends (:meth:`close`)."""
        self._scored.pop((task.id, system.name), None)
        self._skipped = {s for s in self._skipped if s[:2] != (task.id, system.name)}
        self._pending.add((task.id, system.name))

    def _replaced(self, task: Task, system: System) -> None:
        """An item to be made anew got new rows: its earlier ones can go."""
        item = (task.id, system.name)
        if item in self._pending:
            self._pending.discard(item)
            self._superseded.add(item)

    def scored_by(self, task: Task, system: System) -> set[str]:
        """Names of the scorers whose rows for the item are stored."""
        return self._scored.get((task.id, system.name), set())

    def summaries(
        self,
        task: Task,
        system: System,
        summaries: list[Summary],
        latency: float | None,
        cached: bool,
        key: str,
    ) -> None:
        """Store an item's summaries (several for multi-sample systems), counting them as
        generated or served from the cache."""
        self._replaced(task, system)
        records = []
        for index, summary in enumerate(summaries):
            if latency is not None:
                summary.meta.setdefault("latency_s", round(latency / len(summaries), 6))
            record: dict[str, Any] = {
                "task_id": task.id,
                "system": system.name,
                "sample": sample_name(summary, index, len(summaries)),
                "summary": summary.text,
                "reference_id": summary.reference_id,
                "meta": summary.meta,
                "key": key,
            }
            if cached:
                record["cached"] = True
            records.append(record)
        self.store.append_outputs(records)
        if cached:
            self.stats.cached += 1
        else:
            self.stats.generated += 1

    def failure(self, task: Task, system: System, error: Exception) -> None:
        """Store a failed item (an attempt without summary, and a problem)."""
        self._replaced(task, system)
        message = f"{type(error).__name__}: {error}"
        attempts = getattr(error, "attempts", 1)
        self.store.append_outputs(
            [
                {
                    "task_id": task.id,
                    "system": system.name,
                    "sample": "",
                    "summary": None,
                    "error": message,
                    "attempts": attempts,
                }
            ]
        )
        self.store.append_problem(
            {
                "kind": "error",
                "task_id": task.id,
                "system": system.name,
                "message": message,
                "attempts": attempts,
                "time": now(),
            }
        )
        self.stats.errors.append(f"{system.name} on {task.id}: {message}")
        self.tick(system, "failed")

    def not_applicable(self, task: Task, system: System, reason: Exception) -> None:
        """Store that a system does not apply to a task (once per folder)."""
        self._replaced(task, system)
        if (task.id, system.name, None) not in self._skipped:
            self._skipped.add((task.id, system.name, None))
            self.store.append_problem(
                {
                    "kind": "skipped",
                    "task_id": task.id,
                    "system": system.name,
                    "scorer": None,
                    "message": str(reason),
                    "time": now(),
                }
            )
        self.stats.skipped.append(f"{system.name} on {task.id}: {reason}")
        self.tick(system, "skipped")

    def not_run(self, task: Task, system: System, reason: Exception) -> None:
        """Record an item a spending limit left out: a problem of kind ``not_run``, no output
        row, so a resumed run generates it."""
        self.store.append_problem(
            {
                "kind": "not_run",
                "task_id": task.id,
                "system": system.name,
                "message": str(reason),
                "time": now(),
            }
        )
        self.stats.not_run.append(f"{system.name} on {task.id}: {reason}")
        self.tick(system, "not run")

    def outcome(self, task: Task, system: System, outcome: Outcome) -> None:
        """Store what one scorer made of an item: its skip, or its warnings, facts and scores."""
        setup = outcome.setup
        if outcome.skip is not None:
            self._skip(task, system, setup, outcome.skip)
            return
        if outcome.timeout is not None:
            self._timeout(task, system, setup, outcome.timeout)
            return
        for message in outcome.warnings:
            # Scorers warn once per task, but each scoring process has its own scorers.
            if (task.id, setup, message) in self._warned:
                continue
            self._warned.add((task.id, setup, message))
            self.stats.warnings.append(f"{setup} on {system.name}/{task.id}: {message}")
            self.store.append_problem(
                {
                    "kind": "warning",
                    "task_id": task.id,
                    "system": system.name,
                    "scorer": setup,
                    "message": message,
                    "time": now(),
                }
            )
        self.store.append_facts(
            {"task_id": task.id, "system": system.name, **row} for row in outcome.facts
        )
        if outcome.claims:
            self.store.append_claims(
                {"task_id": task.id, "system": system.name, **row} for row in outcome.claims
            )
        self.store.append_scores(
            (task.id, system.name, setup, metric, value) for metric, value in outcome.values.items()
        )
        self._scored.setdefault((task.id, system.name), set()).add(setup)
        self.stats.scored += 1

    def _skip(self, task: Task, system: System, setup: str, reason: str) -> None:
        if (task.id, system.name, setup) not in self._skipped:
            self._skipped.add((task.id, system.name, setup))
            self.store.append_problem(
                {
                    "kind": "skipped",
                    "task_id": task.id,
                    "system": system.name,
                    "scorer": setup,
                    "message": reason,
                    "time": now(),
                }
            )
        self.stats.skipped.append(f"{setup} on {system.name}/{task.id}: {reason}")

    def _timeout(self, task: Task, system: System, setup: str, seconds: float) -> None:
        message = (
            f"stopped after {seconds:.1f} s: over the per-item scoring deadline "
            "(--score-deadline); a resumed run tries the item again"
        )
        self.store.append_problem(
            {
                "kind": "timeout",
                "task_id": task.id,
                "system": system.name,
                "scorer": setup,
                "seconds": round(seconds, 3),
                "message": message,
                "time": now(),
            }
        )
        self.stats.skipped.append(f"{setup} on {system.name}/{task.id}: {message}")

    def tick(self, system: System, status: str) -> None:
        """Tell the progress callback that an item of ``system`` finished as ``status``."""
        if self.progress is not None:
            self.progress(system.name, status)


def sample_name(summary: Summary, index: int, count: int) -> str:
    """The sample column of a summary: the reference a bound left out, or its index among
    several samples, or empty for the one summary of an item."""
    if summary.reference_id is not None:
        return summary.reference_id
    return "" if count == 1 else str(index)


def index_outputs(
    records: Iterable[tuple[int, dict[str, Any]]],
    made_anew: set[tuple[str, str]] | None = None,
    failed: set[tuple[str, str]] | None = None,
) -> dict[tuple[str, str], StoredAt]:
    """Where the summaries already in the store are, by (task, system), with the key they were
    made under; the last attempt of an item wins (an error or a new key starts a new one).

    ``made_anew`` receives the items with summaries of an earlier attempt too: made again under
    a new key by a run that stopped before removing the old version's rows; ``failed`` the items
    whose last attempt failed."""
    attempts: dict[tuple[str, str], tuple[str | None, bool, list[int]]] = {}
    for offset, record in records:
        item = (record["task_id"], record["system"])
        key, error = record.get("key"), bool(record.get("error"))
        last = attempts.get(item)
        offsets = [] if last is None or error or last[1] or last[0] != key else last[2]
        if made_anew is not None and last is not None and not last[1] and offsets is not last[2]:
            made_anew.add(item)
        offsets.append(offset)
        attempts[item] = (key, error, offsets)
    if failed is not None:
        failed.update(item for item, (_, error, _) in attempts.items() if error)
    return {
        item: (key, tuple(offsets)) for item, (key, error, offsets) in attempts.items() if not error
    }


def noting_summaries(
    records: Iterable[tuple[int, dict[str, Any]]], held: set[str]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``records`` of ``outputs.jsonl`` passed on, adding to ``held`` the task of each one that
    holds a summary (a failed attempt holds none)."""
    for offset, record in records:
        if record.get("summary") is not None and not record.get("error"):
            held.add(record["task_id"])
        yield offset, record


def listing(record: Mapping[str, Any]) -> Listed:
    """What the recorder keeps of a ``tasks.jsonl`` record (:data:`Listed`)."""
    input_hash = record.get("input")
    documents = None if input_hash is not None else documents_hash(record.get("documents") or [])
    return record.get("gold"), input_hash, documents


def same_task(listed: Listed, record: Mapping[str, Any]) -> bool:
    """True when a task's record now (:func:`bench.run.provenance.task_record`) matches its
    listing: same gold and same input (a record without hashes compares what it holds)."""
    gold, input_hash, documents = listed
    if gold is not None and gold != record["gold"]:
        return False
    if input_hash is not None:
        return bool(input_hash == record["input"])
    return documents == documents_hash(record["documents"])


def changed_tasks_message(root: Path | str, refused: Mapping[str, list[str]]) -> str:
    """Why a run refuses to resume ``root``: each changed task (the first
    :data:`CHANGED_SHOWN`) with what changed, and what to do."""
    named = [
        f"{task_id!r} ({'; '.join(changes)})"
        for task_id, changes in list(refused.items())[:CHANGED_SHOWN]
    ]
    if len(refused) > CHANGED_SHOWN:
        named.append(f"and {len(refused) - CHANGED_SHOWN} more")
    if len(refused) == 1:
        return (
            f"task {named[0]} changed since {root} was scored: its stored summaries and "
            "scores came from the old version and would mix with new ones; write to a new "
            "--out folder, or put the task back as it was"
        )
    return (
        f"{len(refused)} tasks changed since {root} was scored: {', '.join(named)}; their "
        "stored summaries and scores came from the old versions and would mix with new ones; "
        "write to a new --out folder, or put the tasks back as they were"
    )


def replace_records(path: Path, records: Mapping[str, dict[str, Any]]) -> None:
    """Rewrite ``tasks.jsonl`` at ``path`` (atomically) with the line of each task in
    ``records`` replaced by its new record; other lines are kept as they are."""
    lines: list[str] = []
    written: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            task_id = str(json.loads(line)["id"]) if line.strip() else ""
            if task_id not in records:
                lines.append(line)
            elif task_id not in written:  # a task listed twice keeps one line
                written.add(task_id)
                lines.append(json.dumps(records[task_id], ensure_ascii=False) + "\n")
    write_atomic(path, "".join(lines))
