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
from typing import Protocol

import numpy as np
import pandas as pd

from bench.scorers.base import Metric
from bench.signflip import EXACT_MAX_TASKS, smallest_p_value, subset_means
from bench.stats import (
    BOOTSTRAP,
    RANDOMIZATION,
    SIGN_FLIP,
    Interval,
    PairedTest,
    approximate_randomization,
    bootstrap_interval,
    bootstrap_intervals,
    bootstrap_means,
    paired_bootstrap,
    sign_flip_test,
)
from bench.stats import signature as stats_signature
from bench.store import Store, StoreError

METHODS = (SIGN_FLIP, BOOTSTRAP, RANDOMIZATION)
"""Paired tests, the default first: the sign-flip permutation test is exact at the small task
counts where a bootstrap's p-values are artifacts (5 tasks: the bootstrap reports p < 0.001
where no exact test can go below 0.0625)."""


class NullDraws(Protocol):
    """What a one-sided question of a paired difference needs: one-sided p-values and bounds."""

    def p_greater(self, delta: float) -> float:
        """p-value of "mean difference = δ" against "greater than δ"."""
        ...

    def p_less(self, delta: float) -> float:
        """p-value of "mean difference = δ" against "less than δ"."""
        ...

    def bounds(self, tail: float) -> tuple[float, float]:
        """Lower and upper confidence bounds, each one-sided at level ``1 - tail``."""
        ...


@dataclass(frozen=True)
class BootstrapDraws:
    """Sorted bootstrap means of a paired difference, read as a percentile interval's ends."""

    means: np.ndarray

    def p_greater(self, delta: float) -> float:
        """Share of resampled means at or below δ (+1 smoothing)."""
        count = int(np.searchsorted(self.means, delta, side="right"))
        return (count + 1) / (self.means.size + 1)

    def p_less(self, delta: float) -> float:
        """Share of resampled means at or above δ (+1 smoothing)."""
        count = self.means.size - int(np.searchsorted(self.means, delta, side="left"))
        return (count + 1) / (self.means.size + 1)

    def bounds(self, tail: float) -> tuple[float, float]:
        """The ``tail`` and ``1 - tail`` quantiles of the resampled means."""
        low, high = np.quantile(self.means, [tail, 1 - tail], method="linear")
        return float(low), float(high)


@dataclass(frozen=True)
class Resampling:
    """How intervals and tests are computed; recorded under every table."""

    resamples: int = 1000
    level: float = 0.95
    seed: int = 0
    method: str = SIGN_FLIP

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
        """Random sign assignments of approximate randomization and of the sign-flip test
        beyond 20 tasks: ten per bootstrap resample (p-values need more draws than an
        interval does)."""
        return self.resamples * 10

    def signature(self) -> str:
        """The resampling signature, e.g. ``ci:percentile|resamples:1000|...|test:sign-flip|
        exact-max-n:20|permutations:10000`` (``...|test:approximate-randomization|trials:...``)."""
        text = stats_signature(self.resamples, self.level, self.seed, self.method)
        if self.method == SIGN_FLIP:
            return f"{text}|exact-max-n:{EXACT_MAX_TASKS}|permutations:{self.trials}"
        return f"{text}|trials:{self.trials}" if self.method == RANDOMIZATION else text

    def test(self, a: np.ndarray, b: np.ndarray) -> PairedTest:
        """The configured paired test of ``a - b``."""
        if self.method == SIGN_FLIP:
            return sign_flip_test(a, b, permutations=self.trials, seed=self.seed, level=self.level)
        if self.method == RANDOMIZATION:
            return approximate_randomization(
                a, b, trials=self.trials, seed=self.seed, level=self.level
            )
        return paired_bootstrap(a, b, resamples=self.resamples, level=self.level, seed=self.seed)

    def null_draws(self, a: np.ndarray, b: np.ndarray) -> NullDraws:
        """One-sided p-values and bounds of the mean of ``a - b``: the sign-flip test's subset
        means, or (bootstrap and approximate randomization) the bootstrap means."""
        diff = np.asarray(a, float) - np.asarray(b, float)
        if self.method == SIGN_FLIP:
            return subset_means(diff, self.trials, self.seed)
        return BootstrapDraws(bootstrap_means(diff, resamples=self.resamples, seed=self.seed))

    def describe(self, tests: Iterable[PairedTest]) -> str:
        """The test that ran, in words, e.g. "exact paired sign-flip test, all 2^5 = 32 sign
        assignments"."""
        ran = [t for t in tests if t.reason is None]
        sizes = sorted({t.n for t in ran})
        if self.method == BOOTSTRAP:
            return f"paired bootstrap, {self.resamples} resamples"
        name = "paired sign-flip test" if self.method == SIGN_FLIP else "approximate randomization"
        if ran and all(t.exact for t in ran):
            if len(sizes) == 1:
                return f"exact {name}, all 2^{sizes[0]} = {2 ** sizes[0]} sign assignments"
            return f"exact {name}, all 2^n sign assignments"
        limit = EXACT_MAX_TASKS if self.method == SIGN_FLIP else self.trials.bit_length() - 1
        return f"{name}, exact up to {limit} tasks, else {self.trials} random sign assignments"

    def too_few(self, tests: Iterable[PairedTest]) -> str | None:
        """A warning when the tests were exact and too few tasks for any to reach ``alpha``
        (with ``n`` tasks no p-value is below ``2 / 2**n``); ``None`` otherwise."""
        ran = [t for t in tests if t.reason is None]
        if not ran or not all(t.exact for t in ran):
            return None
        n = max(t.n for t in ran)
        if smallest_p_value(n) < self.alpha:
            return None
        needed = next(k for k in range(n, 64) if smallest_p_value(k) < self.alpha)
        return (
            f"with {n} tasks no difference can reach p < {self.alpha:.2g} under the exact test "
            f"(its smallest p-value is 2/2^{n} = {smallest_p_value(n):.3g}): no system is marked "
            f"significantly worse or different; at least {needed} tasks are needed."
        )


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

    def tests(self) -> list[PairedTest]:
        """Every paired test the marks ran, over all metrics."""
        return [test for marks in self.marks.values() for test in marks.tests.values()]


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


@dataclass(frozen=True)
class Coverage:
    """How complete a run's data is: its status and how many tasks each system has scores for.

    Tables, comparisons and checks say so above themselves when a run did not complete or its
    systems were scored on different tasks (failures, an interrupted run)."""

    status: str | None
    """``run.json``'s status: complete, running (or killed), interrupted."""
    listed: int
    """Tasks the run read (``tasks.jsonl``)."""
    per_system: dict[str, int]
    """System -> tasks with at least one score, for the systems that are not bounds."""

    def notices(self, name: str = "the run") -> list[str]:
        """Plain-text lines for above a table; none when the data is complete."""
        lines = []
        if self.status not in (None, "complete"):
            state = "still running, or was killed" if self.status == "running" else self.status
            lines.append(
                f"Incomplete: {name} is {state} (run.json status {self.status!r}); the numbers "
                "hold only what was computed before it stopped."
            )
        counts = set(self.per_system.values())
        if len(counts) > 1 or (counts and max(counts) < self.listed):
            each = ", ".join(f"{s} {n}" for s, n in self.per_system.items())
            lines.append(
                f"Incomplete: systems were scored on different tasks ({each}; of "
                f"{self.listed} tasks in {name}). Each metric compares systems over the tasks "
                "every system with scores for it has (the n column)."
            )
        return lines


def coverage(store: Store, scores: pd.DataFrame, bounds: Iterable[str]) -> Coverage:
    """The :class:`Coverage` of a stored run, from run.json, tasks.jsonl and ``scores``."""
    info = store.run_info()
    bound_set = set(bounds)
    named = [s["name"] for s in info.get("systems", []) if not s.get("bound")]
    scored = scores.dropna(subset=["value"]).groupby("system")["task_id"].nunique()
    systems = list(dict.fromkeys([*named, *(s for s in scored.index if s not in bound_set)]))
    listed = len(store.listed_tasks()) or int(scores["task_id"].nunique())
    per_system = {str(s): int(scored.get(s, 0)) for s in systems if s not in bound_set}
    return Coverage(info.get("status"), listed, per_system)


def common_tasks(scores: pd.DataFrame, bounds: Iterable[str]) -> pd.DataFrame:
    """``scores`` with each metric's rows kept only on the tasks every system (bounds aside)
    with values for that metric has: systems are compared over the same tasks."""
    bound_set = set(bounds)
    rows = scores.dropna(subset=["value"])
    keep = []
    for _, group in rows.groupby("metric", sort=False):
        contenders = group[~group["system"].isin(bound_set)]
        if contenders.empty:
            keep.append(group)
            continue
        per_system = contenders.groupby("system")["task_id"].apply(frozenset)
        shared = frozenset.intersection(*per_system.tolist())
        keep.append(group[group["task_id"].isin(shared)])
    if not keep:
        return rows
    return pd.concat(keep).sort_index()
