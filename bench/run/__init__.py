"""A run: plan (options -> :class:`Run`) -> generate -> score -> record, one module a stage.

:func:`plan_run` builds what ``sumbench run`` builds; :meth:`Run.execute` runs it into its
results folder, resuming what the folder already holds. Names are imported on first use
(PEP 562): ``from bench.run.errors import RunError`` need not load the adapters.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.run.errors import RunError
    from bench.run.loop import SCORING_QUEUE, WINDOW, Run, Terminated
    from bench.run.options import ReportOptions, RunOptions
    from bench.run.plan import AUTO_MIN_CORES, AUTO_PARALLEL_ITEMS, plan_run, score_workers
    from bench.run.record import Notes, Progress, Recorder, RunStats
    from bench.run.selection import table_options
    from bench.run.systems import (
        DEFAULT_SCORERS,
        DEFAULT_SYSTEMS,
        ScorerSetup,
        System,
        build_scorers,
        build_systems,
        parse_spec,
    )

_EXPORTS = {
    "bench.run.errors": ("RunError",),
    "bench.run.loop": ("SCORING_QUEUE", "WINDOW", "Run", "Terminated"),
    "bench.run.options": ("ReportOptions", "RunOptions"),
    "bench.run.plan": ("AUTO_MIN_CORES", "AUTO_PARALLEL_ITEMS", "plan_run", "score_workers"),
    "bench.run.record": ("Notes", "Progress", "Recorder", "RunStats"),
    "bench.run.selection": ("table_options",),
    "bench.run.systems": (
        "DEFAULT_SCORERS",
        "DEFAULT_SYSTEMS",
        "ScorerSetup",
        "System",
        "build_scorers",
        "build_systems",
        "parse_spec",
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str) -> Any:
    """Import a public name's module when the name is first used."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'bench.run' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULE_OF])


__all__ = [
    "AUTO_MIN_CORES",
    "AUTO_PARALLEL_ITEMS",
    "DEFAULT_SCORERS",
    "DEFAULT_SYSTEMS",
    "SCORING_QUEUE",
    "WINDOW",
    "Notes",
    "Progress",
    "Recorder",
    "ReportOptions",
    "Run",
    "RunError",
    "RunOptions",
    "RunStats",
    "ScorerSetup",
    "System",
    "Terminated",
    "build_scorers",
    "build_systems",
    "parse_spec",
    "plan_run",
    "score_workers",
    "table_options",
]
