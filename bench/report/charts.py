"""Charts: ROUGE F per system with the spread over tasks, and a key-fact heatmap per task."""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bench.report.tables import order_systems
from bench.store import write_atomic

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bench.scorers.base import Metric

matplotlib.use("Agg")

import matplotlib.pyplot as plt

ROUGE_FILE = "rouge.png"
DPI = 150
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _save(fig: Figure, path: Path) -> Path:
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=DPI)
    finally:
        plt.close(fig)
    write_atomic(path, buffer.getvalue())
    return path


def _rotate_labels(names: Sequence[str]) -> bool:
    return sum(len(n) for n in names) > 50 or max((len(n) for n in names), default=0) > 12


# --- ROUGE -------------------------------------------------------------------------------------


def rouge_metrics(scores: pd.DataFrame, metrics: Sequence[Metric]) -> list[Metric]:
    """The ROUGE F metrics (``rouge*_f``) among ``metrics`` that have rows in ``scores``."""
    present = set(scores["metric"].astype(str))
    return [m for m in metrics if _is_rouge_f(m.name) and m.name in present]


def _is_rouge_f(name: str) -> bool:
    return name.startswith("rouge") and name.endswith("_f")


def rouge_chart(
    scores: pd.DataFrame,
    metrics: Sequence[Metric],
    out_path: str | os.PathLike[str],
    systems_order: Sequence[str] | None = None,
) -> Path:
    """One PNG: per system, a box per ROUGE F metric over tasks with every task as a point and
    the mean as a diamond; raises ``ValueError`` when no ROUGE F metric has rows."""
    chosen = rouge_metrics(scores, metrics)
    if not chosen:
        raise ValueError("no ROUGE F metric (rouge*_f) has rows in scores")
    rows = scores[scores["metric"].isin([m.name for m in chosen])].dropna(subset=["value"])
    per_task = rows.groupby(["system", "metric", "task_id"])["value"].mean()
    values_of: dict[tuple[str, str], np.ndarray] = {
        cast(tuple[str, str], key): group.to_numpy(dtype=float)
        for key, group in per_task.groupby(level=["system", "metric"])
    }
    systems = order_systems(rows["system"].astype(str), systems_order)
    n_tasks = rows["task_id"].nunique()

    group = 0.8
    slot = group / len(chosen)
    colours = plt.get_cmap("tab10")
    rng = np.random.default_rng(0)  # fixed jitter: identical runs give identical images
    fig, ax = plt.subplots(
        figsize=(max(6.0, 2.5 + 0.45 * len(systems) * len(chosen)), 4.8), layout="constrained"
    )
    handles: list[Patch | Line2D] = []
    for j, metric in enumerate(chosen):
        colour = colours(j % 10)
        data: list[np.ndarray] = []
        positions: list[float] = []
        for i, system in enumerate(systems):
            if (system, metric.name) in values_of:
                data.append(values_of[system, metric.name] * metric.scale)
                positions.append(i - group / 2 + slot * (j + 0.5))
        if not data:
            continue
        ax.boxplot(
            data,
            positions=positions,
            widths=slot * 0.8,
            patch_artist=True,
            showmeans=True,
            showfliers=False,  # every task is drawn as a point anyway
            boxprops={"facecolor": colour, "alpha": 0.3, "edgecolor": colour},
            medianprops={"color": colour, "linewidth": 1.5},
            whiskerprops={"color": colour},
            capprops={"color": colour},
            meanprops={"marker": "D", "markerfacecolor": "white", "markeredgecolor": "black"},
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
        handles.append(Patch(facecolor=colour, alpha=0.5, edgecolor=colour, label=metric.label))
    handles += [
        Line2D(
            [],
            [],
            marker="D",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor="black",
            label="mean",
        ),
        Line2D([], [], marker="o", linestyle="", color="grey", label="one task"),
    ]

    rotate = _rotate_labels(systems)
    ax.set_xticks(
        range(len(systems)),
        labels=systems,
        rotation=30 if rotate else 0,
        ha="right" if rotate else "center",
    )
    ax.set_xlim(-0.6, len(systems) - 0.4)
    ax.set_ylim(0, max(m.scale for m in chosen))
    ax.set_ylabel(f"F1 (×{chosen[0].scale:g})" if chosen[0].scale != 1 else "F1")
    ax.set_title(f"ROUGE F1 per system over {n_tasks} task{'s' if n_tasks != 1 else ''}")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _save(fig, Path(out_path))


# --- key facts ---------------------------------------------------------------------------------


def safe_name(task_id: str) -> str:
    """A file-name-safe form of ``task_id``; a short hash keeps altered ids distinct."""
    safe = _UNSAFE.sub("_", task_id).strip("._")[:80] or "task"
    if safe != task_id:
        safe += "-" + hashlib.sha1(task_id.encode("utf-8")).hexdigest()[:8]
    return safe


def _cell_text(value: float) -> str:
    if np.isnan(value):
        return "–"
    return f"{value:.0f}" if value in (0.0, 1.0) else f"{value:.2f}"


def _heatmap(task_id: str, facts: pd.DataFrame, path: Path, systems: list[str]) -> Path:
    fact_ids = list(dict.fromkeys(facts["fact_id"]))
    presence = facts.groupby(["fact_id", "system"])["present"].mean().unstack("system")
    matrix = presence.reindex(index=fact_ids, columns=systems).to_numpy(dtype=float)
    n_facts, n_systems = matrix.shape

    label_room = 0.08 * max(len(f) for f in fact_ids)
    fig, ax = plt.subplots(
        figsize=(max(4.5, 2.6 + label_room + 0.8 * n_systems), max(3.0, 1.6 + 0.32 * n_facts)),
        layout="constrained",
    )
    cmap = plt.get_cmap("YlGn").with_extremes(bad="#d9d9d9")
    image = ax.imshow(
        np.ma.masked_invalid(matrix),
        cmap=cmap,
        vmin=0.0,
        vmax=1.0,
        aspect="auto",
        interpolation="nearest",
    )
    for (r, c), value in np.ndenumerate(matrix):
        colour = "white" if not np.isnan(value) and value > 0.6 else "black"
        ax.text(c, r, _cell_text(value), ha="center", va="center", fontsize=8, color=colour)

    rotate = _rotate_labels(systems)
    ax.set_xticks(
        range(n_systems),
        labels=systems,
        rotation=30 if rotate else 0,
        ha="right" if rotate else "center",
    )
    ax.set_yticks(range(n_facts), labels=fact_ids)
    ax.set_xticks(np.arange(-0.5, n_systems), minor=True)
    ax.set_yticks(np.arange(-0.5, n_facts), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("system")
    ax.set_ylabel("key fact")
    ax.set_title(f"Key facts: {task_id}")
    bar = fig.colorbar(image, ax=ax, ticks=[0.0, 0.5, 1.0])
    bar.set_label("present\n(fraction of samples)")
    return _save(fig, path)


def fact_heatmaps(
    facts: pd.DataFrame,
    out_dir: str | os.PathLike[str],
    systems_order: Sequence[str] | None = None,
) -> list[Path]:
    """One ``keyfacts-<task_id>.png`` per task: facts (in order of first appearance) by systems,
    cells 1/0 or, for multi-sample systems such as ``human``, the fraction of samples."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frame = facts.assign(
        task_id=facts["task_id"].astype(str),
        system=facts["system"].astype(str),
        fact_id=facts["fact_id"].astype(str),
        present=facts["present"].astype(float),
    )
    paths = []
    for task_id, group in frame.groupby("task_id", sort=False):
        present = set(group["system"])
        systems = [s for s in order_systems(present, systems_order) if s in present]
        path = out / f"keyfacts-{safe_name(str(task_id))}.png"
        paths.append(_heatmap(str(task_id), group, path, systems))
    return paths


def write_charts(
    scores: pd.DataFrame,
    facts: pd.DataFrame,
    metrics: Sequence[Metric],
    out_dir: str | os.PathLike[str],
    systems_order: Sequence[str] | None = None,
) -> list[Path]:
    """Write ``rouge.png`` (when ROUGE F metrics have rows) and the key-fact heatmaps into
    ``out_dir``; return the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    if rouge_metrics(scores, metrics):
        paths.append(rouge_chart(scores, metrics, out / ROUGE_FILE, systems_order))
    if not facts.empty:
        paths += fact_heatmaps(facts, out, systems_order)
    return paths
