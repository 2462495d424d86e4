"""Analysis of stored per-task values: what the tables, charts, comparisons and checks share.

The run's metric catalog and the selection of metrics to show; per-task values of a metric;
the resampling settings; and for each metric a percentile bootstrap interval per system (the
same resampled tasks for every system that has the same tasks), the *tie group* (the best
system and every system not significantly worse than it, in bold), and the systems
significantly different from a chosen baseline system (marked with a dagger). Tests are paired
over the tasks both systems have.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bench.scorers.base import Metric
from bench.stats import (
    Interval,
    PairedTest,
    approximate_randomization,
    bootstrap_interval,
    bootstrap_intervals,
    paired_bootstrap,
)
from bench.stats import signature as stats_signature
from bench.store import Store, StoreError

METHODS = ("paired-bootstrap", "approximate-randomization")


@dataclass(frozen=True)
class Resampling:
    """How intervals and tests are computed; recorded under every table."""

    resamples: int = 1000
    level: float = 0.95
    seed: int = 0
    method: str = "paired-bootstrap"

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown test {self.method!r}; choose one of {', '.join(METHODS)}")
        if not 0 < self.level < 1:
            raise ValueError(f"confidence level must be between 0 and 1, got {self.level}")
        if self.resamples < 1:
            raise ValueError(f"resamples must be at least 1, got {self.resamples}")

    @property
    def alpha(self) -> float:
        """Significance threshold matching the interval level (rounded: 1 - 0.95 != 0.05)."""
        return round(1 - self.level, 12)

    @property
    def trials(self) -> int:
        """Shuffles of approximate randomization: ten per bootstrap resample (its p-values need
        more draws than an interval does)."""
        return self.resamples * 10

    def signature(self) -> str:
        """The resampling signature, e.g. ``ci:percentile|resamples:1000|...|test:...``
        (``...|test:approximate-randomization|trials:10000``)."""
        text = stats_signature(self.resamples, self.level, self.seed, self.method)
        return f"{text}|trials:{self.trials}" if self.method == METHODS[1] else text

    def test(self, a: np.ndarray, b: np.ndarray) -> PairedTest:
        """The configured paired test of ``a - b``."""
        if self.method == "approximate-randomization":
            return approximate_randomization(
                a, b, trials=self.trials, seed=self.seed, level=self.level
            )
        return paired_bootstrap(a, b, resamples=self.resamples, level=self.level, seed=self.seed)


@dataclass
class MetricMarks:
    """Intervals and marks of one metric."""

    intervals: dict[str, Interval] = field(default_factory=dict)
    tie_group: set[str] = field(default_factory=set)
    """The best system and those not significantly worse than it (bold)."""
    different_from_baseline: set[str] = field(default_factory=set)
    """Systems significantly different from the baseline system (dagger)."""
    tests: dict[tuple[str, str], PairedTest] = field(default_factory=dict)


@dataclass(frozen=True)
class Analysis:
    """Intervals and marks of every analysed metric with the settings that made them: computed
    once per report, read by both its tables and its charts."""

    resampling: Resampling
    marks: dict[str, MetricMarks]
    """Metric name -> its marks; a metric without rows has none."""
    baseline_system: str | None = None


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


def per_task(scores: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Systems x tasks values of one metric (NaN where a system has no value)."""
    rows = scores[scores["metric"] == metric].dropna(subset=["value"])
    return rows.pivot_table(index="system", columns="task_id", values="value", aggfunc="mean")


def paired(matrix: pd.DataFrame, a: str, b: str) -> tuple[np.ndarray, np.ndarray]:
    """Values of ``a`` and ``b`` on the tasks both have."""
    both = matrix.loc[[a, b]].dropna(axis=1)
    return both.loc[a].to_numpy(float), both.loc[b].to_numpy(float)


def analyse(
    scores: pd.DataFrame,
    metrics: Sequence[Metric],
    bounds: Iterable[str],
    resampling: Resampling,
    baseline_system: str | None = None,
) -> Analysis:
    """Intervals, tie groups and baseline marks for each metric with rows."""
    bound_set = set(bounds)
    marks: dict[str, MetricMarks] = {}
    for metric in metrics:
        matrix = per_task(scores, metric.name)
        if not matrix.empty:
            marks[metric.name] = mark_metric(matrix, metric, bound_set, resampling, baseline_system)
    return Analysis(resampling, marks, baseline_system)


def mark_metric(
    matrix: pd.DataFrame,
    metric: Metric,
    bounds: set[str],
    resampling: Resampling,
    baseline_system: str | None = None,
) -> MetricMarks:
    """Intervals of one metric's systems x tasks ``matrix``; for a metric with a direction, also
    its tie group and the systems significantly different from ``baseline_system``."""
    result = MetricMarks(intervals=_intervals(matrix, resampling))
    if metric.higher_is_better is None:
        return result
    # Best only among systems scored on every task: a mean over fewer tasks is not
    # comparable (the rest still get intervals and baseline marks).
    complete = [s for s in matrix.index if s not in bounds and matrix.loc[s].notna().all()]
    contenders = complete or [s for s in matrix.index if s not in bounds]
    result.tie_group = _tie_group(matrix, contenders, metric, resampling, result.tests)
    if baseline_system is not None and baseline_system in matrix.index:
        for system in matrix.index:
            if system == baseline_system:
                continue
            test = _test(matrix, system, baseline_system, resampling, result.tests)
            if test.p_value < resampling.alpha:
                result.different_from_baseline.add(str(system))
    return result


def _intervals(matrix: pd.DataFrame, resampling: Resampling) -> dict[str, Interval]:
    complete = matrix.dropna(axis=1)
    full = [s for s in matrix.index if matrix.loc[s].notna().sum() == complete.shape[1]]
    found: dict[str, Interval] = {}
    if full and complete.shape[1]:
        values = complete.loc[full].to_numpy(float)
        for system, interval in zip(
            full,
            bootstrap_intervals(
                values, resamples=resampling.resamples, level=resampling.level, seed=resampling.seed
            ),
            strict=True,
        ):
            found[str(system)] = interval
    for system in matrix.index:
        if str(system) not in found:
            row = matrix.loc[system].dropna().to_numpy(float)
            found[str(system)] = bootstrap_interval(
                row, resamples=resampling.resamples, level=resampling.level, seed=resampling.seed
            )
    return found


def _test(
    matrix: pd.DataFrame,
    a: str,
    b: str,
    resampling: Resampling,
    cache: dict[tuple[str, str], PairedTest],
) -> PairedTest:
    if (a, b) not in cache:
        cache[(a, b)] = resampling.test(*paired(matrix, a, b))
    return cache[(a, b)]


def _tie_group(
    matrix: pd.DataFrame,
    contenders: list[str],
    metric: Metric,
    resampling: Resampling,
    cache: dict[tuple[str, str], PairedTest],
) -> set[str]:
    means = matrix.loc[contenders].mean(axis=1).dropna()
    if means.empty:
        return set()
    best = str(means.idxmax() if metric.higher_is_better else means.idxmin())
    group = {best}
    for system in means.index:
        if system == best:
            continue
        test = _test(matrix, str(system), best, resampling, cache)
        if test.n >= 2 and not test.p_value < resampling.alpha:
            group.add(str(system))
    return group
