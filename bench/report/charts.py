"""Charts: ROUGE F per system with the spread over tasks and bootstrap intervals of the means
(here), a paired significance matrix per directed metric and a key-fact heatmap per task; and
:func:`write_charts`, which writes them all."""

from __future__ import annotations

import functools
import math
import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bench.analysis import Analysis, MetricMarks
from bench.report.escape import one_line
from bench.report.fact_heatmaps import fact_groups, task_heatmap
from bench.report.figure import caption, literal_text, rotate_labels, save_figure
from bench.report.significance_chart import significance_metrics, significance_png
from bench.report.tables import order_systems
from bench.stats import Interval

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from bench.scorers.base import Metric

matplotlib.use("Agg")

import matplotlib.pyplot as plt

ROUGE_FILE = "rouge.png"
_GROUP = 0.8
"""Width of one system's group of boxes on the x axis."""


def rouge_metrics(scores: pd.DataFrame, metrics: Sequence[Metric]) -> list[Metric]:
    """The ROUGE F metrics (``rouge*_f``) among ``metrics`` that have rows in ``scores``."""
    present = set(scores["metric"].astype(str))
    return [m for m in metrics if _is_rouge_f(m.name) and m.name in present]


def _is_rouge_f(name: str) -> bool:
    return name.startswith("rouge") and name.endswith("_f")


@literal_text
def rouge_chart(
    scores: pd.DataFrame,
    metrics: Sequence[Metric],
    out_path: str | os.PathLike[str],
    systems_order: Sequence[str] | None = None,
    marks: Mapping[str, MetricMarks] | None = None,
) -> Path:
    """One PNG: per system, a box per ROUGE F metric over tasks with every task as a point and
    the mean as a diamond, with its bootstrap interval from ``marks`` when given; raises
    ``ValueError`` when no ROUGE F metric has rows."""
    return save_figure(_rouge_figure(scores, metrics, systems_order, marks), Path(out_path))


def _rouge_figure(
    scores: pd.DataFrame,
    metrics: Sequence[Metric],
    systems_order: Sequence[str] | None = None,
    marks: Mapping[str, MetricMarks] | None = None,
) -> Figure:
    """The figure :func:`rouge_chart` saves (the caller closes it)."""
    chosen = rouge_metrics(scores, metrics)
    if not chosen:
        raise ValueError("no ROUGE F metric (rouge*_f) has rows in scores")
    rows = scores[scores["metric"].isin([m.name for m in chosen])].dropna(subset=["value"])
    values_of = _values_per_task(rows)
    systems = order_systems(rows["system"].astype(str), systems_order)
    n_tasks = rows["task_id"].nunique()

    slot = _GROUP / len(chosen)
    colours = plt.get_cmap("tab10")
    rng = np.random.default_rng(0)  # fixed jitter: identical runs give identical images
    fig, ax = plt.subplots(
        figsize=(max(6.0, 2.5 + 0.45 * len(systems) * len(chosen)), 4.8), layout="constrained"
    )
    handles: list[Patch | Line2D] = []
    drawn: list[Interval] = []
    for j, metric in enumerate(chosen):
        colour = colours(j % 10)
        data: list[np.ndarray] = []
        positions: list[float] = []
        intervals: list[Interval | None] = []
        metric_marks = (marks or {}).get(metric.name)
        for i, system in enumerate(systems):
            if (system, metric.name) in values_of:
                data.append(values_of[system, metric.name] * metric.scale)
                positions.append(i - _GROUP / 2 + slot * (j + 0.5))
                intervals.append(metric_marks.intervals.get(system) if metric_marks else None)
        if not data:
            continue
        _draw_boxes(ax, positions, data, colour, slot, rng)
        drawn += _draw_means(ax, positions, data, intervals, metric.scale, slot)
        handles.append(Patch(facecolor=colour, alpha=0.5, edgecolor=colour, label=metric.label))
    handles += _point_handles(drawn)
    _label_rouge_axes(ax, systems, chosen, n_tasks)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    if drawn:
        first = drawn[0]
        caption(
            fig,
            f"Bars: {_percent(first.level)} percentile bootstrap interval of the mean over tasks "
            f"({first.resamples} resamples, seed {first.seed}); boxes: quartiles over tasks.",
        )
    return fig


def _values_per_task(rows: pd.DataFrame) -> dict[tuple[str, str], np.ndarray]:
    """(system, metric) -> its per-task values (several rows of a task averaged)."""
    per_task = rows.groupby(["system", "metric", "task_id"])["value"].mean()
    return {
        cast(tuple[str, str], key): group.to_numpy(dtype=float)
        for key, group in per_task.groupby(level=["system", "metric"])
    }


def _draw_boxes(
    ax: Axes,
    positions: list[float],
    data: list[np.ndarray],
    colour: Any,
    slot: float,
    rng: np.random.Generator,
) -> None:
    """One metric's boxes over tasks, with every task as a jittered point."""
    ax.boxplot(
        data,
        positions=positions,
        widths=slot * 0.8,
        patch_artist=True,
        showfliers=False,  # every task is drawn as a point anyway
        boxprops={"facecolor": colour, "alpha": 0.3, "edgecolor": colour},
        medianprops={"color": colour, "linewidth": 1.5},
        whiskerprops={"color": colour},
        capprops={"color": colour},
    )
    for position, values in zip(positions, data, strict=True):
        jitter = rng.uniform(-slot * 0.22, slot * 0.22, len(values))
        ax.scatter(
            position + jitter,
            values,
            s=16,
            color=colour,
            edgecolor="white",
            linewidth=0.5,
            zorder=3,
        )


def _point_handles(drawn: list[Interval]) -> list[Patch | Line2D]:
    """Legend entries of the mean (with its interval when any was drawn) and of one task."""
    mean_label = "mean"
    if drawn:
        mean_label = f"mean with {_percent(drawn[0].level)} CI"
    return [
        Line2D(
            [],
            [],
            marker="D",
            linestyle="-" if drawn else "",
            color="black",
            markerfacecolor="white",
            markeredgecolor="black",
            label=mean_label,
        ),
        Line2D([], [], marker="o", linestyle="", color="grey", label="one task"),
    ]


def _label_rouge_axes(ax: Axes, systems: list[str], chosen: list[Metric], n_tasks: int) -> None:
    """Ticks, limits, labels and grid of the ROUGE chart."""
    rotate = rotate_labels(systems)
    ax.set_xticks(
        range(len(systems)),
        labels=[one_line(s) for s in systems],
        rotation=30 if rotate else 0,
        ha="right" if rotate else "center",
    )
    ax.set_xlim(-0.6, len(systems) - 0.4)
    ax.set_ylim(0, max(m.scale for m in chosen))
    ax.set_ylabel(f"F1 (×{chosen[0].scale:g})" if chosen[0].scale != 1 else "F1")
    ax.set_title(f"ROUGE F1 per system over {n_tasks} task{'s' if n_tasks != 1 else ''}")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def _draw_means(
    ax: Axes,
    positions: list[float],
    data: list[np.ndarray],
    intervals: list[Interval | None],
    scale: float,
    slot: float,
) -> list[Interval]:
    """Draw each mean as a diamond, with an error bar where its interval has bounds; return the
    intervals drawn."""
    style: dict[str, Any] = {
        "marker": "D",
        "markersize": 6,
        "markerfacecolor": "white",
        "markeredgecolor": "black",
        "zorder": 4,
    }
    bars: list[tuple[float, float, float, float]] = []
    for position, values, interval in zip(positions, data, intervals, strict=True):
        if interval is None or math.isnan(interval.low) or math.isnan(interval.high):
            mean = interval.mean * scale if interval is not None else float(values.mean())
            ax.plot([position], [mean], linestyle="", **style)
            continue
        mean, low, high = (v * scale for v in (interval.mean, interval.low, interval.high))
        # A percentile interval need not contain the mean; never pass a negative length.
        bars.append((position, mean, max(mean - low, 0.0), max(high - mean, 0.0)))
    if not bars:
        return []
    x, y, below, above = (list(column) for column in zip(*bars, strict=True))
    ax.errorbar(
        x,
        y,
        yerr=[below, above],
        linestyle="",
        color="black",
        elinewidth=1.3,
        capsize=max(2.0, 14 * slot),
        capthick=1.3,
        label="_mean_ci",
        **style,
    )
    return [i for i in intervals if i is not None and not math.isnan(i.low + i.high)]


def _percent(level: float) -> str:
    return f"{level * 100:g}%"


def write_charts(
    scores: pd.DataFrame,
    facts: pd.DataFrame,
    metrics: Sequence[Metric],
    out_dir: str | os.PathLike[str],
    systems_order: Sequence[str] | None = None,
    *,
    bounds: Iterable[str] = (),
    analysis: Analysis | None = None,
) -> list[Path]:
    """Write ``rouge.png`` (when ROUGE F metrics have rows), the significance matrices (when an
    ``analysis`` is given: with its resampling) and the key-fact heatmaps into ``out_dir``;
    return the paths. The ROUGE chart draws the intervals of ``analysis``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs: list[Callable[[], Path | list[Path] | None]] = []
    if rouge_metrics(scores, metrics):
        marks = analysis.marks if analysis else None
        jobs.append(
            functools.partial(rouge_chart, scores, metrics, out / ROUGE_FILE, systems_order, marks)
        )
    if analysis is not None:
        for metric in significance_metrics(scores, metrics):
            jobs.append(
                functools.partial(
                    significance_png,
                    scores,
                    metric,
                    list(bounds),
                    analysis.resampling,
                    out,
                    systems_order,
                )
            )
    if not facts.empty:
        for task_id, group in fact_groups(facts):
            jobs.append(functools.partial(task_heatmap, task_id, group, out, systems_order))
    paths: list[Path] = []
    for made in draw_all(jobs):
        if isinstance(made, list):
            paths += made
        elif made is not None:
            paths.append(made)
    return paths


PARALLEL_FROM = 4
"""Figures from which drawing is shared among processes (a forked process starts in ~20 ms;
one figure takes 0.1-0.5 s to lay out and render)."""
_JOBS: list[Callable[[], Any]] = []


def draw_all(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Each job's result, in order: drawn by up to one process per core where processes can be
    forked (the jobs and their data are inherited, not pickled), else one after another."""
    workers = min(len(jobs), os.cpu_count() or 1, 4)
    methods = multiprocessing.get_all_start_methods()
    if len(jobs) < PARALLEL_FROM or workers < 2 or "fork" not in methods:
        return [job() for job in jobs]
    global _JOBS
    _JOBS = jobs
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return list(pool.map(_draw, range(len(jobs))))
    finally:
        _JOBS = []


def _draw(index: int) -> Any:
    return _JOBS[index]()
