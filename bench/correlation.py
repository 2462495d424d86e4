"""Correlations of a metric with human scores, with bootstrap intervals.

They follow Deutsch et al. (2021): summary level is the correlation across systems within each
document, averaged over documents; system level correlates the per-system means. Their
intervals resample systems and documents together (percentile bootstrap, seeded).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata

FloatArray = npt.NDArray[np.float64]

CORRELATIONS = ("pearson", "spearman", "kendall")
"""Correlation coefficients :func:`correlate` reports (Kendall's is tau-b, ties corrected)."""
LEVELS = ("summary", "system")


@dataclass(frozen=True)
class Correlation:
    """One correlation of a metric with a human score, with its bootstrap interval."""

    metric: str
    human: str
    level: str
    kind: str
    value: float
    low: float
    high: float


def _ranks(x: FloatArray) -> FloatArray:
    ranked: FloatArray = rankdata(x, axis=-1)
    return ranked


def _pearson(x: FloatArray, y: FloatArray) -> FloatArray:
    xc = x - x.mean(axis=-1, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = (xc * yc).sum(-1) / np.sqrt((xc**2).sum(-1) * (yc**2).sum(-1))
    return result


def _kendall(x: FloatArray, y: FloatArray) -> FloatArray:
    i, j = np.triu_indices(x.shape[-1], 1)
    sx = np.sign(x[..., i] - x[..., j])
    sy = np.sign(y[..., i] - y[..., j])
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = (sx * sy).sum(-1) / np.sqrt((sx**2).sum(-1) * (sy**2).sum(-1))
    return result


_CORRELATE: dict[str, Callable[[FloatArray, FloatArray], FloatArray]] = {
    "pearson": _pearson,
    "spearman": lambda x, y: _pearson(_ranks(x), _ranks(y)),
    "kendall": _kendall,
}


def correlation(x: FloatArray, y: FloatArray, kind: str) -> FloatArray:
    """Pearson, Spearman or Kendall (tau-b, ties corrected) correlation of ``x`` and ``y`` along
    their last axis, batched over leading axes; ``nan`` where either is constant."""
    return _CORRELATE[kind](x, y)


def _level_values(metric: FloatArray, human: FloatArray, level: str, kind: str) -> FloatArray:
    """The correlation of systems x docs matrices, batched over leading axes: at system level
    of the document means, at summary level the mean over documents of per-document values."""
    # A metric with no value for some system or document (a matcher that left every pair
    # undecided) gives NaN there, which the report shows as "–"; numpy's warning adds nothing.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if level == "system":
            return correlation(np.nanmean(metric, axis=-1), np.nanmean(human, axis=-1), kind)
        per_doc = correlation(np.swapaxes(metric, -1, -2), np.swapaxes(human, -1, -2), kind)
        result: FloatArray = np.nanmean(per_doc, axis=-1)
    return result


def correlate(
    metric: FloatArray,
    human: FloatArray,
    *,
    names: tuple[str, str] = ("metric", "human"),
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> list[Correlation]:
    """Summary- and system-level Pearson, Spearman and Kendall of two systems x documents
    matrices, each with a percentile interval from resampling systems and documents."""
    keep = ~(np.isnan(metric) | np.isnan(human))
    metric = np.where(keep, metric, np.nan)
    human = np.where(keep, human, np.nan)
    n_sys, n_docs = metric.shape
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, n_sys, size=(resamples, n_sys))
    cols = rng.integers(0, n_docs, size=(resamples, n_docs))
    m_boot = metric[rows[:, :, None], cols[:, None, :]]
    h_boot = human[rows[:, :, None], cols[:, None, :]]
    tail = (1 - level) / 2
    found = []
    for lvl in LEVELS:
        for kind in CORRELATIONS:
            value = float(_level_values(metric, human, lvl, kind))
            draws = _level_values(m_boot, h_boot, lvl, kind)
            draws = draws[~np.isnan(draws)]
            low, high = (
                (float(np.quantile(draws, tail)), float(np.quantile(draws, 1 - tail)))
                if draws.size
                else (math.nan, math.nan)
            )
            found.append(Correlation(names[0], names[1], lvl, kind, value, low, high))
    return found
