"""Implementations of :class:`bench.run.executor.Executor`: :mod:`~bench.run.executors.local`
runs on this machine's threads and processes, :mod:`~bench.run.executors.ray` on a Ray cluster
(the ``[ray]`` extra, imported only when chosen)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bench.run.errors import RunError
from bench.run.executors.local import LocalExecutor
from bench.run.systems import ScorerSetup, System

if TYPE_CHECKING:
    from bench.run.executor import Executor, Gate
    from bench.run.selection import SharedTable

EXECUTORS = ("local", "ray")


def parse_executor(spec: str) -> tuple[str, str | None]:
    """``local``, ``ray`` or ``ray:ADDRESS`` (``ray:auto``, ``ray:HOST:PORT``,
    ``ray:ray://HOST:10001``) as (name, address)."""
    name, _, address = spec.strip().partition(":")
    if name not in EXECUTORS or (name == "local" and address):
        raise RunError(
            f"unknown executor {spec!r}; expected local, ray or ray:ADDRESS "
            "(ray:auto, ray:HOST:PORT, ray:ray://HOST:10001)"
        )
    return name, address or None


def make_executor(
    spec: str,
    systems: Sequence[System],
    setups: Sequence[ScorerSetup],
    score_workers: int,
    gate: Gate | None = None,
    score_deadline: float | None = None,
    table: SharedTable | None = None,
) -> Executor:
    """The executor ``spec`` names, for these systems and scorers."""
    name, address = parse_executor(spec)
    if name == "ray":
        from bench.run.executors.ray import RayExecutor

        return RayExecutor(
            systems, setups, address, gate, score_deadline=score_deadline, table=table
        )
    return LocalExecutor(systems, setups, score_workers, score_deadline, gate)
