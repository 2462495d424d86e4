"""What runs inside Ray's worker processes: adapters and scorers rebuilt from their recipes (once
per process, or once per actor for a system that holds a model), a batch generated, an item
scored, and failures sent back in a form that pickles whatever the adapter raised.

Nothing here writes to a results folder: rows go back to the driver, whose recorder alone
writes them.
"""

from __future__ import annotations

import importlib
import json
import os
from dataclasses import dataclass
from typing import Any

from bench.adapters import AdapterError, NotApplicable, Summarizer, adapters
from bench.request import Summary, SummaryRequest
from bench.run.generate import call
from bench.run.record import Outcome
from bench.run.score import compute
from bench.run.selection import TableSpec
from bench.run.systems import ScorerSetup
from bench.scorers import scorers
from bench.task import Task, TaskError
from bench.tasksets import TaskTable, open_tasks
from bench.tasksets.sources import source_size

SystemRecipe = tuple[str, dict[str, Any], list[str]]
"""(registered adapter, its parameters, modules to import first): what a worker builds a
system's adapter from."""
ScorerRecipes = tuple[list[tuple[str, str, dict[str, str]]], list[str]]
"""((name, registered scorer, parameters) per scorer, modules to import first)."""

_ADAPTERS: dict[str, Summarizer] = {}
_TABLES: dict[str, TaskTable] = {}
_SCORERS: dict[str, dict[str, ScorerSetup]] = {}


@dataclass(frozen=True)
class Failure:
    """An item's failure as it crosses to the driver: the error's type name, text and how
    many tries the adapter made (every exception pickles this way; some do not as themselves)."""

    kind: str
    message: str
    attempts: int = 1
    transient: bool = False
    not_applicable: bool = False


Result = Summary | Failure


@dataclass(frozen=True)
class Unreadable:
    """A shared table this worker cannot read as the driver did (not on this node's storage,
    another copy, another version): the driver sends the unit again with the tasks in it."""

    reason: str


def table_tasks(spec: TableSpec, rows: list[int], ids: list[str]) -> list[Task] | Unreadable:
    """The tasks at ``rows`` of a shared table (opened once per process), checked to be the
    tasks ``ids`` the driver read there."""
    source, options, size = spec
    try:
        found = source_size(source)
        if found != size:
            return Unreadable(f"{source} has {found} bytes here, {size} where the driver read it")
        key = json.dumps(spec, sort_keys=True, default=str)
        table = _TABLES.get(key)
        if table is None:
            table = _TABLES[key] = open_tasks(source, **options)
        tasks = table.tasks_at(rows)
    except (OSError, TaskError, TypeError, IndexError) as error:
        return Unreadable(f"cannot read {source} here: {type(error).__name__}: {error}")
    if [task.id for task in tasks] != ids:
        return Unreadable(f"rows {rows[0]}.. of {source} hold other tasks than the driver read")
    return tasks


def generate_rows(
    recipe: SystemRecipe, spec: TableSpec, rows: list[int], ids: list[str]
) -> list[Result] | Unreadable:
    """:func:`generate` on the tasks at ``rows`` of a shared table, read here."""
    tasks = table_tasks(spec, rows, ids)
    if isinstance(tasks, Unreadable):
        return tasks
    return generate(recipe, [task.request() for task in tasks])


def portable(result: Summary | Exception) -> Result:
    """A summary as it is, an exception as a :class:`Failure`."""
    if isinstance(result, Summary):
        return result
    return Failure(
        type(result).__name__,
        str(result),
        int(getattr(result, "attempts", 1) or 1),
        bool(getattr(result, "transient", False)),
        isinstance(result, NotApplicable),
    )


_ERROR_TYPES: dict[str, type[AdapterError]] = {}


def restored(failure: Failure) -> Exception:
    """The driver's exception for a :class:`Failure`: recorded with the same type name and text
    as the error a local run would record."""
    if failure.not_applicable:
        return NotApplicable(failure.message)
    kind = _ERROR_TYPES.get(failure.kind)
    if kind is None:
        kind = AdapterError if failure.kind == "AdapterError" else None
        kind = kind or type(failure.kind, (AdapterError,), {"__module__": __name__})
        _ERROR_TYPES[failure.kind] = kind
    return kind(failure.message, attempts=failure.attempts, transient=failure.transient)


def _import(modules: list[str]) -> None:
    for module in modules:  # adapters or scorers registered outside bench (not plugins)
        importlib.import_module(module)


def build_adapter(recipe: SystemRecipe) -> Summarizer:
    """The recipe's adapter, built once per process."""
    key = json.dumps(recipe, sort_keys=True, default=str)
    adapter = _ADAPTERS.get(key)
    if adapter is None:
        name, params, modules = recipe
        _import(modules)
        built = adapters.create(name, **params)
        if not isinstance(built, Summarizer):
            raise TypeError(f"adapter {name!r} is not a summarizer")
        adapter = _ADAPTERS[key] = built
    return adapter


def generate(recipe: SystemRecipe, requests: list[SummaryRequest]) -> list[Result]:
    """A batch of a system's requests: each a summary or its failure (never raises for an
    adapter's error; one that cannot be built fails every item)."""
    try:
        adapter = build_adapter(recipe)
    except Exception as error:
        message = f"cannot build the adapter on a Ray worker: {type(error).__name__}: {error}"
        return [portable(AdapterError(message))] * len(requests)
    return [portable(result) for result in call(adapter, requests)]


def score(
    recipes: ScorerRecipes,
    task: Task,
    summaries: list[Summary],
    names: list[str],
    seconds: float | None = None,
) -> list[Outcome]:
    """Each named scorer's outcome for one item within the per-item deadline of ``seconds``
    (a Ray task runs in its worker's main thread, so the alarm can interrupt it), the scorers
    built once per process."""
    key = json.dumps(recipes, sort_keys=True, default=str)
    setups = _SCORERS.get(key)
    if setups is None:
        built, modules = recipes
        _import(modules)
        setups = {
            name: ScorerSetup(name, params, scorers.create(base, **params), "", base)
            for name, base, params in built
        }
        _SCORERS[key] = setups
    return [compute(setups[name], task, summaries, seconds) for name in names]


def score_row(
    recipes: ScorerRecipes,
    spec: TableSpec,
    row: int,
    task_id: str,
    summaries: list[Summary],
    names: list[str],
    seconds: float | None = None,
) -> list[Outcome] | Unreadable:
    """:func:`score` on the task at ``row`` of a shared table, read here."""
    tasks = table_tasks(spec, [row], [task_id])
    if isinstance(tasks, Unreadable):
        return tasks
    return score(recipes, tasks[0], summaries, names, seconds)


class SystemWorker:
    """A long-lived worker for one system (a Ray actor): its adapter is built once and kept,
    so a local model is loaded once per GPU and an API client keeps its connections."""

    def __init__(self, recipe: SystemRecipe) -> None:
        self.recipe = recipe
        self.batches = 0
        self.error: str | None = None
        try:
            build_adapter(recipe)
        except Exception as error:  # reported with each batch, as in a local run
            self.error = f"{type(error).__name__}: {error}"

    def generate(self, requests: list[SummaryRequest]) -> list[Result]:
        """One batch, as :func:`generate`."""
        self.batches += 1
        return generate(self.recipe, requests)

    def generate_rows(self, spec: TableSpec, rows: list[int], ids: list[str]) -> Any:
        """One batch read from a shared table, as :func:`generate_rows`."""
        self.batches += 1
        return generate_rows(self.recipe, spec, rows, ids)

    def report(self) -> dict[str, Any]:
        """Where this actor ran, the GPUs Ray gave it, the batches it made and how many times
        its adapter loaded a model (run.json records it: a model loads once per actor)."""
        import ray

        adapter = _ADAPTERS.get(json.dumps(self.recipe, sort_keys=True, default=str))
        return {
            "node": ray.get_runtime_context().get_node_id(),
            "pid": os.getpid(),
            "gpu_ids": [str(gpu) for gpu in ray.get_gpu_ids()],
            "batches": self.batches,
            "model_loads": getattr(adapter, "loads", None),
        }

    def ready(self) -> str | None:
        """None once the adapter is built, else why it could not be."""
        return self.error
