"""Bootstrap confidence intervals and paired significance tests over stored per-task scores.

The unit of resampling is the task: every function takes one stored value per task (and system)
and never re-scores. All randomness comes from ``numpy.random.default_rng(seed)``.

- Percentile bootstrap: ``integers(0, n, size=(resamples, n))`` resampled task indices (the draws
  ``scipy.stats.bootstrap`` makes from the same generator), the mean of each resample, and the
  interval between the ``(1 - level) / 2`` and ``1 - (1 - level) / 2`` quantiles of those means by
  ``numpy.quantile(method="linear")`` (Hyndman & Fan type 7, as ``scipy.stats.bootstrap(method=
  "percentile")`` computes them). Means come from resample counts, ``counts @ values / n``.
- Paired: every system, and every difference of two systems, uses the same resampled tasks.
- Fewer than 2 tasks give no interval (``nan`` bounds and a ``reason``), never a zero-width one.
- The sign-flip permutation test (exact up to 20 tasks) is in :mod:`bench.signflip`.

Correlations of a metric with human scores are in :mod:`bench.correlation` (imported here too).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bench.correlation import CORRELATIONS as CORRELATIONS
from bench.correlation import LEVELS as LEVELS
from bench.correlation import Correlation as Correlation
from bench.correlation import balanced_accuracy as balanced_accuracy
from bench.correlation import cluster_resamples as cluster_resamples
from bench.correlation import correlate as correlate
from bench.correlation import correlation as correlation
from bench.correlation import partial_correlation as partial_correlation
from bench.correlation import percentile_interval as percentile_interval
from bench.signature import Signature
from bench.signflip import (
    EXACT_MAX_TASKS,
    exact_p_values,
    monte_carlo_p_values,
    monte_carlo_test,
    subset_means,
)
from bench.signflip import TIE_RTOL as _TIE_RTOL

FloatArray = npt.NDArray[np.float64]

SIGN_FLIP = "sign-flip"
EXACT_SIGN_FLIP = "exact-sign-flip"
BOOTSTRAP = "paired-bootstrap"
RANDOMIZATION = "approximate-randomization"
EXACT_RANDOMIZATION = "exact-randomization"
TESTS = (SIGN_FLIP, BOOTSTRAP, RANDOMIZATION)
"""The tests :func:`significance_matrix` runs; ``exact-sign-flip`` and ``exact-randomization``
are what the sign-flip test and AR report when they enumerated every sign assignment."""
FEWER_THAN_TWO = "fewer than 2 tasks"
"""The ``reason`` given when there is no interval or test."""

_DEFAULT_DRAWS = {SIGN_FLIP: 10000, BOOTSTRAP: 1000, RANDOMIZATION: 10000}
_BLOCK_CELLS = 1 << 20
"""Resampled (draw, task) cells held in memory at once; the draws do not depend on it."""


@dataclass(frozen=True)
class Interval:
    """A mean with a percentile bootstrap confidence interval."""

    mean: float
    low: float
    """Lower bound; ``nan`` when no interval can be given (see ``reason``)."""
    high: float
    level: float
    n: int
    """Number of tasks."""
    resamples: int
    seed: int
    reason: str | None = None
    """Why there is no interval, e.g. ``"fewer than 2 tasks"``."""


@dataclass(frozen=True)
class PairedTest:
    """Paired comparison of two systems over the same tasks (a - b)."""

    delta: float
    """``mean(a) - mean(b)``, computed as the mean of the per-task differences."""
    low: float
    """Interval of the mean difference at the level asked for: for the sign-flip test the
    differences it does not reject (infinite when too few tasks can bound it), else the
    percentile bootstrap interval; ``nan`` with fewer than 2 tasks."""
    high: float
    p_value: float
    """Two-sided; ``nan`` with fewer than 2 tasks."""
    method: str
    """``sign-flip``, ``paired-bootstrap``, ``approximate-randomization``, or
    ``exact-sign-flip`` / ``exact-randomization`` when all ``2**n`` sign assignments were
    enumerated."""
    n: int
    resamples: int
    """Bootstrap resamples, random sign assignments, or ``2**n`` when enumerated exactly."""

    @property
    def exact(self) -> bool:
        """True when every sign assignment was enumerated."""
        return self.method in (EXACT_SIGN_FLIP, EXACT_RANDOMIZATION)

    seed: int
    reason: str | None = None
    """Why there is no test, e.g. ``"fewer than 2 tasks"``."""


def signature(resamples: int, level: float, seed: int, method: str | None = None) -> str:
    """A string that travels with every interval or p-value, e.g.
    ``ci:percentile|resamples:1000|level:0.95|seed:0|unit:task|test:paired-bootstrap``."""
    fields = [("resamples", str(resamples)), ("level", f"{level:g}"), ("seed", str(seed))]
    fields.append(("unit", "task"))
    if method is not None:
        fields.append(("test", method))
    return Signature("ci", "percentile", tuple(fields)).format()


def bootstrap_interval(
    values: npt.ArrayLike, *, resamples: int = 1000, level: float = 0.95, seed: int = 0
) -> Interval:
    """The mean of per-task ``values`` with its percentile bootstrap interval."""
    return bootstrap_intervals(
        _vector(values, "values")[np.newaxis], resamples=resamples, level=level, seed=seed
    )[0]


def bootstrap_intervals(
    matrix: npt.ArrayLike, *, resamples: int = 1000, level: float = 0.95, seed: int = 0
) -> list[Interval]:
    """Percentile bootstrap intervals for each row of a systems x tasks matrix, every row
    resampled with the same task indices so that intervals of systems are comparable."""
    rows = _matrix(matrix, "matrix")
    _check_settings(resamples, seed, level=level)
    count, n = rows.shape
    means = _clipped(rows.mean(axis=1), rows)
    if n < 2:
        nan = math.nan
        return [
            Interval(float(m), nan, nan, level, n, resamples, seed, FEWER_THAN_TWO) for m in means
        ]
    if count == 0:
        return []
    low, high = _percentiles(_resampled_means(rows, resamples, seed), level)
    return [
        Interval(float(m), float(lo), float(hi), level, n, resamples, seed)
        for m, lo, hi in zip(means, low, high, strict=True)
    ]


def paired_bootstrap(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    *,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> PairedTest:
    """Paired bootstrap test of ``a - b`` over tasks (Koehn 2004): interval of the mean
    difference and a two-sided p-value from the resampled differences.

    ``p = (#{r : |D*_r - mean(D*)| >= |delta|} + 1) / (resamples + 1)``: the resampled mean
    differences ``D*`` are centred on their mean to stand for the null of no difference.
    """
    diff = _differences(a, b)
    _check_settings(resamples, seed, level=level)
    delta = _mean_difference(diff)
    if diff.size < 2:
        return _no_test(delta, BOOTSTRAP, diff.size, resamples, seed)
    draws = _resampled_means(diff[np.newaxis], resamples, seed)
    low, high = _percentiles(draws, level)
    p_value = _bootstrap_p_values(diff[np.newaxis], draws)[0]
    return PairedTest(
        delta, float(low[0]), float(high[0]), float(p_value), BOOTSTRAP, diff.size, resamples, seed
    )


def sign_flip_test(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    *,
    permutations: int = 10000,
    seed: int = 0,
    level: float = 0.95,
) -> PairedTest:
    """Paired sign-flip permutation test of ``a - b`` over tasks (Fisher 1935; see
    :mod:`bench.signflip`): exact over all ``2**n`` sign assignments up to 20 tasks (method
    ``exact-sign-flip``; no p-value below ``2 / 2**n``), else ``permutations`` random ones
    (method ``sign-flip``). The interval holds the mean differences the test does not reject at
    ``level`` (equal tails); it is infinite when the tasks are too few to bound it."""
    diff = _differences(a, b)
    _check_settings(permutations, seed, level=level, name="permutations")
    delta = _mean_difference(diff)
    if diff.size < 2:
        return _no_test(delta, SIGN_FLIP, diff.size, permutations, seed)
    exact = diff.size <= EXACT_MAX_TASKS
    if exact:
        p_value, means = exact_p_values(diff[np.newaxis])[0], subset_means(diff, permutations, seed)
    else:
        p_value, means = monte_carlo_test(diff, permutations, seed)
    low, high = means.bounds((1 - level) / 2)
    return PairedTest(
        delta,
        low,
        high,
        float(p_value),
        EXACT_SIGN_FLIP if exact else SIGN_FLIP,
        diff.size,
        1 << diff.size if exact else permutations,
        seed,
    )


def approximate_randomization(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    *,
    trials: int = 10000,
    seed: int = 0,
    level: float = 0.95,
    ci_resamples: int = 1000,
) -> PairedTest:
    """Paired approximate randomization test of ``a - b`` (Riezler & Maxwell 2005): each trial
    swaps the two systems' values on a random subset of tasks (flips the sign of those
    differences); ``p = (#{|trial statistic| >= |observed|} + 1) / (trials + 1)``.

    When ``2**n <= trials`` all ``2**n`` sign assignments are enumerated instead and
    ``p = #{|statistic| >= |observed|} / 2**n`` exactly (method ``exact-randomization``). The
    interval is the paired bootstrap one with ``ci_resamples`` resamples and the same seed.
    """
    diff = _differences(a, b)
    _check_settings(trials, seed, level=level, name="trials")
    _check_settings(ci_resamples, seed, name="ci_resamples")
    delta = _mean_difference(diff)
    if diff.size < 2:
        return _no_test(delta, RANDOMIZATION, diff.size, trials, seed)
    p_values, assignments, exact = _randomization_p_values(diff[np.newaxis], trials, seed)
    low, high = _percentiles(_resampled_means(diff[np.newaxis], ci_resamples, seed), level)
    method = EXACT_RANDOMIZATION if exact else RANDOMIZATION
    return PairedTest(
        delta,
        float(low[0]),
        float(high[0]),
        float(p_values[0]),
        method,
        diff.size,
        assignments,
        seed,
    )


def significance_matrix(
    matrix: npt.ArrayLike,
    *,
    method: str = SIGN_FLIP,
    resamples: int | None = None,
    seed: int = 0,
) -> FloatArray:
    """Two-sided p-values of every pair of rows (systems x tasks), symmetric with ``nan`` on the
    diagonal and everywhere with fewer than 2 tasks. ``resamples`` defaults to 10,000 random
    sign assignments (sign-flip beyond 20 tasks; exact up to 20), 1,000 bootstrap resamples or
    10,000 randomization trials; each pair's p-value is the one :func:`sign_flip_test`,
    :func:`paired_bootstrap` or :func:`approximate_randomization` gives with the same seed."""
    rows = _matrix(matrix, "matrix")
    if method not in TESTS:
        raise ValueError(f"unknown test {method!r}; choose one of {', '.join(TESTS)}")
    draws = _DEFAULT_DRAWS[method] if resamples is None else resamples
    _check_settings(draws, seed)
    count, n = rows.shape
    p_values = np.full((count, count), math.nan)
    first, second = np.triu_indices(count, k=1)
    if n < 2 or first.size == 0:
        return p_values
    diffs = rows[first] - rows[second]
    if method == BOOTSTRAP:
        pairs = _bootstrap_p_values(diffs, _resampled_means(diffs, draws, seed))
    elif method == SIGN_FLIP:
        exact = n <= EXACT_MAX_TASKS
        pairs = exact_p_values(diffs) if exact else monte_carlo_p_values(diffs, draws, seed)
    else:
        pairs = _randomization_p_values(diffs, draws, seed)[0]
    p_values[first, second] = pairs
    p_values[second, first] = pairs
    return p_values


def bootstrap_means(diff: npt.ArrayLike, *, resamples: int = 1000, seed: int = 0) -> FloatArray:
    """The means of ``resamples`` bootstrap resamples of per-task ``diff`` (the draws
    :func:`paired_bootstrap` makes with the same seed), sorted."""
    values = _vector(diff, "diff")
    _check_settings(resamples, seed)
    return np.sort(_resampled_means(values[np.newaxis], resamples, seed)[0])


def _resampled_means(rows: FloatArray, resamples: int, seed: int) -> FloatArray:
    """Mean of each row over the same bootstrap resamples of the columns: (rows, resamples).

    Indices are drawn in blocks of whole resamples; numpy's generator keeps its stream across
    calls, so the blocks equal one ``integers(0, n, size=(resamples, n))`` draw.
    """
    n = rows.shape[1]
    rng = np.random.default_rng(seed)
    step = max(1, min(resamples, _BLOCK_CELLS // n))
    counts = np.empty((step, n))
    offsets = np.arange(0, step * n, n)[:, np.newaxis]
    sums = np.empty((rows.shape[0], resamples))
    for start in range(0, resamples, step):
        size = min(step, resamples - start)
        index = rng.integers(0, n, size=(size, n))
        index += offsets[:size]
        np.copyto(counts[:size], np.bincount(index.ravel(), minlength=size * n).reshape(size, n))
        sums[:, start : start + size] = (counts[:size] @ rows.T).T
    return _clipped(sums / n, rows)


def _bootstrap_p_values(diffs: FloatArray, draws: FloatArray) -> FloatArray:
    """Two-sided paired bootstrap p-value of each row of ``diffs`` from its resampled means."""
    # Follows sacrebleu >= 2.0 (significance.py: _paired_bs_test, _compute_p_value): resampled
    # differences centred on their mean, compared with the observed difference, +1 smoothing.
    # sacrebleu centres |D*| and counts a strict ">"; we centre the signed D* and count
    # |D* - mean| >= |delta|, so a == b gives p = 1 and the test is two-sided by construction.
    observed = np.abs(_clipped(diffs.mean(axis=1), diffs))
    tolerance = _TIE_RTOL * np.abs(diffs).mean(axis=1)
    centred = np.abs(draws - draws.mean(axis=1, keepdims=True))
    hits = np.count_nonzero(centred >= (observed - tolerance)[:, np.newaxis], axis=1)
    result: FloatArray = (hits + 1) / (draws.shape[1] + 1)
    return result


def _randomization_p_values(
    diffs: FloatArray, trials: int, seed: int
) -> tuple[FloatArray, int, bool]:
    """Approximate randomization's p-value of each row of ``diffs``, the number of sign
    assignments used, and whether they were all ``2**n`` of them (when ``2**n <= trials``)."""
    n = diffs.shape[1]
    if n < operator.index(trials).bit_length():  # 2**n <= trials
        return exact_p_values(diffs), 1 << n, True
    return monte_carlo_p_values(diffs, trials, seed), trials, False


def _percentiles(draws: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    alpha = (1 - level) / 2
    low, high = np.quantile(draws, [alpha, 1 - alpha], axis=1, method="linear")
    return low, high


def _clipped(means: FloatArray, rows: FloatArray) -> FloatArray:
    """Means held within their row's range: only float round-off ever lies beyond it."""
    low, high = rows.min(axis=1), rows.max(axis=1)
    if means.ndim == 2:
        low, high = low[:, np.newaxis], high[:, np.newaxis]
    result: FloatArray = np.clip(means, low, high)
    return result


def _mean_difference(diff: FloatArray) -> float:
    return float(_clipped(diff.mean(keepdims=True), diff[np.newaxis])[0])


def _no_test(delta: float, method: str, n: int, resamples: int, seed: int) -> PairedTest:
    nan = math.nan
    return PairedTest(delta, nan, nan, nan, method, n, resamples, seed, FEWER_THAN_TWO)


def _differences(a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    first, second = _vector(a, "a"), _vector(b, "b")
    if first.size != second.size:
        raise ValueError(
            f"a and b must score the same tasks: got {first.size} and {second.size} values"
        )
    result: FloatArray = first - second
    return result


def _vector(values: npt.ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must hold one value per task (1-D), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty: need at least one task")
    _check_finite(array, name)
    return array


def _matrix(values: npt.ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"{name} must be systems x tasks (2-D), got shape {array.shape}")
    if array.shape[1] == 0:
        raise ValueError(f"{name} has no tasks: need at least one column")
    _check_finite(array, name)
    return array


def _check_finite(array: FloatArray, name: str) -> None:
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        where = tuple(int(i) for i in bad[0])
        kind = "NaN" if np.isnan(array[where]) else "an infinite value"
        place = f"task {where[0]}" if len(where) == 1 else f"row {where[0]}, task {where[1]}"
        raise ValueError(
            f"{name} contains {kind} ({len(bad)} in all, first at {place}): resampling needs "
            "a score for every task, so drop or fill missing ones first"
        )


def _check_settings(draws: int, seed: int, *, level: float = 0.95, name: str = "resamples") -> None:
    if operator.index(draws) < 1:
        raise ValueError(f"{name} must be at least 1, got {draws}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), got {level}")
    if operator.index(seed) < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
