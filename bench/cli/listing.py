"""``sumbench systems list`` and ``sumbench scorers list``: what the registries hold."""

from __future__ import annotations

from typing import Any

import typer

from bench.adapters import adapters
from bench.registry import Registry
from bench.scorers import scorers


def _list_registry(registry: Registry[Any]) -> None:
    for entry in registry.entries():
        params = ", ".join(f"{k}={v}" for k, v in entry.parameters().items()) or "-"
        typer.echo(f"{entry.name}\t{entry.origin}\t{params}\t{entry.summary()}")
    for name, reason in registry.broken().items():
        typer.echo(f"{name}\tbroken\t-\t{reason}")


def systems_list() -> None:
    """Every available adapter: name, origin, parameters, description."""
    _list_registry(adapters)


def scorers_list() -> None:
    """Every available scorer: name, origin, parameters, description."""
    _list_registry(scorers)
