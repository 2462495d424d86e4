"""Significance matrices: per directed metric, the paired p-values between every two systems
that have all its tasks, drawn as a coloured grid (row better / worse than column)."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from bench.analysis import Resampling, per_task
from bench.report.escape import one_line
from bench.report.figure import caption, literal_text, rotate_labels, safe_name, save_figure
from bench.report.tables import order_systems
from bench.signflip import EXACT_MAX_TASKS
from bench.stats import (
    BOOTSTRAP,
    EXACT_RANDOMIZATION,
    EXACT_SIGN_FLIP,
    RANDOMIZATION,
    SIGN_FLIP,
    significance_matrix,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from bench.scorers.base import Metric

matplotlib.use("Agg")

import matplotlib.pyplot as plt

SIGNIFICANCE_PREFIX = "significance-"

_BETTER = ("#2166ac", "#92c5de")
"""Row significantly better than column: strong (p < 0.01), then weak (p < alpha)."""
_WORSE = ("#b2182b", "#f4a582")
_NOT_SIGNIFICANT = "#f7f7f7"
_NO_TEST = "#d9d9d9"
_STRONG = 0.01


@dataclass(frozen=True)
class SignificanceMatrix:
    """Paired p-values of one metric between every two systems that have all its tasks."""

    metric: Metric
    systems: list[str]
    """Contenders in the given order, then bounds."""
    bounds: frozenset[str]
    p_values: np.ndarray
    """Systems x systems, two-sided, ``nan`` on the diagonal."""
    deltas: np.ndarray
    """Row mean minus column mean over the tasks, unscaled."""
    n_tasks: int
    method: str
    """The test run: ``exact-randomization`` when every sign assignment was enumerated."""
    alpha: float
    excluded: list[str]
    """Systems left out because they lack some of the metric's tasks."""

    def better(self) -> np.ndarray:
        """Where the row system's mean is better than the column system's."""
        return self.deltas > 0 if self.metric.higher_is_better else self.deltas < 0


def significance_data(
    scores: pd.DataFrame,
    metric: Metric,
    bounds: Iterable[str],
    resampling: Resampling,
    systems_order: Sequence[str] | None = None,
) -> SignificanceMatrix | None:
    """Paired p-values of ``metric`` by ``significance_matrix`` over the systems that have
    every task of it; ``None`` with fewer than 2 such systems or fewer than 2 tasks."""
    matrix = per_task(scores, metric.name)
    if matrix.empty:
        return None
    matrix.index = matrix.index.astype(str)
    present = [s for s in order_systems(matrix.index, systems_order) if s in matrix.index]
    complete = [s for s in present if matrix.loc[s].notna().all()]
    bound_set = set(bounds)
    systems = [s for s in complete if s not in bound_set] + [s for s in complete if s in bound_set]
    n_tasks = matrix.shape[1]
    if len(systems) < 2 or n_tasks < 2:
        return None
    values = matrix.loc[systems].to_numpy(dtype=float)
    method = resampling.method
    # The same draws as the table's tests (Resampling.test): sign flips use 10x draws.
    draws = resampling.resamples * (1 if method == BOOTSTRAP else 10)
    if method == RANDOMIZATION and n_tasks < draws.bit_length():
        method = EXACT_RANDOMIZATION
    if method == SIGN_FLIP and n_tasks <= EXACT_MAX_TASKS:
        method = EXACT_SIGN_FLIP
    means = values.mean(axis=1)
    return SignificanceMatrix(
        metric=metric,
        systems=systems,
        bounds=frozenset(s for s in systems if s in bound_set),
        p_values=significance_matrix(
            values, method=resampling.method, resamples=draws, seed=resampling.seed
        ),
        deltas=means[:, np.newaxis] - means[np.newaxis, :],
        n_tasks=n_tasks,
        method=method,
        alpha=resampling.alpha,
        excluded=[s for s in present if s not in complete],
    )


def significance_matrices(
    scores: pd.DataFrame,
    metrics: Sequence[Metric],
    bounds: Iterable[str],
    resampling: Resampling,
    out_dir: str | os.PathLike[str],
    systems_order: Sequence[str] | None = None,
) -> list[Path]:
    """One ``significance-<metric>.png`` per directed metric with rows: paired p-values between
    every two systems; metrics with fewer than 2 systems or tasks get none."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    bound_list = list(bounds)
    paths = []
    for metric in significance_metrics(scores, metrics):
        path = significance_png(scores, metric, bound_list, resampling, out, systems_order)
        if path is not None:
            paths.append(path)
    return paths


def significance_metrics(scores: pd.DataFrame, metrics: Sequence[Metric]) -> list[Metric]:
    """The directed metrics among ``metrics`` that have rows: those a matrix may be drawn for."""
    present = set(scores["metric"].astype(str))
    return [m for m in metrics if m.higher_is_better is not None and m.name in present]


@literal_text
def significance_png(
    scores: pd.DataFrame,
    metric: Metric,
    bounds: list[str],
    resampling: Resampling,
    out: Path,
    systems_order: Sequence[str] | None = None,
) -> Path | None:
    """``significance-<metric>.png`` in ``out``; ``None`` with fewer than 2 systems or tasks."""
    data = significance_data(scores, metric, bounds, resampling, systems_order)
    if data is None:
        return None
    path = out / f"{SIGNIFICANCE_PREFIX}{safe_name(metric.name)}.png"
    return save_figure(_significance_figure(data, resampling), path)


def format_p(p: float) -> str:
    """``<0.001``, three decimals below 0.1, else two; truncated, so that the text never rounds
    across a threshold such as 0.05."""
    if math.isnan(p):
        return "–"
    if p < 0.001:
        return "<0.001"
    digits = 3 if p < 0.1 else 2
    factor = 10**digits
    return f"{math.floor(p * factor + 1e-9) / factor:.{digits}f}"


def _cell_colour(p: float, better: bool, alpha: float) -> str:
    if math.isnan(p):
        return _NO_TEST
    if not p < alpha:
        return _NOT_SIGNIFICANT
    shades = _BETTER if better else _WORSE
    return shades[0] if p < _STRONG or not _tiered(alpha) else shades[1]


def _tiered(alpha: float) -> bool:
    """Whether p < 0.01 gets its own, darker shade below ``alpha``."""
    return round(alpha, 12) > _STRONG  # 1 - 0.99 is 0.010000000000000009


def _significance_legend(alpha: float) -> list[Patch]:
    cut = f"{alpha:g}"
    tiers = [f"p < {_STRONG:g}", f"p < {cut}"] if _tiered(alpha) else [f"p < {cut}"]
    better = [f"row better, {t}" for t in tiers]
    worse = [f"row worse, {t}" for t in tiers]
    labels = [*better, f"not significant (p ≥ {cut})", *reversed(worse)]
    colours = [*_BETTER[: len(tiers)], _NOT_SIGNIFICANT, *reversed(_WORSE[: len(tiers)])]
    return [
        Patch(facecolor=c, edgecolor="grey", linewidth=0.5, label=label)
        for c, label in zip(colours, labels, strict=True)
    ]


def _significance_figure(data: SignificanceMatrix, resampling: Resampling) -> Figure:
    """The heatmap :func:`significance_matrices` saves (the caller closes it)."""
    metric = data.metric
    labels = [one_line(f"{s} (bound)" if s in data.bounds else s) for s in data.systems]
    k = len(labels)
    better = data.better()
    colours = [
        [_cell_colour(float(data.p_values[r, c]), bool(better[r, c]), data.alpha) for c in range(k)]
        for r in range(k)
    ]
    rgb = np.array([[matplotlib.colors.to_rgb(c) for c in row] for row in colours])

    direction = "↑" if metric.higher_is_better else "↓"
    test = data.method.replace("-", " ")
    plural = "s" if data.n_tasks != 1 else ""
    title = (
        f"{metric.label} {direction}: {test} p-values, row vs column, {data.n_tasks} task{plural}"
    )

    label_room = 0.075 * max(len(label) for label in labels)
    cell = 0.75
    # Room for tick labels, title, caption and legend around square-ish cells.
    width = max(1.3 + label_room + cell * k + 2.6, 0.5 + 0.085 * len(title))
    height = 1.6 + label_room * (0.6 if rotate_labels(labels) else 0.0) + cell * k
    fig, ax = plt.subplots(figsize=(width, max(3.8, height)), layout="constrained")
    ax.imshow(rgb, aspect="auto", interpolation="nearest")
    _write_cells(ax, data, colours)
    _label_matrix_axes(ax, labels, k - len(data.bounds))

    fig.suptitle(title, fontsize=10)  # above the legend, which sits outside the axes
    scale = f" (×{metric.scale:g})" if metric.scale != 1 else ""
    fig.legend(
        handles=_significance_legend(data.alpha),
        loc="outside right center",
        frameon=False,
        fontsize=8,
        title=f"▲ row better, ▼ row worse\nsecond line: row − column mean{scale}",
        title_fontsize=8,
        alignment="left",
    )
    notes = [resampling.signature()]
    if data.excluded:
        notes.append(f"not shown (missing tasks): {one_line(', '.join(data.excluded))}")
    caption(fig, "\n".join(notes))
    return fig


def _write_cells(ax: Axes, data: SignificanceMatrix, colours: list[list[str]]) -> None:
    """Each off-diagonal cell: the direction and p-value, then the scaled mean difference."""
    better = data.better()
    digits = max(data.metric.digits, 1)
    k = len(data.systems)
    for r in range(k):
        for c in range(k):
            if r == c:
                continue
            p = float(data.p_values[r, c])
            delta = float(data.deltas[r, c])
            arrow = "▲" if better[r, c] else ("▼" if delta != 0 else "=")
            dark = colours[r][c] in (_BETTER[0], _WORSE[0])
            text_colour = "white" if dark else "black"
            ax.text(
                c,
                r - 0.13,
                f"{arrow} {format_p(p)}",
                ha="center",
                va="center",
                fontsize=8,
                color=text_colour,
            )
            ax.text(
                c,
                r + 0.2,
                f"{delta * data.metric.scale:+.{digits}f}",
                ha="center",
                va="center",
                fontsize=6.5,
                color=text_colour,
                alpha=0.85,
            )


def _label_matrix_axes(ax: Axes, labels: list[str], contenders: int) -> None:
    """System names on both axes, white grid lines, and a rule between contenders and bounds."""
    k = len(labels)
    rotate = rotate_labels(labels)
    ax.set_xticks(
        range(k),
        labels=labels,
        rotation=30 if rotate else 0,
        ha="right" if rotate else "center",
        rotation_mode="anchor",
    )
    ax.set_yticks(range(k), labels=labels)
    ax.set_xticks(np.arange(-0.5, k), minor=True)
    ax.set_yticks(np.arange(-0.5, k), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if 0 < contenders < k:
        ax.axhline(contenders - 0.5, color="black", linewidth=1.5)
        ax.axvline(contenders - 0.5, color="black", linewidth=1.5)
    ax.set_xlabel("column system")
    ax.set_ylabel("row system")
