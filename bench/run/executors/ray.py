"""A Ray cluster (``sumbench run --executor ray[:ADDRESS]``): each system's batches and each
item's scoring run as units on Ray workers, which send summaries and scores back; the driver's
recorder alone writes the results folder, so the folder is the one a local run writes.

Where a system runs:

- a system that holds a model (``hf``) gets long-lived actors that keep it loaded: one per GPU
  (``num_gpus=1`` each) when the cluster has GPUs, else one with ``num_cpus=1``;
- an API system (``concurrency`` above 1, e.g. ``openai``) gets one cheap actor
  (``num_cpus=0``) that runs ``concurrency`` requests at once;
- any other (baselines, ``command``, ``python``) runs as Ray tasks of ``num_cpus=1``;
- a system Ray cannot rebuild on a worker (``precomputed``, which only reads a file, or one
  defined in a script) is called in the driver, as a local run would.

A system's ``num_cpus=``, ``num_gpus=`` and ``replicas=`` parameters override these. Each
system, and scoring, keeps a bounded number of units in flight (the others wait in the driver,
which reads tasks in a bounded window), so neither the driver nor Ray's object store ever holds
the whole task set. A unit whose worker or node dies is sent again, up to :data:`RETRIES` more
times; a summary made on a later attempt records ``unit_attempts`` in its meta.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bench.adapters import AdapterError, GoldSummarizer, Summarizer, adapters
from bench.request import Summary, SummaryRequest
from bench.run.errors import RunError
from bench.run.executor import Gate
from bench.run.executors import ray_workers
from bench.run.executors.local import LocalExecutor
from bench.run.generate import NotRun, concurrency
from bench.run.record import Outcome
from bench.run.systems import ScorerSetup, System
from bench.task import Task

if TYPE_CHECKING:
    from bench.run.selection import SharedTable

RETRIES = 3
"""Further attempts of a unit whose worker or node died (then its items fail, recorded)."""
REPORT_SECONDS = 10.0
"""How long the driver waits for an actor to say where it ran, at the end of a run."""


def import_ray() -> Any:
    """The ``ray`` module, or a :class:`RunError` saying how to install it."""
    try:
        import ray
    except ImportError:
        raise RunError(
            "--executor ray needs Ray: pip install 'sumbench[ray]' (on every node of the cluster)"
        ) from None
    return ray


def _system_failures(ray: Any) -> tuple[type[BaseException], ...]:
    """Errors that mean a worker, an actor or a node died, not that our code failed."""
    errors = ray.exceptions
    return (
        errors.WorkerCrashedError,
        errors.NodeDiedError,
        errors.ObjectLostError,
        errors.RayActorError,
        errors.LocalRayletDiedError,
        errors.OutOfMemoryError,
    )


def recipe(system: System) -> ray_workers.SystemRecipe | None:
    """What a Ray worker builds ``system``'s adapter from; None for a system the driver calls
    itself (one that only reads a file, or that only exists in this process)."""
    adapter = system.adapter
    module = type(adapter).__module__
    if not isinstance(adapter, Summarizer) or system.adapter_name == "precomputed":
        return None
    known = {entry.name for entry in adapters.entries()}
    if module in ("__main__", "__mp_main__") or system.adapter_name not in known:
        return None
    return system.adapter_name, dict(system.params), [module]


@dataclass
class Unit:
    """One batch of a system, or one item to score, and the future the loop waits on."""

    future: Future[Any]
    send: Callable[[Any, bool], Any]
    """Sends the unit to Ray on the given actor (or None), as rows of the shared table when
    told and it can, and returns its ObjectRef."""
    size: int
    requests: list[SummaryRequest] = field(default_factory=list)
    """A batch's requests (what the spending gate estimates); none for scoring."""
    by_rows: bool = False
    """True while the unit goes as rows of the shared table (a worker reads the tasks)."""
    started: bool = False
    attempts: int = 0
    actor: int | None = None


@dataclass
class Lane:
    """The units of one system, or of scoring: those waiting, and how many may run at once."""

    name: str
    slots: int
    actors: list[Any] = field(default_factory=list)
    waiting: deque[Unit] = field(default_factory=deque)
    running: int = 0
    per_actor: list[int] = field(default_factory=list)
    resources: dict[str, float] = field(default_factory=dict)
    """What each actor asked Ray for (``num_cpus``, ``num_gpus``)."""
    reports: list[dict[str, Any]] = field(default_factory=list)
    """Each actor's :meth:`~bench.run.executors.ray_workers.SystemWorker.report`, at the end."""


class RayExecutor:
    """Generation and scoring as Ray units; results come back to the caller as futures."""

    def __init__(
        self,
        systems: Sequence[System],
        setups: Sequence[ScorerSetup],
        address: str | None = None,
        gate: Gate | None = None,
        retries: int = RETRIES,
        init: dict[str, Any] | None = None,
        score_deadline: float | None = None,
        table: SharedTable | None = None,
    ) -> None:
        self.ray = import_ray()
        self._started = False
        if not self.ray.is_initialized():
            self.ray.init(
                address=address,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
                **(init or {}),
            )
            self._started = True
        self.gate = gate
        self.score_deadline = score_deadline
        """Seconds one scorer may take on one item on a worker (None: no limit)."""
        self.retries = retries
        self.failures = _system_failures(self.ray)
        self.stats = {"units": 0, "retried": 0, "lost": 0, "by_rows": 0}
        self._table = table
        self._unreadable: str | None = None
        """Why a worker could not read the shared table (then every unit carries its tasks)."""
        self._lock = threading.RLock()
        self._remote_score = self.ray.remote(ray_workers.score)
        self._remote_generate = self.ray.remote(ray_workers.generate)
        self._remote_generate_rows = self.ray.remote(ray_workers.generate_rows)
        self._remote_score_row = self.ray.remote(ray_workers.score_row)
        self._scorers: ray_workers.ScorerRecipes = (
            [setup.recipe() for setup in setups],
            sorted({type(setup.scorer).__module__ for setup in setups}),
        )
        cpus = max(1, int(self.ray.cluster_resources().get("CPU", 1)))
        self._gpus = int(self.ray.cluster_resources().get("GPU", 0))
        self._scoring = Lane("scoring", 2 * cpus)
        self._lanes: dict[str, Lane] = {}
        self._recipes: dict[str, ray_workers.SystemRecipe] = {}
        in_driver = []
        for system in systems:
            found = recipe(system)
            if found is None:
                in_driver.append(system)
            elif isinstance(system.adapter, Summarizer):
                self._recipes[system.name] = found
                self._lanes[system.name] = self._lane(system, found, cpus)
        self._local = LocalExecutor(
            [s for s in in_driver if not isinstance(s.adapter, GoldSummarizer)], [], 1, None, gate
        )

    def _lane(self, system: System, found: ray_workers.SystemRecipe, cpus: int) -> Lane:
        """Where ``system`` runs: actors for a model or an API, tasks otherwise."""
        adapter = system.adapter
        asked = system.resources
        threads = concurrency(adapter)
        holds_model = not getattr(adapter, "light", False)
        if not holds_model and threads == 1:
            num_cpus = asked.get("num_cpus", 1.0)
            per_unit = max(num_cpus, 1.0 / threads)
            return Lane(system.name, 2 * max(1, int(cpus / per_unit)))
        gpus = asked.get("num_gpus", 1.0 if holds_model and self._gpus else 0.0)
        num_cpus = asked.get("num_cpus", 1.0 if holds_model and not gpus else 0.0)
        default = max(1, int(self._gpus / gpus)) if gpus and self._gpus else 1
        replicas = int(asked.get("replicas", default))
        worker = self.ray.remote(ray_workers.SystemWorker).options(
            num_cpus=num_cpus,
            num_gpus=gpus,
            max_concurrency=threads,
            max_restarts=self.retries,
            max_task_retries=0,
        )
        actors = [worker.remote(found) for _ in range(replicas)]
        asked_for = {"num_cpus": num_cpus, "num_gpus": gpus}
        return Lane(
            system.name,
            replicas * (threads + 1),
            actors,
            per_actor=[0] * replicas,
            resources=asked_for,
        )

    @property
    def scores_elsewhere(self) -> bool:
        """Always: items are scored on the cluster."""
        return True

    def generate(
        self, system: System, requests: list[SummaryRequest]
    ) -> Future[list[Summary | Exception]]:
        """Queue a batch of ``system`` for its workers (or the driver's threads): its rows of a
        shared table, or its requests."""
        lane = self._lanes.get(system.name)
        if lane is None:
            return self._local.generate(system, requests)
        found = self._recipes[system.name]
        resources = system.resources
        task_options = {
            "num_cpus": resources.get("num_cpus", 1.0),
            "num_gpus": resources.get("num_gpus", 0.0),
            "max_retries": 0,
        }
        remote = self._remote_generate.options(**task_options)
        by_rows = self._remote_generate_rows.options(**task_options)
        ids = [request.task_id for request in requests]
        rows = self._rows(ids)
        requests_ref: list[Any] = []

        def send(actor: Any, use_rows: bool) -> Any:
            if use_rows and rows is not None and self._table is not None:
                if actor is not None:
                    return actor.generate_rows.remote(self._table.spec, rows, ids)
                return by_rows.remote(found, self._table.spec, rows, ids)
            if not requests_ref:  # put once: a retried unit sends the same object
                requests_ref.append(self.ray.put(requests))
            if actor is not None:
                return actor.generate.remote(requests_ref[0])
            return remote.remote(found, requests_ref[0])

        unit = Unit(Future(), send, len(requests), requests, by_rows=rows is not None)
        self._queue(lane, unit, system)
        return unit.future

    def score(
        self, task: Task, summaries: list[Summary], names: list[str]
    ) -> Future[list[Outcome]]:
        """Queue an item for scoring on the cluster: its row of a shared table, or the task."""
        remote = self._remote_score.options(num_cpus=1, max_retries=0)
        by_row = self._remote_score_row.options(num_cpus=1, max_retries=0)
        rows = self._rows([task.id])
        deadline = self.score_deadline

        def send(_actor: Any, use_rows: bool) -> Any:
            if use_rows and rows is not None and self._table is not None:
                spec = self._table.spec
                return by_row.remote(
                    self._scorers, spec, rows[0], task.id, summaries, names, deadline
                )
            return remote.remote(self._scorers, task, summaries, names, deadline)

        unit = Unit(Future(), send, 1, by_rows=rows is not None)
        self._queue(self._scoring, unit, None)
        return unit.future

    def _rows(self, ids: list[str]) -> list[int] | None:
        """The rows of a shared table that hold these tasks, or None to send the tasks."""
        if self._table is None or self._unreadable is not None:
            return None
        positions = self._table.positions
        rows = [positions.get(task_id) for task_id in ids]
        return None if None in rows else [row for row in rows if row is not None]

    def _queue(self, lane: Lane, unit: Unit, system: System | None) -> None:
        with self._lock:
            lane.waiting.append(unit)
            self._pump(lane, system)

    def _pump(self, lane: Lane, system: System | None) -> None:
        """Send waiting units while the lane has free slots (the lock is held)."""
        while lane.waiting and lane.running < lane.slots:
            unit = lane.waiting.popleft()
            first = not unit.started
            if first and not unit.future.set_running_or_notify_cancel():
                continue  # cancelled by an interrupted run before it was sent
            unit.started = True
            reason = None
            if self.gate is not None and system is not None and first:
                reason = self.gate.gate(system, unit.requests)
            if reason is not None:
                unit.future.set_result([NotRun(reason)] * unit.size)
                continue
            actor = None
            if lane.actors:
                unit.actor = min(range(len(lane.actors)), key=lane.per_actor.__getitem__)
                lane.per_actor[unit.actor] += 1
                actor = lane.actors[unit.actor]
            unit.attempts += 1
            lane.running += 1
            self.stats["units"] += 1
            self.stats["by_rows"] += unit.by_rows
            ref = unit.send(actor, unit.by_rows)
            ref.future().add_done_callback(
                lambda done, u=unit: self._finished(lane, system, u, done)
            )

    def _finished(self, lane: Lane, system: System | None, unit: Unit, done: Future[Any]) -> None:
        """A unit came back (in a Ray thread): deliver it, or send it again if its worker died."""
        with self._lock:
            lane.running -= 1
            if unit.actor is not None:
                lane.per_actor[unit.actor] -= 1
            error = done.exception()
            lost = error is not None and isinstance(error, self.failures)
            if lost and unit.attempts <= self.retries:
                self.stats["retried"] += 1
                lane.waiting.appendleft(unit)
                self._pump(lane, system)
                return
            if error is None and isinstance(done.result(), ray_workers.Unreadable):
                # the table is not readable there: this unit and the rest carry their tasks
                self._unreadable = self._unreadable or done.result().reason
                unit.by_rows = False
                unit.attempts -= 1
                lane.waiting.appendleft(unit)
            elif error is None:
                self._settle(unit, system, _deliver(done.result(), unit.attempts, system))
            elif system is not None and lost:
                self.stats["lost"] += unit.size
                failed = AdapterError(
                    f"its Ray worker died on each of {unit.attempts} attempts: "
                    f"{type(error).__name__}: {error}",
                    attempts=unit.attempts,
                    transient=True,
                )
                self._settle(unit, system, [failed] * unit.size)
            else:
                if system is not None and self.gate is not None:
                    self.gate.settle(system, unit.requests, [])
                unit.future.set_exception(error)
            self._pump(lane, system)

    def _settle(self, unit: Unit, system: System | None, results: list[Any]) -> None:
        """Give the loop a unit's results, a batch's spending counted first."""
        if system is not None and self.gate is not None:
            self.gate.settle(system, unit.requests, results)
        unit.future.set_result(results)

    def stop_generating(self, complete: bool) -> None:
        """Drop batches not sent; the driver's own systems' threads stop as a local run's."""
        with self._lock:
            for lane in self._lanes.values():
                for unit in lane.waiting:
                    unit.future.cancel()
                lane.waiting.clear()
        self._local.stop_generating(complete)
        for lane in self._lanes.values():
            lane.reports = self._reports(lane) if complete else []
            for actor in lane.actors:
                self.ray.kill(actor)

    def _reports(self, lane: Lane) -> list[dict[str, Any]]:
        """What each of a lane's actors says of itself (an actor that died says nothing)."""
        found = []
        for actor in lane.actors:
            try:
                found.append(self.ray.get(actor.report.remote(), timeout=REPORT_SECONDS))
            except Exception as error:  # a dead actor, or one still busy: recorded as such
                found.append({"error": f"{type(error).__name__}"})
        return found

    def stop_scoring(self) -> None:
        """Drop scoring not sent and leave the cluster (stopping it when this run started it)."""
        with self._lock:
            for unit in self._scoring.waiting:
                unit.future.cancel()
            self._scoring.waiting.clear()
        if self._started:
            self.ray.shutdown()

    def describe(self) -> dict[str, Any]:
        """What run.json records of the cluster and of the units sent."""
        placed = {
            name: {"actors": len(lane.actors), **lane.resources, "workers": lane.reports}
            if lane.actors
            else {"tasks": True}
            for name, lane in self._lanes.items()
        }
        tasks: dict[str, Any] = {"sent": "contents"}
        if self._table is not None:
            tasks = {"read_by_workers": self._table.source, "fell_back": self._unreadable}
        return {"units": dict(self.stats), "systems": placed, "tasks": tasks}


def _deliver(results: Any, attempts: int, system: System | None) -> Any:
    """The loop's value of a unit: outcomes as they are; summaries with ``unit_attempts`` when
    a worker died before, failures as the exceptions a local run would record."""
    if system is None:
        return results
    delivered: list[Summary | Exception] = []
    for result in results:
        if isinstance(result, ray_workers.Failure):
            delivered.append(ray_workers.restored(result))
            continue
        if attempts > 1:
            result.meta["unit_attempts"] = attempts
        delivered.append(result)
    return delivered
