"""Plan -> generate -> score -> store, one (task, system) item at a time.

Every item's summaries and scores are appended to the store as soon as they exist, so an
interrupted or failing run keeps everything computed so far, and re-running into the same
folder only does what is missing.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
import subprocess
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.adapters import Adapter, GoldSummarizer, Summarizer, adapters, is_bound
from bench.request import Summary
from bench.scorers import CannotScore, Scorer, scorers
from bench.scorers.base import measurement
from bench.store import Store
from bench.task import Task

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

    The display name is the registered name, or the whole spec when parameters are given, or
    the value of a ``name=`` parameter.
    """
    base, _, rest = spec.partition(":")
    base = base.strip()
    if not base:
        raise RunError(f"empty name in spec {spec!r}; expected NAME[:key=value,...]")
    params: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = part.partition("=")
        if not eq or not key.strip():
            raise RunError(f"bad parameter {part!r} in {spec!r}; expected key=value")
        params[key.strip()] = value.strip()
    display = params.pop("name", None) or (spec.strip() if params else base)
    return base, params, display


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
            "params": self.params,
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


def build_systems(specs: Iterable[str]) -> list[System]:
    """Instantiate systems from specs; adapters that stand for several systems are expanded."""
    systems: list[System] = []
    for spec in specs:
        base, params, display = parse_spec(spec)
        entry = adapters.get(base)
        try:
            adapter = adapters.create(base, **params)
        except (TypeError, ValueError, OSError, LookupError) as error:
            raise RunError(f"system {spec!r}: {error}") from error
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


def build_scorers(specs: Iterable[str]) -> list[ScorerSetup]:
    """Instantiate scorers from specs."""
    setups: list[ScorerSetup] = []
    for spec in specs:
        base, params, display = parse_spec(spec)
        entry = scorers.get(base)
        try:
            scorer = scorers.create(base, **params)
        except (TypeError, ValueError) as error:
            raise RunError(f"scorer {spec!r}: {error}") from error
        setups.append(ScorerSetup(display, params, scorer, entry.origin))
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


@dataclass
class RunStats:
    """What a run did, for the closing message."""

    generated: int = 0
    reused: int = 0
    scored: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


Progress = Callable[[str], None]


@dataclass
class Run:
    """Tasks x systems x scorers, written to one store."""

    tasks: list[Task]
    systems: list[System]
    scorers: list[ScorerSetup]
    store: Store
    config: dict[str, Any] = field(default_factory=dict)

    def _check_compatible(self) -> dict[str, Any] | None:
        if not self.store.exists():
            return None
        info = self.store.run_info()
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
        tasks = {t["id"]: t for t in (previous or {}).get("tasks", [])}
        tasks.update(
            {
                t.id: {
                    "id": t.id,
                    "documents": [{"id": d.id, "hash": d.content_hash} for d in t.documents],
                    "references": len(t.references),
                    "keyfacts": len(t.keyfacts),
                }
                for t in self.tasks
            }
        )
        return {
            "sumbench": _versions()["sumbench"],
            "status": status,
            "started": (previous or {}).get("started", started),
            "resumed": started if previous else None,
            "finished": _now() if status != "running" else None,
            "config": {**(previous or {}).get("config", {}), **self.config},
            "versions": _versions(),
            "git_commit": _git_commit(Path.cwd()),
            "systems": list(systems.values()),
            "scorers": list(setups.values()),
            "signatures": {name: s["signature"] for name, s in setups.items()},
            "tasks": list(tasks.values()),
            "counts": {
                "generated": stats.generated,
                "reused": stats.reused,
                "scored": stats.scored,
                "errors": len(stats.errors),
                "skipped": len(stats.skipped),
            },
        }

    def execute(self, progress: Progress | None = None) -> RunStats:
        """Run every missing item; on interruption the store keeps what was done."""
        previous = self._check_compatible()
        started = _now()
        stats = RunStats()
        self.store.open()
        self.store.write_run(self._info(previous, started, "running", stats))
        done_outputs = _group_outputs(self.store.outputs())
        scored = set(
            zip(*(self.store.scores()[c] for c in ("task_id", "system", "scorer")), strict=True)
        )
        skipped = {
            (p["task_id"], p["system"], p.get("scorer"))
            for p in self.store.problems()
            if p.get("kind") == "skipped"
        }
        status = "interrupted"
        try:
            for task in self.tasks:
                for system in self.systems:
                    summaries = done_outputs.get((task.id, system.name))
                    if summaries is None:
                        summaries = self._generate(task, system, stats)
                        if summaries is None:
                            if progress:
                                progress(f"{system.name} on {task.id} (failed)")
                            continue
                    else:
                        stats.reused += 1
                    for setup in self.scorers:
                        key = (task.id, system.name, setup.name)
                        if key not in scored and key not in skipped:
                            self._score(task, system, setup, summaries, stats)
                    if progress:
                        progress(f"{system.name} on {task.id}")
            status = "complete"
        finally:
            self.store.write_run(self._info(previous, started, status, stats))
        return stats

    def _generate(self, task: Task, system: System, stats: RunStats) -> list[Summary] | None:
        start = time.perf_counter()
        try:
            if isinstance(system.adapter, GoldSummarizer):
                summaries = system.adapter.summarize_task(task)
            else:
                summaries = [system.adapter.summarize(task.request())]
        except Exception as error:  # recorded per item; the run goes on
            message = f"{type(error).__name__}: {error}"
            self.store.append_outputs(
                [
                    {
                        "task_id": task.id,
                        "system": system.name,
                        "sample": "",
                        "summary": None,
                        "error": message,
                    }
                ]
            )
            self.store.append_problem(
                {
                    "kind": "error",
                    "task_id": task.id,
                    "system": system.name,
                    "message": message,
                    "time": _now(),
                }
            )
            stats.errors.append(f"{system.name} on {task.id}: {message}")
            return None
        latency = time.perf_counter() - start
        records = []
        for index, summary in enumerate(summaries):
            summary.meta.setdefault("latency_s", round(latency / len(summaries), 6))
            records.append(
                {
                    "task_id": task.id,
                    "system": system.name,
                    "sample": _sample_name(summary, index, len(summaries)),
                    "summary": summary.text,
                    "reference_id": summary.reference_id,
                    "meta": summary.meta,
                }
            )
        self.store.append_outputs(records)
        stats.generated += 1
        return summaries

    def _score(
        self,
        task: Task,
        system: System,
        setup: ScorerSetup,
        summaries: list[Summary],
        stats: RunStats,
    ) -> None:
        reasons = [r for s in summaries if (r := setup.scorer.cannot_score(task, s))]
        if reasons:
            self._skip(task, system, setup, reasons[0], stats)
            return
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
                            "task_id": task.id,
                            "system": system.name,
                            "sample": sample,
                            "fact_id": f.fact_id,
                            "weight": f.weight,
                            "present": f.present,
                            "evidence": f.evidence,
                            "matcher": f.matcher,
                        }
                        for f in item.facts
                    )
            except CannotScore as reason:
                self._skip(task, system, setup, str(reason), stats)
                return
        for warning in caught:
            text = f"{setup.name} on {system.name}/{task.id}: {warning.message}"
            stats.warnings.append(text)
            self.store.append_problem(
                {
                    "kind": "warning",
                    "task_id": task.id,
                    "system": system.name,
                    "scorer": setup.name,
                    "message": str(warning.message),
                    "time": _now(),
                }
            )
        self.store.append_facts(facts)
        self.store.append_scores(
            (task.id, system.name, setup.name, metric, total / len(summaries))
            for metric, total in totals.items()
        )
        stats.scored += 1

    def _skip(
        self, task: Task, system: System, setup: ScorerSetup, reason: str, stats: RunStats
    ) -> None:
        self.store.append_problem(
            {
                "kind": "skipped",
                "task_id": task.id,
                "system": system.name,
                "scorer": setup.name,
                "message": reason,
                "time": _now(),
            }
        )
        stats.skipped.append(f"{setup.name} on {system.name}/{task.id}: {reason}")


def _sample_name(summary: Summary, index: int, count: int) -> str:
    if summary.reference_id is not None:
        return summary.reference_id
    return "" if count == 1 else str(index)


def _group_outputs(records: list[dict[str, Any]]) -> dict[tuple[str, str], list[Summary]]:
    """Summaries already in the store by (task, system); the last attempt of an item wins."""
    attempts: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in records:
        key = (record["task_id"], record["system"])
        group = attempts.setdefault(key, [])
        if record.get("error") or (group and group[-1].get("error")):
            group.clear()
        group.append(record)
    grouped: dict[tuple[str, str], list[Summary]] = {}
    for key, group in attempts.items():
        if group and not group[-1].get("error"):
            grouped[key] = [
                Summary(
                    text=r["summary"], meta=r.get("meta") or {}, reference_id=r.get("reference_id")
                )
                for r in group
            ]
    return grouped
