"""The paired sign-flip (permutation) test, exact or Monte Carlo, and the confidence bounds
that invert it.

If two systems are exchangeable on every task, each per-task difference ``d_i`` is as likely to
be ``+d_i`` as ``-d_i``; the test compares the observed sum of differences with its value under
every assignment of signs. Flipping the signs of a set ``S`` of tasks turns ``sum(d)`` into
``sum(d) - 2 * sum(d[S])``, so every assignment is a *subset sum*:

- **Exact** (``n <= EXACT_MAX_TASKS``): all ``2**n`` assignments; two-sided
  ``p = #{S : |sum(d) - 2 sum(d[S])| >= |sum(d)|} / 2**n``, counted by meeting in the middle
  (the subset sums of each half of the tasks, one half sorted), so 20 tasks cost two sets of
  1,024 sums rather than a million. With ``n`` tasks no p-value is below ``2 / 2**n``.
- **Monte Carlo** (more tasks): ``draws`` random assignments from ``numpy.random.default_rng
  (seed)``, ``p = (hits + 1) / (draws + 1)`` (the observed assignment counts as one).

The bounds invert the test (Hartigan 1969): the one-sided test of "mean difference = δ"
counts the subsets ``S`` whose mean ``mean(d[S])`` lies on one side of δ, so the bound at level
``1 - tail`` is an order statistic of the subset means (exact: all ``2**n - 1``; Monte Carlo:
the random subsets). Where no subset count can reach ``tail`` (too few tasks) the bound is
infinite: no data of that size can bound the difference at that level.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

EXACT_MAX_TASKS = 20
"""Up to this many tasks the sign-flip test enumerates all ``2**n`` sign assignments."""

BLOCK_CELLS = 1 << 20
"""Random (draw, task) cells held in memory at once; the draws do not depend on it."""

TIE_RTOL = 1e-10
"""Statistics closer than this times the data's scale (sum of |d|) count as ties."""


def smallest_p_value(n: int) -> float:
    """The smallest two-sided p-value the exact sign-flip test can give with ``n`` tasks: only
    the observed assignment and its mirror image are as extreme as the data."""
    return min(1.0, 2.0 / 2.0**n)


def subset_sums(values: FloatArray) -> FloatArray:
    """The sums of all ``2**n`` subsets of ``values``: entry ``c`` sums the values whose bit is
    set in ``c`` (so entry 0 is the empty sum)."""
    sums = np.zeros(1)
    for value in values:
        sums = np.concatenate([sums, sums + value])
    return sums


def exact_p_values(diffs: FloatArray) -> FloatArray:
    """Two-sided exact sign-flip p-value of each row of ``diffs`` (rows x tasks), counting the
    ``2**n`` assignments by meeting in the middle."""
    p_values = np.empty(diffs.shape[0])
    for row, diff in enumerate(diffs):
        n = diff.size
        total = float(diff.sum())
        threshold = abs(total) - TIE_RTOL * float(np.abs(diff).sum())
        if threshold <= 0:  # the observed sum is (within round-off) zero: every one is as large
            p_values[row] = 1.0
            continue
        left = subset_sums(diff[: n // 2])
        right = np.sort(subset_sums(diff[n // 2 :]))
        # |total - 2x| >= threshold  <=>  x <= (total - threshold) / 2  or  x >= (total + ...) / 2
        low, high = (total - threshold) / 2, (total + threshold) / 2
        below = np.searchsorted(right, low - left, side="right").sum()
        above = (right.size - np.searchsorted(right, high - left, side="left")).sum()
        p_values[row] = (below + above) / 2.0**n
    return p_values


def _random_flips(rng: np.random.Generator, size: int, n: int, out: FloatArray) -> FloatArray:
    """``size`` random sign assignments as 0/1 rows (1: flipped): bit ``i`` of each draw's own
    ``ceil(n / 64)`` raw 64-bit words (little-endian), so blocking does not change the draws."""
    words = -(-n // 64)
    raw = rng.bit_generator.random_raw((size, words)).astype("<u8", copy=False)
    np.copyto(
        out[:size],
        np.unpackbits(raw.view(np.uint8).reshape(size, -1), axis=1, count=n, bitorder="little"),
    )
    return out[:size]


def _flip_blocks(n: int, draws: int, seed: int) -> Iterator[FloatArray]:
    """The ``draws`` random sign assignments of ``n`` tasks from ``default_rng(seed)``, a block
    of rows at a time (each block overwrites the last)."""
    rng = np.random.default_rng(seed)
    step = max(1, min(draws, BLOCK_CELLS // n))
    flips = np.empty((step, n))
    for start in range(0, draws, step):
        yield _random_flips(rng, min(step, draws - start), n, flips)


class _Hits:
    """Counts, for each row of ``diffs``, the random assignments at least as extreme as it."""

    def __init__(self, diffs: FloatArray) -> None:
        self.diffs = diffs
        self.totals = diffs.sum(axis=1)
        self.threshold = np.abs(self.totals) - TIE_RTOL * np.abs(diffs).sum(axis=1)
        self.hits = np.zeros(diffs.shape[0], dtype=np.int64)

    def add(self, chosen: FloatArray) -> None:
        statistics = self.totals[:, np.newaxis] - 2.0 * (chosen @ self.diffs.T).T
        self.hits += np.count_nonzero(np.abs(statistics) >= self.threshold[:, np.newaxis], axis=1)

    def p_values(self, draws: int) -> FloatArray:
        result: FloatArray = (self.hits + 1) / (draws + 1)
        return result


def monte_carlo_p_values(diffs: FloatArray, draws: int, seed: int) -> FloatArray:
    """Two-sided Monte Carlo sign-flip p-value of each row of ``diffs``:
    ``(#{|random statistic| >= |observed|} + 1) / (draws + 1)``."""
    hits = _Hits(diffs)
    for chosen in _flip_blocks(diffs.shape[1], draws, seed):
        hits.add(chosen)
    return hits.p_values(draws)


@dataclass(frozen=True)
class SubsetMeans:
    """The means of the task subsets a sign-flip test flips, for one-sided p-values and bounds.

    Under "mean difference = δ" the assignment flipping ``S`` is at least as favourable to a
    larger mean as the data when ``mean(d[S]) <= δ`` (and always for the empty set)."""

    means: FloatArray
    """Sorted means of the non-empty subsets (all of them, or the random ones)."""
    total: int
    """Assignments counted: ``2**n``, or ``draws + 1`` with the observed one."""
    always: int
    """Assignments that count on either side whatever δ: the empty flip (and random empty ones)."""
    exact: bool

    def p_greater(self, delta: float) -> float:
        """One-sided p-value of "mean difference = δ" against "greater than δ"."""
        count = int(np.searchsorted(self.means, delta, side="right"))
        return (self.always + count) / self.total

    def p_less(self, delta: float) -> float:
        """One-sided p-value of "mean difference = δ" against "less than δ"."""
        count = self.means.size - int(np.searchsorted(self.means, delta, side="left"))
        return (self.always + count) / self.total

    def bounds(self, tail: float) -> tuple[float, float]:
        """The lower and the upper confidence bound, each one-sided at level ``1 - tail``: the δ
        whose one-sided p-value is below ``tail`` lie outside; infinite when none can be."""
        k = math.ceil(self.total * tail - self.always - 1e-9) - 1
        if k < 0 or k >= self.means.size:
            return -math.inf, math.inf
        return float(self.means[k]), float(self.means[self.means.size - 1 - k])


def subset_means(diff: FloatArray, draws: int, seed: int) -> SubsetMeans:
    """The subset means of ``diff``: all of them up to :data:`EXACT_MAX_TASKS` tasks, else
    those of ``draws`` random sign assignments (the generator the p-values use, with ``seed``)."""
    n = diff.size
    if n <= EXACT_MAX_TASKS:
        sums = subset_sums(diff)
        sizes = subset_sums(np.ones(n))
        means = np.sort(sums[1:] / sizes[1:])
        return SubsetMeans(means, 1 << n, 1, True)
    drawn = _Means(diff)
    for chosen in _flip_blocks(n, draws, seed):
        drawn.add(chosen)
    return drawn.result(draws)


def monte_carlo_test(diff: FloatArray, draws: int, seed: int) -> tuple[float, SubsetMeans]:
    """:func:`monte_carlo_p_values` of ``diff`` and its random :func:`subset_means`, from one
    pass over the same draws (drawn once instead of twice: the same numbers)."""
    hits = _Hits(diff[np.newaxis])
    means = _Means(diff)
    for chosen in _flip_blocks(diff.size, draws, seed):
        hits.add(chosen)
        means.add(chosen)
    return float(hits.p_values(draws)[0]), means.result(draws)


class _Means:
    """The means of the random subsets of ``diff`` (the non-empty ones), and the empty count."""

    def __init__(self, diff: FloatArray) -> None:
        self.diff = diff
        self.found: list[FloatArray] = []
        self.empty = 0

    def add(self, chosen: FloatArray) -> None:
        counts = chosen.sum(axis=1)
        self.empty += int(np.count_nonzero(counts == 0))
        keep = counts > 0
        self.found.append((chosen[keep] @ self.diff) / counts[keep])

    def result(self, draws: int) -> SubsetMeans:
        means = np.sort(np.concatenate(self.found))
        return SubsetMeans(means, draws + 1, 1 + self.empty, False)
