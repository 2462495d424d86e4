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
    found = []
    for lvl in LEVELS:
        for kind in CORRELATIONS:
            value = float(_level_values(metric, human, lvl, kind))
            low, high = percentile_interval(_level_values(m_boot, h_boot, lvl, kind), level)
            found.append(Correlation(names[0], names[1], lvl, kind, value, low, high))
    return found


# ------------------------------------------------ FRANK's measure: partial correlation by group


def demeaned(values: npt.ArrayLike, groups: npt.ArrayLike) -> FloatArray:
    """``values`` less the mean of their group (FRANK's control for the system)."""
    x = np.asarray(values, dtype=float)
    codes = np.unique(np.asarray(groups), return_inverse=True)[1].ravel()
    means = np.bincount(codes, weights=x) / np.bincount(codes)
    result: FloatArray = x - means[codes]
    return result


def partial_correlation(
    metric: npt.ArrayLike, human: npt.ArrayLike, groups: npt.ArrayLike, kind: str = "pearson"
) -> float:
    """Correlation of metric and human score after subtracting each group's (system's) mean
    from both, as FRANK (Pagnoni et al., 2021) measures factuality metrics; ``nan`` when
    either is constant within every group."""
    m, h = demeaned(metric, groups), demeaned(human, groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(correlation(m, h, kind))


def balanced_accuracy(predicted: npt.ArrayLike, truth: npt.ArrayLike) -> float:
    """Mean of the recall of the positive and of the negative class; ``nan`` when one class
    is absent from ``truth``."""
    p = np.asarray(predicted, dtype=bool)
    t = np.asarray(truth, dtype=bool)
    if t.all() or not t.any():
        return math.nan
    return float((p[t].mean() + (~p[~t]).mean()) / 2)


def cluster_resamples(
    clusters: npt.ArrayLike, resamples: int, seed: int = 0
) -> list[npt.NDArray[np.intp]]:
    """Row indexes of ``resamples`` bootstrap samples that draw whole clusters (e.g. every
    summary of an article) with replacement; seeded, so every statistic sees the same draws."""
    labels = np.asarray(clusters)
    codes = np.unique(labels, return_inverse=True)[1].ravel()
    members = [np.flatnonzero(codes == k) for k in range(int(codes.max()) + 1 if codes.size else 0)]
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(resamples):
        picked = rng.integers(0, len(members), len(members))
        rows = [members[i] for i in picked]
        found.append(np.concatenate(rows) if rows else np.array([], dtype=np.intp))
    return found


def percentile_interval(draws: npt.ArrayLike, level: float = 0.95) -> tuple[float, float]:
    """The central ``level`` interval of bootstrap ``draws`` (``nan`` draws left out)."""
    x = np.asarray(draws, dtype=float)
    x = x[~np.isnan(x)]
    if not x.size:
        return math.nan, math.nan
    tail = (1 - level) / 2
    return float(np.quantile(x, tail)), float(np.quantile(x, 1 - tail))
