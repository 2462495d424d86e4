"""Rebuild a run's tables and charts from its stored rows alone."""

from __future__ import annotations

from pathlib import Path

from bench.analysis import (
    Resampling,
    analyse,
    common_tasks,
    coverage,
    metric_catalog,
    select_metrics,
)
from bench.report.charts import write_charts
from bench.report.tables import write_tables
from bench.store import Store, StoreError


def build_report(
    store: Store,
    metrics: list[str] | None = None,
    charts: bool = True,
    resampling: Resampling | None = None,
    baseline_system: str | None = None,
    ci_style: str = "pm",
) -> str:
    """Write table.md/.tex/.csv (and charts/) into the run folder; return the Markdown table.

    Intervals come from ``resampling`` (default: 1,000 bootstrap resamples, seed 0) and marks
    from its paired test (default: the sign-flip test), analysed once for the tables and the
    charts; pass ``ci_style="none"`` to show means only. A run that did not complete, or whose
    systems were scored on different tasks, says so above the table, and each metric compares
    the systems over the tasks they all have.
    """
    info = store.run_info()
    shown = select_metrics(metric_catalog(store), metrics)
    bounds = {s["name"] for s in info.get("systems", []) if s.get("bound")}
    order = [s["name"] for s in info.get("systems", [])]
    all_scores = store.scores()
    notices = coverage(store, all_scores, bounds).notices()
    scores = common_tasks(all_scores, bounds)
    analysis = analyse(scores, shown, bounds, resampling or Resampling(), baseline_system)
    try:
        write_tables(
            scores,
            shown,
            bounds,
            info.get("signatures", {}),
            store.root,
            systems_order=order,
            analysis=analysis,
            ci_style=ci_style,
            notices=notices,
        )
    except ValueError as error:
        raise StoreError(str(error)) from error
    if charts:
        write_charts(
            scores,
            store.facts(),
            shown,
            Path(store.root) / "charts",
            systems_order=order,
            bounds=bounds,
            analysis=analysis,
        )
    return (Path(store.root) / "table.md").read_text(encoding="utf-8")
