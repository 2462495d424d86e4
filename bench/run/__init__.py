"""A run: plan (options -> :class:`Run`) -> generate -> score -> record, one module a stage.

:func:`plan_run` builds what ``sumbench run`` builds; :meth:`Run.execute` runs it into its
results folder, resuming what the folder already holds. Names are imported on first use
(PEP 562): ``from bench.run.errors import RunError`` need not load the adapters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench._lazy import lazy_exports

if TYPE_CHECKING:
    from bench.run.errors import RunError
    from bench.run.loop import SCORING_QUEUE, WINDOW, Run, Terminated
    from bench.run.options import ReportOptions, RunOptions
    from bench.run.plan import (
        AUTO_FEW_CORES_ITEMS,
        AUTO_PARALLEL_ITEMS,
        AUTO_SPARE_CORE_FROM,
        plan_run,
        score_workers,
    )
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
    "bench.run.plan": (
        "AUTO_FEW_CORES_ITEMS",
        "AUTO_PARALLEL_ITEMS",
        "AUTO_SPARE_CORE_FROM",
        "plan_run",
        "score_workers",
    ),
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
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


__all__ = [
    "AUTO_FEW_CORES_ITEMS",
    "AUTO_PARALLEL_ITEMS",
    "AUTO_SPARE_CORE_FROM",
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
