"""Plan -> generate -> score -> store, one (task, system) item at a time.

Every item's summaries and scores are appended to the store as soon as they exist, so an
interrupted or failing run keeps everything computed so far, and re-running into the same
folder only does what is missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import importlib.metadata
import json
import multiprocessing
import multiprocessing.connection
import os
import platform
import signal
import subprocess
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.adapters import (
    Adapter,
    AdapterError,
    GoldSummarizer,
    NotApplicable,
    Summarizer,
    adapters,
    is_bound,
)
from bench.cache import GenerationCache, cache_key, public_params
from bench.request import Summary, SummaryRequest
from bench.scorers import CannotScore, Scorer, scorers
from bench.signature import measurement
from bench.store import Store
from bench.task import Task, TaskError

DEFAULT_SYSTEMS = ["lead", "random", "textrank", "lexrank", "oracle", "human"]
DEFAULT_SCORERS = ["rouge", "keyfacts", "stats"]
_VERSIONED = [
    "sumbench",
    "rouge-score",
    "pysbd",
    "nltk",
    "numpy",
    "pandas",
    "pydantic",
    "matplotlib",
]


class RunError(Exception):
    """A run that cannot start: bad system or scorer spec, or an incompatible results folder."""


def parse_spec(spec: str) -> tuple[str, dict[str, str], str]:
    """Split ``name:k=v,k2=v2`` into (registered name, params, display name).

    The display name is the registered name, or name plus parameters when parameters are given
    (secret-looking values redacted), or the value of a ``name=`` parameter.
    """
    base, _, rest = spec.partition(":")
    base = base.strip()
    if not base:
        raise RunError(f"empty name in spec {_redact(spec)!r}; expected NAME[:key=value,...]")
    params: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = part.partition("=")
        if not eq or not key.strip():
            raise RunError(
                f"bad parameter {part.split('=')[0]!r} in {_redact(spec)!r}; expected key=value"
            )
        params[key.strip()] = value.strip()
    display = params.pop("name", None) or _display(base, params)
    return base, params, display


def _display(base: str, params: dict[str, Any]) -> str:
    if not params:
        return base
    shown = public_params(params)
    hidden = {k: "<redacted>" for k in params if k not in shown}
    return f"{base}:" + ",".join(f"{k}={v}" for k, v in {**shown, **hidden}.items())


def _redact(spec: str) -> str:
    base, _, rest = spec.partition(":")
    parts = []
    for part in rest.split(","):
        key, eq, _ = part.partition("=")
        parts.append(f"{key}=<redacted>" if eq and not public_params({key.strip(): 1}) else part)
    return f"{base}:{','.join(parts)}" if rest else base


@dataclass
class System:
    """A configured summarizer taking part in a run."""

    name: str
    adapter_name: str
    params: dict[str, str]
    adapter: Adapter
    origin: str

    @property
    def bound(self) -> bool:
        """True for oracle-style systems that see the gold."""
        return is_bound(self.adapter)

    def describe(self) -> dict[str, Any]:
        """What run.json records about this system."""
        return {
            "name": self.name,
            "adapter": self.adapter_name,
            "params": public_params(self.params),
            "version": self.adapter.version,
            "origin": self.origin,
            "bound": self.bound,
        }


@dataclass
class ScorerSetup:
    """A configured scorer taking part in a run."""

    name: str
    params: dict[str, str]
    scorer: Scorer
    origin: str
    base: str = ""
    """The registered scorer name, to build the same scorer in a scoring process."""

    def recipe(self) -> tuple[str, str, dict[str, str]]:
        """(name, registered scorer, parameters): what a scoring process builds it from."""
        return self.name, self.base or self.scorer.name, self.params

    def describe(self) -> dict[str, Any]:
        """What run.json records about this scorer, including its metric catalog."""
        return {
            "name": self.name,
            "scorer": self.scorer.name,
            "params": self.params,
            "signature": self.scorer.signature(),
            "origin": self.origin,
            "metrics": [vars(m) for m in self.scorer.metrics()],
        }


def build_systems(specs: Iterable[Any]) -> list[System]:
    """Instantiate systems from ``NAME[:k=v,...]`` strings or config entries (objects with
    ``adapter``, ``name`` and ``params``); adapters standing for several systems expand."""
    systems: list[System] = []
    for spec in specs:
        base, params, display = _resolve(spec, "adapter")
        entry = adapters.get(base)
        try:
            adapter = adapters.create(base, **params)
        except (TypeError, ValueError, OSError, LookupError) as error:
            raise RunError(f"system {display!r}: {error}") from error
        expanded = adapter.expand() if isinstance(adapter, Summarizer) else None
        if expanded:
            systems.extend(
                System(name, base, {**params, "system": name}, sub, entry.origin)
                for name, sub in expanded.items()
            )
        else:
            systems.append(System(display, base, params, adapter, entry.origin))
    names = [s.name for s in systems]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise RunError(f"system name(s) used twice: {duplicated}; add name=... to tell them apart")
    return systems


def _resolve(spec: Any, kind: str) -> tuple[str, dict[str, Any], str]:
    if isinstance(spec, str):
        return parse_spec(spec)
    base = getattr(spec, kind)
    params = dict(spec.params)
    return base, params, spec.name or _display(base, params)


def build_scorers(specs: Iterable[Any]) -> list[ScorerSetup]:
    """Instantiate scorers from ``NAME[:k=v,...]`` strings or config entries."""
    setups: list[ScorerSetup] = []
    for spec in specs:
        base, params, display = _resolve(spec, "scorer")
        entry = scorers.get(base)
        try:
            scorer = scorers.create(base, **params)
        except (TypeError, ValueError) as error:
            raise RunError(f"scorer {display!r}: {error}") from error
        setups.append(ScorerSetup(display, params, scorer, entry.origin, base))
    return setups


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def _git_commit(where: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        dirty = subprocess.run(
            ["git", "-C", str(where), "status", "--porcelain"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


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


Progress = Callable[[str, str], None]
"""Called with (system name, "done" | "cached" | "reused" | "failed") as each item finishes."""

WINDOW = 512
"""Tasks in flight at once: bounds memory whatever the size of the task set."""


@dataclass
class _Job:
    system: System
    tasks: list[Task]


@dataclass
class Run:
    """Tasks x systems x scorers, written to one store.

    ``tasks`` may be any iterable (a stream from a large dataset): at most :data:`WINDOW` tasks
    are held at once. Generation runs concurrently up to each adapter's ``concurrency`` (and in
    batches of its ``batch_size``); scoring runs in the calling thread as results arrive, or
    in ``score_workers`` processes, the store still being written by the calling thread only.
    """

    tasks: Iterable[Task]
    systems: list[System]
    scorers: list[ScorerSetup]
    store: Store
    config: dict[str, Any] = field(default_factory=dict)
    cache: GenerationCache | None = None
    score_workers: int = 1
    """Processes that score (each builds its own scorers); 1 scores in the calling thread.
    They are spawned, so a script that runs with more than 1 needs the usual
    ``if __name__ == "__main__":`` guard."""

    def _check_compatible(self) -> dict[str, Any] | None:
        owners: dict[str, str] = {}
        for setup in self.scorers:
            for metric in setup.scorer.metrics():
                if owners.setdefault(metric.name, setup.name) != setup.name:
                    raise RunError(
                        f"scorers {owners[metric.name]!r} and {setup.name!r} both produce "
                        f"{metric.name!r}; run them into separate --out folders"
                    )
        if not self.store.exists():
            return None
        info = self.store.run_info()
        for entry in info.get("scorers", []):
            for metric in entry.get("metrics", []):
                owner = owners.get(metric["name"])
                if owner is not None and owner != entry["name"]:
                    raise RunError(
                        f"{self.store.root} already has {metric['name']!r} from scorer "
                        f"{entry['name']!r}; {owner!r} would mix two measurements"
                    )
        before = {s["name"]: s for s in info.get("systems", [])}
        for system in self.systems:
            old_system = before.get(system.name)
            now = (system.adapter_name, public_params(system.params), system.adapter.version)
            if old_system is not None and now != (
                old_system.get("adapter"),
                old_system.get("params"),
                old_system.get("version"),
            ):
                raise RunError(
                    f"{self.store.root} ran system {system.name!r} as {old_system.get('adapter')} "
                    f"{old_system.get('params')}; now it is {system.adapter_name} "
                    f"{system.params}: use another name or another --out folder"
                )
        old = {s["name"]: s["signature"] for s in info.get("scorers", [])}
        for setup in self.scorers:
            new = setup.scorer.signature()
            if setup.name in old and measurement(old[setup.name]) != measurement(new):
                raise RunError(
                    f"{self.store.root} was scored by {setup.name!r} with signature "
                    f"{old[setup.name]} but this run uses {new}; write to a new --out folder"
                )
        return info

    def _info(
        self, previous: dict[str, Any] | None, started: str, status: str, stats: RunStats
    ) -> dict[str, Any]:
        systems = {s["name"]: s for s in (previous or {}).get("systems", [])}
        systems.update({s.name: s.describe() for s in self.systems})
        setups = {s["name"]: s for s in (previous or {}).get("scorers", [])}
        setups.update({s.name: s.describe() for s in self.scorers})
        versions = _versions()
        return {
            "sumbench": versions["sumbench"],
            "status": status,
            "started": (previous or {}).get("started", started),
            "resumed": started if previous else None,
            "finished": _now() if status != "running" else None,
            "config": {**(previous or {}).get("config", {}), **self.config},
            "versions": versions,
            "git_commit": _git_commit(Path.cwd()),
            "systems": list(systems.values()),
            "scorers": list(setups.values()),
            "signatures": {name: s["signature"] for name, s in setups.items()},
            "counts": {
                "tasks": stats.tasks,
                "generated": stats.generated,
                "cached": stats.cached,
                "reused": stats.reused,
                "scored": stats.scored,
                "errors": stats.errors.total,
                "skipped": stats.skipped.total,
            },
        }

    def execute(self, progress: Progress | None = None) -> RunStats:
        """Run every missing item; on interruption the store keeps what was done."""
        previous = self._check_compatible()
        started = _now()
        stats = RunStats()
        self.store.open()
        self.store.write_run(self._info(previous, started, "running", stats))
        self._done = _group_outputs(self.store.outputs())
        scores = self.store.scores()
        self._scored: dict[tuple[str, str], set[str]] = {}
        for task_id, name, scorer in zip(
            scores["task_id"], scores["system"], scores["scorer"], strict=True
        ):
            self._scored.setdefault((task_id, name), set()).add(scorer)
        self._skipped = {
            (p["task_id"], p["system"], p.get("scorer"))
            for p in self.store.problems()
            if p.get("kind") == "skipped"
        }
        self._listed = self.store.listed_tasks()
        self._stats, self._progress = stats, progress
        pools = {
            s.name: ThreadPoolExecutor(
                max_workers=max(1, _concurrency(s.adapter)), thread_name_prefix=f"sumbench-{s.name}"
            )
            for s in self.systems
            if isinstance(s.adapter, Summarizer)
        }
        self._scoring: dict[Future[list[_Outcome]], tuple[Task, System]] = {}
        self._warned: set[tuple[str, str, str]] = set()
        self._scoring_pool = _scoring_pool(self.scorers, self.score_workers)
        status = "interrupted"
        try:
            self._loop(pools)
            status = "complete"
        finally:
            for pool in pools.values():
                pool.shutdown(wait=status == "complete", cancel_futures=True)
            try:
                if self._scoring_pool is not None:
                    # Keep what the scoring processes finished, even when interrupted.
                    self._collect(wait_all=True, cancel=status != "complete")
                    self._scoring_pool.shutdown(wait=True, cancel_futures=True)
            finally:
                self.store.sync()
                self.store.write_run(self._info(previous, started, status, stats))
        return stats

    def _loop(self, pools: dict[str, ThreadPoolExecutor]) -> None:
        source = iter(self.tasks)
        waiting: dict[str, list[Task]] = {s.name: [] for s in self.systems}
        open_items: dict[str, int] = {}  # task id -> items still running
        futures: dict[Future[list[Summary | Exception]], _Job] = {}
        exhausted = False
        bad_row: TaskError | None = None
        while True:
            while (
                not exhausted
                and len(open_items) < WINDOW
                and len(self._scoring) < SCORING_QUEUE * self.score_workers
            ):
                try:
                    task = next(source, None)
                except TaskError as error:  # a bad row: finish what is running, then report
                    bad_row, task = error, None
                if task is None:
                    exhausted = True
                    break
                self._stats.tasks += 1
                self._list(task)
                open_items[task.id] = 0
                for system in self.systems:
                    if self._dispatch(task, system):
                        waiting[system.name].append(task)
                        open_items[task.id] += 1
                    self._flush(system, waiting, pools, futures, force=False)
            for system in self.systems:
                self._flush(system, waiting, pools, futures, force=exhausted)
            for task_id in [t for t, n in open_items.items() if n == 0]:
                del open_items[task_id]
            if not futures:
                if any(waiting.values()):  # a partial batch while nothing else is running
                    for system in self.systems:
                        self._flush(system, waiting, pools, futures, force=True)
                    continue
                if exhausted:
                    self._collect(wait_all=True)
                    if bad_row is not None:
                        raise bad_row
                    return
                if self._scoring:  # reading waits for the scoring processes to catch up
                    wait(list(self._scoring), return_when=FIRST_COMPLETED)
                    self._collect(wait_all=False)
                continue
            pending: list[Future[Any]] = [*futures, *self._scoring]
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            self._collect(wait_all=False)
            interrupted: BaseException | None = None
            for future in [f for f in futures if f in finished]:  # in submission order
                job = futures.pop(future)
                try:
                    results = future.result()
                except BaseException as error:  # store every finished result before stopping
                    interrupted = interrupted or error
                    continue
                for task, result in zip(job.tasks, results, strict=True):
                    self._finish(task, job.system, result)
                    open_items[task.id] -= 1
            if interrupted is not None:
                raise interrupted

    def _flush(
        self,
        system: System,
        waiting: dict[str, list[Task]],
        pools: dict[str, ThreadPoolExecutor],
        futures: dict[Future[list[Summary | Exception]], _Job],
        force: bool,
    ) -> None:
        adapter = system.adapter
        queue = waiting[system.name]
        if not isinstance(adapter, Summarizer) or not queue:
            return
        size = max(1, int(getattr(adapter, "batch_size", 1)))
        while len(queue) >= size or (force and queue):
            batch, queue[:] = queue[:size], queue[size:]
            future = pools[system.name].submit(_call, adapter, [t.request() for t in batch])
            futures[future] = _Job(system, batch)

    def _dispatch(self, task: Task, system: System) -> bool:
        """Handle an item that needs no model call; True when it must be generated."""
        stored = self._done.pop((task.id, system.name), None)
        if stored is not None:
            key, reused = stored
            if key == self._key(task, system):
                self._stats.reused += 1
                self._score_all(task, system, reused)
                self._tick(system, "reused")
                return False
            self._scored.pop((task.id, system.name), None)  # its input changed: score anew
        if isinstance(system.adapter, GoldSummarizer):
            start = time.perf_counter()
            try:
                summaries = system.adapter.summarize_task(task)
            except NotApplicable as reason:
                self._not_applicable(task, system, reason)
                return False
            except Exception as error:  # recorded per item; the run goes on
                self._fail(task, system, error)
                return False
            self._record(task, system, summaries, time.perf_counter() - start, cached=False)
            return False
        cached = self._cache_get(task, system)
        if cached is not None:
            self._stats.cached += 1
            self._record(task, system, [cached], 0.0, cached=True)
            return False
        return True

    def _finish(self, task: Task, system: System, result: Summary | Exception) -> None:
        if isinstance(result, NotApplicable):
            self._not_applicable(task, system, result)
            return
        if isinstance(result, Exception):
            self._fail(task, system, result)
            return
        result.reference_id = None  # only bounds may leave a reference out of their scoring
        if self.cache is not None and getattr(system.adapter, "cacheable", True):
            self.cache.put(self._key(task, system), result)
        self._record(task, system, [result], None, cached=False)

    def _key(self, task: Task, system: System) -> str:
        adapter = system.adapter
        identity = (
            adapter.cache_identity()
            if isinstance(adapter, Summarizer)
            else {"gold": _gold_hash(task)}
        )
        return cache_key(
            system.adapter_name, adapter.version, system.params, identity, task.request()
        )

    def _cache_get(self, task: Task, system: System) -> Summary | None:
        if self.cache is None or not getattr(system.adapter, "cacheable", True):
            return None
        return self.cache.get(self._key(task, system))

    def _record(
        self,
        task: Task,
        system: System,
        summaries: list[Summary],
        latency: float | None,
        cached: bool,
    ) -> None:
        key = self._key(task, system)
        records = []
        for index, summary in enumerate(summaries):
            if latency is not None:
                summary.meta.setdefault("latency_s", round(latency / len(summaries), 6))
            record: dict[str, Any] = {
                "task_id": task.id,
                "system": system.name,
                "sample": _sample_name(summary, index, len(summaries)),
                "summary": summary.text,
                "reference_id": summary.reference_id,
                "meta": summary.meta,
                "key": key,
            }
            if cached:
                record["cached"] = True
            records.append(record)
        self.store.append_outputs(records)
        if not cached:
            self._stats.generated += 1
        self._score_all(task, system, summaries)
        self._tick(system, "cached" if cached else "done")

    def _fail(self, task: Task, system: System, error: Exception) -> None:
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
                "time": _now(),
            }
        )
        self._stats.errors.append(f"{system.name} on {task.id}: {message}")
        self._tick(system, "failed")

    def _not_applicable(self, task: Task, system: System, reason: Exception) -> None:
        if (task.id, system.name, None) not in self._skipped:
            self._skipped.add((task.id, system.name, None))
            self.store.append_problem(
                {
                    "kind": "skipped",
                    "task_id": task.id,
                    "system": system.name,
                    "scorer": None,
                    "message": str(reason),
                    "time": _now(),
                }
            )
        self._stats.skipped.append(f"{system.name} on {task.id}: {reason}")
        self._tick(system, "skipped")

    def _tick(self, system: System, status: str) -> None:
        if self._progress is not None:
            self._progress(system.name, status)

    def _list(self, task: Task) -> None:
        gold = _gold_hash(task)
        if task.id in self._listed:
            if self._listed[task.id] not in (gold, None):
                raise RunError(
                    f"the references or key facts of task {task.id!r} changed since "
                    f"{self.store.root} was scored; write to a new --out folder"
                )
            return
        self._listed[task.id] = gold
        self.store.append_task(
            {
                "id": task.id,
                "gold": gold,
                "documents": [{"id": d.id, "hash": d.content_hash} for d in task.documents],
                "references": len(task.references),
                "keyfacts": len(task.keyfacts),
            }
        )

    def _score_all(self, task: Task, system: System, summaries: list[Summary]) -> None:
        done = self._scored.get((task.id, system.name), set())
        needed = [setup for setup in self.scorers if setup.name not in done]
        if not needed:
            return
        if self._scoring_pool is None:
            for setup in needed:
                try:
                    outcome = _compute(setup, task, summaries)
                except Exception as error:  # the run stops; what is stored stays
                    raise RunError(
                        f"scoring {system.name} on {task.id} with {setup.name} failed: "
                        f"{type(error).__name__}: {error}"
                    ) from error
                self._store_outcome(task, system, outcome)
            return
        future = self._scoring_pool.submit(
            _score_in_process, task, summaries, [setup.name for setup in needed]
        )
        self._scoring[future] = (task, system)

    def _collect(self, wait_all: bool, cancel: bool = False) -> None:
        """Store the outcomes of finished scoring processes, as each finishes (until none is
        left when ``wait_all``), in submission order. ``cancel`` (a run being interrupted) drops
        work that has not started, keeps the rest and ignores failures, so the first error is
        the one reported."""
        if cancel:
            for future in self._scoring:
                future.cancel()
        while True:
            for future in [f for f in self._scoring if f.done()]:
                task, system = self._scoring.pop(future)
                if future.cancelled():
                    continue
                try:
                    outcomes = future.result()
                except BaseException as error:  # a scorer that crashed its process
                    if cancel:
                        continue
                    if not isinstance(error, Exception):
                        raise
                    raise RunError(
                        f"scoring {system.name} on {task.id} in a scoring process failed: "
                        f"{type(error).__name__}: {error}; --score-workers 1 scores in-process"
                    ) from error
                for outcome in outcomes:
                    self._store_outcome(task, system, outcome)
            if not wait_all or not self._scoring:
                return
            wait(list(self._scoring), return_when=FIRST_COMPLETED)

    def _store_outcome(self, task: Task, system: System, outcome: _Outcome) -> None:
        stats = self._stats
        setup = outcome.setup
        if outcome.skip is not None:
            self._skip(task, system, setup, outcome.skip, stats)
            return
        for message in outcome.warnings:
            # Scorers warn once per task, but each scoring process has its own scorers.
            if (task.id, setup, message) in self._warned:
                continue
            self._warned.add((task.id, setup, message))
            stats.warnings.append(f"{setup} on {system.name}/{task.id}: {message}")
            self.store.append_problem(
                {
                    "kind": "warning",
                    "task_id": task.id,
                    "system": system.name,
                    "scorer": setup,
                    "message": message,
                    "time": _now(),
                }
            )
        self.store.append_facts(
            {"task_id": task.id, "system": system.name, **row} for row in outcome.facts
        )
        self.store.append_scores(
            (task.id, system.name, setup, metric, value) for metric, value in outcome.values.items()
        )
        self._scored.setdefault((task.id, system.name), set()).add(setup)
        stats.scored += 1

    def _skip(self, task: Task, system: System, setup: str, reason: str, stats: RunStats) -> None:
        if (task.id, system.name, setup) not in self._skipped:
            self._skipped.add((task.id, system.name, setup))
            self.store.append_problem(
                {
                    "kind": "skipped",
                    "task_id": task.id,
                    "system": system.name,
                    "scorer": setup,
                    "message": reason,
                    "time": _now(),
                }
            )
        stats.skipped.append(f"{setup} on {system.name}/{task.id}: {reason}")


SCORING_QUEUE = 16
"""Items waiting for or in each scoring process, at most: bounds memory and lost work."""


@dataclass
class _Outcome:
    """What one scorer made of one item: mean values, fact rows and warnings, or a skip."""

    setup: str
    values: dict[str, float] = field(default_factory=dict)
    facts: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skip: str | None = None


def _compute(setup: ScorerSetup, task: Task, summaries: list[Summary]) -> _Outcome:
    """Score an item's summaries (several for multi-sample systems) with one scorer."""
    reasons = [r for s in summaries if (r := setup.scorer.cannot_score(task, s))]
    if reasons:
        return _Outcome(setup.name, skip=reasons[0])
    totals: dict[str, float] = {}
    facts: list[dict[str, Any]] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            for index, summary in enumerate(summaries):
                item = setup.scorer.score(task, summary)
                for metric, value in item.values.items():
                    totals[metric] = totals.get(metric, 0.0) + value
                sample = _sample_name(summary, index, len(summaries))
                facts.extend(
                    {
                        "sample": sample,
                        "fact_id": f.fact_id,
                        "weight": f.weight,
                        "present": f.present,
                        "evidence": f.evidence,
                        "matcher": f.matcher,
                        "score": f.score,
                    }
                    for f in item.facts
                )
        except CannotScore as reason:
            return _Outcome(setup.name, skip=str(reason))
    values = {metric: total / len(summaries) for metric, total in totals.items()}
    return _Outcome(setup.name, values, facts, [str(w.message) for w in caught])


_PROCESS_SCORERS: dict[str, ScorerSetup] = {}
"""The scorers of a scoring process, by name (built once by :func:`_start_scoring`)."""
_START_ERROR: list[str] = []
"""Why this scoring process could not build its scorers (reported with its first item)."""


def _start_scoring(recipes: list[tuple[str, str, dict[str, str]]], modules: list[str]) -> None:
    """Set up a scoring process: Ctrl-C is the parent's to handle (it stores what the processes
    finished), the process ends with its parent (even a killed one), then the scorers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        sentinel = parent.sentinel

        def end_with_parent() -> None:
            multiprocessing.connection.wait([sentinel])
            os._exit(1)

        threading.Thread(target=end_with_parent, daemon=True).start()
    try:
        for module in modules:  # registers scorers defined outside bench (not plugins)
            importlib.import_module(module)
        for name, base, params in recipes:
            scorer = scorers.create(base, **params)
            _PROCESS_SCORERS[name] = ScorerSetup(name, params, scorer, "", base)
    except Exception as error:  # the pool would only say "a process terminated abruptly"
        _START_ERROR.append(f"cannot build the scorers: {type(error).__name__}: {error}")


def _score_in_process(task: Task, summaries: list[Summary], names: list[str]) -> list[_Outcome]:
    if _START_ERROR:
        raise RuntimeError(_START_ERROR[0])
    return [_compute(_PROCESS_SCORERS[name], task, summaries) for name in names]


def _scoring_pool(setups: list[ScorerSetup], workers: int) -> ProcessPoolExecutor | None:
    """Processes that each build the run's scorers, or None to score in this thread."""
    if workers < 1:
        raise RunError(f"score_workers must be at least 1, got {workers}")
    modules = sorted({type(setup.scorer).__module__ for setup in setups})
    if workers == 1 or not setups or any(m in ("__main__", "__mp_main__") for m in modules):
        return None  # a scorer defined in a script cannot be rebuilt in another process
    # spawn, not fork: the generation threads may hold locks a forked child would inherit.
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_scoring,
        initargs=([setup.recipe() for setup in setups], modules),
    )


def _concurrency(adapter: Adapter) -> int:
    return int(getattr(adapter, "concurrency", 1) or 1)


def _call(adapter: Summarizer, requests: list[SummaryRequest]) -> list[Summary | Exception]:
    """Run one batch in a worker thread, timing it; never raises."""
    start = time.perf_counter()
    try:
        results = adapter.summarize_batch(requests)
    except Exception as error:  # a batch-level failure fails each of its items
        return [error] * len(requests)
    if len(results) != len(requests):
        return [
            AdapterError(f"adapter returned {len(results)} results for {len(requests)} requests")
        ] * len(requests)
    latency = (time.perf_counter() - start) / len(requests)
    for result in results:
        if isinstance(result, Summary):
            result.meta.setdefault("latency_s", round(latency, 6))
    return results


def _sample_name(summary: Summary, index: int, count: int) -> str:
    if summary.reference_id is not None:
        return summary.reference_id
    return "" if count == 1 else str(index)


def _group_outputs(
    records: list[dict[str, Any]],
) -> dict[tuple[str, str], tuple[str | None, list[Summary]]]:
    """Summaries already in the store by (task, system), with the key they were made under;
    the last attempt of an item wins."""
    attempts: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in records:
        item = (record["task_id"], record["system"])
        group = attempts.setdefault(item, [])
        if record.get("error") or (
            group and (group[-1].get("error") or group[-1].get("key") != record.get("key"))
        ):
            group.clear()
        group.append(record)
    grouped: dict[tuple[str, str], tuple[str | None, list[Summary]]] = {}
    for item, group in attempts.items():
        if group and not group[-1].get("error"):
            grouped[item] = (
                group[-1].get("key"),
                [
                    Summary(
                        text=r["summary"],
                        meta=r.get("meta") or {},
                        reference_id=r.get("reference_id"),
                    )
                    for r in group
                ],
            )
    return grouped


def _gold_hash(task: Task) -> str:
    """Hash of a task's references and key facts: what bounds and scorers read."""
    gold = json.dumps(
        [[r.model_dump() for r in task.references], [f.model_dump() for f in task.keyfacts]],
        sort_keys=True,
    )
    return hashlib.sha256(gold.encode()).hexdigest()[:16]
