"""Rebuild a run's tables and charts from its stored rows alone."""

from __future__ import annotations

from pathlib import Path

from bench.report.charts import write_charts
from bench.report.significance import Resampling
from bench.report.tables import write_tables
from bench.scorers.base import Metric
from bench.store import Store, StoreError


def metric_catalog(store: Store) -> list[Metric]:
    """Every metric the run's scorers declared, in scorer then display order."""
    return [Metric(**m) for s in store.run_info().get("scorers", []) for m in s.get("metrics", [])]


def select_metrics(catalog: list[Metric], names: list[str] | None) -> list[Metric]:
    """The default columns, or the named ones (unknown names are an error listing known ones)."""
    if not names:
        return [m for m in catalog if m.shown]
    by_name = {m.name: m for m in catalog}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise StoreError(f"unknown metric(s) {unknown}; this run has: {', '.join(by_name)}")
    return [by_name[n] for n in names]


def build_report(
    store: Store,
    metrics: list[str] | None = None,
    charts: bool = True,
    resampling: Resampling | None = None,
    baseline_system: str | None = None,
    ci_style: str = "pm",
) -> str:
    """Write table.md/.tex/.csv (and charts/) into the run folder; return the Markdown table.

    Intervals and significance marks come from ``resampling`` (default: 1,000 paired bootstrap
    resamples, seed 0); pass ``ci_style="none"`` to show means only.
    """
    info = store.run_info()
    shown = select_metrics(metric_catalog(store), metrics)
    bounds = {s["name"] for s in info.get("systems", []) if s.get("bound")}
    order = [s["name"] for s in info.get("systems", [])]
    scores = store.scores()
    resampling = resampling or Resampling()
    try:
        write_tables(
            scores,
            shown,
            bounds,
            info.get("signatures", {}),
            store.root,
            systems_order=order,
            resampling=resampling,
            baseline_system=baseline_system,
            ci_style=ci_style,
        )
    except ValueError as error:
        raise StoreError(str(error)) from error
    if charts:
        write_charts(scores, store.facts(), shown, Path(store.root) / "charts",
                     systems_order=order, bounds=bounds, resampling=resampling)
    return (Path(store.root) / "table.md").read_text(encoding="utf-8")
