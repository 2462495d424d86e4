"""Key-fact heatmaps: per task, which facts each system's summary states (a PNG), with every
decision's evidence beside it (an HTML page)."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

from bench.report.escape import one_line
from bench.report.figure import caption, literal_text, rotate_labels, safe_name, save_figure
from bench.report.html import evidence_page
from bench.report.tables import order_systems

matplotlib.use("Agg")

import matplotlib.pyplot as plt


def _cell_text(value: float, score: float = math.nan, samples: int = 1) -> str:
    """A cell's text: the matcher's score for a single decision (1/0 when it has none or it is
    1/0), else the samples present as k/n."""
    if np.isnan(value):
        return "–"
    if samples > 1:
        return f"{round(value * samples)}/{samples}"
    if not np.isnan(score) and score not in (0.0, 1.0):
        return f"{score:.2f}"
    return f"{value:.0f}" if value in (0.0, 1.0) else f"{value:.2f}"


def _fact_matrices(
    facts: pd.DataFrame, systems: list[str]
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Fact ids in order, then per (fact, system): the share present, the mean matcher score
    and the number of decisions (samples)."""
    fact_ids = list(dict.fromkeys(facts["fact_id"]))
    grouped = facts.groupby(["fact_id", "system"])

    def table(values: pd.Series) -> np.ndarray:
        frame = values.unstack("system").reindex(index=fact_ids, columns=systems)
        return frame.to_numpy(dtype=float)

    matrix = table(grouped["present"].mean())
    counts = np.nan_to_num(table(grouped["present"].size())).astype(int)
    scores = table(grouped["score"].mean()) if "score" in facts else np.full(matrix.shape, np.nan)
    return fact_ids, matrix, scores, counts


def _heatmap(task_id: str, facts: pd.DataFrame, path: Path, systems: list[str]) -> Path:
    fact_ids, matrix, scores, counts = _fact_matrices(facts, systems)
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
        text = _cell_text(value, float(scores[r, c]), int(counts[r, c]))
        ax.text(c, r, text, ha="center", va="center", fontsize=8, color=colour)

    rotate = rotate_labels(systems)
    ax.set_xticks(
        range(n_systems),
        labels=[one_line(s) for s in systems],
        rotation=30 if rotate else 0,
        ha="right" if rotate else "center",
    )
    ax.set_yticks(range(n_facts), labels=[one_line(f) for f in fact_ids])
    ax.set_xticks(np.arange(-0.5, n_systems), minor=True)
    ax.set_yticks(np.arange(-0.5, n_facts), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("system")
    ax.set_ylabel("key fact")
    ax.set_title(f"Key facts: {one_line(task_id)}")
    if not np.isnan(scores).all():
        caption(
            fig,
            "colour: present; number: the matcher's score, or samples present (k/n); "
            "evidence in the .html file",
        )
    bar = fig.colorbar(image, ax=ax, ticks=[0.0, 0.5, 1.0])
    bar.set_label("present\n(fraction of samples)")
    return save_figure(fig, path)


def fact_heatmaps(
    facts: pd.DataFrame,
    out_dir: str | os.PathLike[str],
    systems_order: Sequence[str] | None = None,
) -> list[Path]:
    """Per task, ``keyfacts-<task_id>.png`` (facts in order of first appearance by systems, cells
    coloured 1/0 or, for multi-sample systems such as ``human``, by the fraction of samples, with
    the matcher's score) and ``keyfacts-<task_id>.html`` (each decision with its evidence)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for task_id, group in fact_groups(facts):
        paths += task_heatmap(task_id, group, out, systems_order)
    return paths


def fact_groups(facts: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The decisions of each task, typed for drawing, in order of first appearance."""
    frame = facts.assign(
        task_id=facts["task_id"].astype(str),
        system=facts["system"].astype(str),
        fact_id=facts["fact_id"].astype(str),
        present=facts["present"].astype(float),
    )
    if "score" in frame:
        frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    return [(str(task_id), group) for task_id, group in frame.groupby("task_id", sort=False)]


@literal_text
def task_heatmap(
    task_id: str, group: pd.DataFrame, out: Path, systems_order: Sequence[str] | None = None
) -> list[Path]:
    """``keyfacts-<task_id>.png`` and ``.html`` in ``out`` from the task's decisions."""
    present = set(group["system"])
    systems = [s for s in order_systems(present, systems_order) if s in present]
    name = f"keyfacts-{safe_name(task_id)}"
    return [
        _heatmap(task_id, group, out / f"{name}.png", systems),
        evidence_page(task_id, group, out / f"{name}.html", systems),
    ]
