"""``sumbench systems list`` and ``sumbench scorers list``: what the registries hold."""

from __future__ import annotations

import inspect
import re
from typing import Any

import typer

from bench.adapters import adapters
from bench.registry import Registry
from bench.scorers import scorers

ABBREVIATIONS = ("e.g.", "i.e.", "cf.", "vs.", "etc.")
"""Words whose full stop does not end a sentence."""


def describe(factory: Any) -> str:
    """The first sentence of a docstring's first paragraph, whole: lines are joined, and a full
    stop inside code (````x.y````), brackets or an abbreviation does not end it. A paragraph
    without a sentence end is taken whole."""
    doc = inspect.getdoc(factory) or ""
    paragraph = " ".join(re.split(r"\n\s*\n", doc.strip(), maxsplit=1)[0].split())
    masked = re.sub(r"``.*?``|`[^`]*`", lambda m: "x" * len(m.group()), paragraph)
    depth = 0
    for at, char in enumerate(masked):
        depth += (char in "([{") - (char in ")]}")
        if char not in ".!?" or depth > 0 or masked[at + 1 : at + 2] not in ("", " "):
            continue
        if masked[: at + 1].rsplit(" ", 1)[-1].lower() not in ABBREVIATIONS:
            return paragraph[: at + 1]
    return paragraph


def _list_registry(registry: Registry[Any]) -> None:
    for entry in registry.entries():
        params = ", ".join(f"{k}={v}" for k, v in entry.parameters().items()) or "-"
        typer.echo(f"{entry.name}\t{entry.origin}\t{params}\t{describe(entry.factory)}")
    for name, reason in registry.broken().items():
        typer.echo(f"{name}\tbroken\t-\t{reason}")


def systems_list() -> None:
    """Every available adapter: name, origin, parameters, description."""
    _list_registry(adapters)


def scorers_list() -> None:
    """Every available scorer: name, origin, parameters, description."""
    _list_registry(scorers)
