"""Charts: ROUGE F per system with the spread over tasks and bootstrap intervals of the means, a
paired significance matrix per directed metric, and a key-fact heatmap per task."""

from __future__ import annotations

import hashlib
import html
import io
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bench import stats
from bench.report.significance import MetricMarks, Resampling, analyse, per_task
from bench.report.tables import order_systems
from bench.store import write_atomic

if TYPE_CHECKING:
    from matplotlib.axes import Axes
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
        # No "Software" entry (the matplotlib version): identical images give identical bytes.
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
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
    marks: Mapping[str, MetricMarks] | None = None,
) -> Path:
    """One PNG: per system, a box per ROUGE F metric over tasks with every task as a point and
    the mean as a diamond, with its bootstrap interval from ``marks`` when given; raises
    ``ValueError`` when no ROUGE F metric has rows."""
    return _save(_rouge_figure(scores, metrics, systems_order, marks), Path(out_path))


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
    drawn: list[stats.Interval] = []
    for j, metric in enumerate(chosen):
        colour = colours(j % 10)
        data: list[np.ndarray] = []
        positions: list[float] = []
        intervals: list[stats.Interval | None] = []
        metric_marks = (marks or {}).get(metric.name)
        for i, system in enumerate(systems):
            if (system, metric.name) in values_of:
                data.append(values_of[system, metric.name] * metric.scale)
                positions.append(i - group / 2 + slot * (j + 0.5))
                intervals.append(metric_marks.intervals.get(system) if metric_marks else None)
        if not data:
            continue
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
        drawn += _draw_means(ax, positions, data, intervals, metric.scale, slot)
        handles.append(Patch(facecolor=colour, alpha=0.5, edgecolor=colour, label=metric.label))
    mean_label = "mean"
    if drawn:
        mean_label = f"mean with {_percent(drawn[0].level)} CI"
    handles += [
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
    if drawn:
        first = drawn[0]
        _caption(
            fig,
            f"Bars: {_percent(first.level)} percentile bootstrap interval of the mean over tasks "
            f"({first.resamples} resamples, seed {first.seed}); boxes: quartiles over tasks.",
        )
    return fig


def _draw_means(
    ax: Axes,
    positions: list[float],
    data: list[np.ndarray],
    intervals: list[stats.Interval | None],
    scale: float,
    slot: float,
) -> list[stats.Interval]:
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


def _caption(fig: Figure, text: str) -> None:
    """A small grey line under the axes, left-aligned; the layout keeps room for it."""
    fig.supxlabel(text, x=0.01, ha="left", fontsize=7, color="dimgrey")


def _percent(level: float) -> str:
    return f"{level * 100:g}%"


# --- significance matrices -------------------------------------------------------------------

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
    """Paired p-values of ``metric`` by ``stats.significance_matrix`` over the systems that have
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
    # The same draws as the table's tests (Resampling.test): randomization uses 10x trials.
    draws = resampling.resamples * (10 if method == stats.RANDOMIZATION else 1)
    if method == stats.RANDOMIZATION and n_tasks < draws.bit_length():
        method = stats.EXACT_RANDOMIZATION
    means = values.mean(axis=1)
    return SignificanceMatrix(
        metric=metric,
        systems=systems,
        bounds=frozenset(s for s in systems if s in bound_set),
        p_values=stats.significance_matrix(
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
    present = set(scores["metric"].astype(str))
    paths = []
    for metric in metrics:
        if metric.higher_is_better is None or metric.name not in present:
            continue
        data = significance_data(scores, metric, bound_list, resampling, systems_order)
        if data is None:
            continue
        path = out / f"{SIGNIFICANCE_PREFIX}{safe_name(metric.name)}.png"
        paths.append(_save(_significance_figure(data, resampling), path))
    return paths


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
    labels = [f"{s} (bound)" if s in data.bounds else s for s in data.systems]
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
    height = 1.6 + label_room * (0.6 if _rotate_labels(labels) else 0.0) + cell * k
    fig, ax = plt.subplots(figsize=(width, max(3.8, height)), layout="constrained")
    ax.imshow(rgb, aspect="auto", interpolation="nearest")
    digits = max(metric.digits, 1)
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
                f"{delta * metric.scale:+.{digits}f}",
                ha="center",
                va="center",
                fontsize=6.5,
                color=text_colour,
                alpha=0.85,
            )

    rotate = _rotate_labels(labels)
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
    contenders = k - len(data.bounds)
    if 0 < contenders < k:
        ax.axhline(contenders - 0.5, color="black", linewidth=1.5)
        ax.axvline(contenders - 0.5, color="black", linewidth=1.5)
    ax.set_xlabel("column system")
    ax.set_ylabel("row system")

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
        notes.append(f"not shown (missing tasks): {', '.join(data.excluded)}")
    _caption(fig, "\n".join(notes))
    return fig


# --- key facts ---------------------------------------------------------------------------------


def safe_name(task_id: str) -> str:
    """A file-name-safe form of ``task_id``; a short hash keeps altered ids distinct."""
    safe = _UNSAFE.sub("_", task_id).strip("._")[:80] or "task"
    if safe != task_id:
        safe += "-" + hashlib.sha1(task_id.encode("utf-8")).hexdigest()[:8]
    return safe


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
    if not np.isnan(scores).all():
        _caption(
            fig,
            "colour: present; number: the matcher's score, or samples present (k/n); "
            "evidence in the .html file",
        )
    bar = fig.colorbar(image, ax=ax, ticks=[0.0, 0.5, 1.0])
    bar.set_label("present\n(fraction of samples)")
    return _save(fig, path)


_EVIDENCE_STYLE = """body{font-family:sans-serif;font-size:13px}
table{border-collapse:collapse}th,td{border:1px solid #fff;padding:4px;vertical-align:top}
th{background:#eee;text-align:left}td.yes{background:#a6d96a}td.part{background:#d9ef8b}
td.no{background:#f0f0f0}td.none{background:#d9d9d9}.ev{font-size:11px;color:#333;
max-width:22em}.score{font-weight:bold}"""


def _evidence_cell(cell: pd.DataFrame) -> str:
    """One (fact, system) cell: verdict, score and evidence of each decision (sample)."""
    if cell.empty:
        return '<td class="none">–</td>'
    share = float(cell["present"].to_numpy(dtype=float).mean())
    kind = "yes" if share == 1 else "no" if share == 0 else "part"
    lines = []
    for row in cell.to_dict("records"):
        sample = row.get("sample", "")
        label = f"{html.escape(str(sample))}: " if isinstance(sample, str) and sample else ""
        verdict = "present" if float(row["present"]) >= 0.5 else "absent"
        score = row.get("score", math.nan)
        shown = "" if pd.isna(score) else f" {float(score):.2f}"
        evidence = row.get("evidence", "")
        evidence = evidence if isinstance(evidence, str) else ""
        lines.append(
            f'<div>{label}<span class="score">{verdict}{shown}</span> '
            f'<span class="ev">{html.escape(evidence)}</span></div>'
        )
    matcher = html.escape(str(cell["matcher"].iloc[0])) if "matcher" in cell else ""
    return f'<td class="{kind}" title="{matcher}">{"".join(lines)}</td>'


def _evidence_page(task_id: str, facts: pd.DataFrame, path: Path, systems: list[str]) -> Path:
    """``keyfacts-<task>.html``: every decision's verdict, score and supporting sentence(s)."""
    fact_ids = list(dict.fromkeys(facts["fact_id"]))
    cells = {key: group for key, group in facts.groupby(["fact_id", "system"], sort=False)}
    head = "".join(f"<th>{html.escape(s)}</th>" for s in systems)
    rows = []
    for fact in fact_ids:
        row = "".join(_evidence_cell(cells.get((fact, s), facts.iloc[0:0])) for s in systems)
        rows.append(f"<tr><th>{html.escape(fact)}</th>{row}</tr>")
    title = html.escape(f"Key facts: {task_id}")
    page = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_EVIDENCE_STYLE}</style></head><body><h1>{title}</h1>"
        "<p>Each cell: the verdict, the matcher's score and the summary sentence(s) that state "
        "the fact (hover for the matcher).</p>"
        f"<table><tr><th>key fact</th>{head}</tr>{''.join(rows)}</table></body></html>\n"
    )
    write_atomic(path, page)
    return path


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
    frame = facts.assign(
        task_id=facts["task_id"].astype(str),
        system=facts["system"].astype(str),
        fact_id=facts["fact_id"].astype(str),
        present=facts["present"].astype(float),
    )
    if "score" in frame:
        frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    paths = []
    for task_id, group in frame.groupby("task_id", sort=False):
        present = set(group["system"])
        systems = [s for s in order_systems(present, systems_order) if s in present]
        name = f"keyfacts-{safe_name(str(task_id))}"
        paths.append(_heatmap(str(task_id), group, out / f"{name}.png", systems))
        paths.append(_evidence_page(str(task_id), group, out / f"{name}.html", systems))
    return paths


def write_charts(
    scores: pd.DataFrame,
    facts: pd.DataFrame,
    metrics: Sequence[Metric],
    out_dir: str | os.PathLike[str],
    systems_order: Sequence[str] | None = None,
    *,
    bounds: Iterable[str] = (),
    resampling: Resampling | None = None,
    marks: Mapping[str, MetricMarks] | None = None,
) -> list[Path]:
    """Write ``rouge.png`` (when ROUGE F metrics have rows), the significance matrices (when
    ``resampling`` is given) and the key-fact heatmaps into ``out_dir``; return the paths.

    The ROUGE chart draws the intervals of ``marks``, computed by ``analyse`` with
    ``resampling`` when not given."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    bound_list = list(bounds)
    rouge = rouge_metrics(scores, metrics)
    if marks is None and resampling is not None and rouge:
        marks = analyse(scores, rouge, bound_list, resampling)
    paths = []
    if rouge:
        paths.append(rouge_chart(scores, metrics, out / ROUGE_FILE, systems_order, marks))
    if resampling is not None:
        paths += significance_matrices(scores, metrics, bound_list, resampling, out, systems_order)
    if not facts.empty:
        paths += fact_heatmaps(facts, out, systems_order)
    return paths
