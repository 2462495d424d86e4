"""Results tables: per-system means over tasks, rendered as Markdown, LaTeX and CSV.

Upper bounds (``oracle``, ``human``) are set apart below a rule and never marked best; the best
value of each directed metric is bold, compared on the rounded value the reader sees.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from bench.analysis import Analysis, MetricMarks
from bench.report.escape import csv_text, md_code, md_escape
from bench.report.escape import tex_escape as tex_escape  # imported from here by report.meta
from bench.store import write_atomic

if TYPE_CHECKING:
    from bench.scorers.base import Metric

MISSING = "–"
"""Shown where a system has no value for a metric."""
N_COLUMN = "n"
BOUND_COLUMN = "bound"
N_BY_METRIC = "n_by_metric"
"""Key in ``table.attrs``: system -> metric name -> number of tasks with a value."""
BOUNDS_LABEL = "Upper bounds"
DAGGER = "†"
"""Marks a value significantly different from the baseline system's."""
DOUBLE_DAGGER = "‡"
"""Marks an ``n`` that differs between metrics."""
CI_STYLES = ("pm", "brackets", "none")

_ARROWS_MD = {True: " ↑", False: " ↓", None: ""}
_ARROWS_TEX = {True: r" $\uparrow$", False: r" $\downarrow$", None: ""}
# --- the summary table -------------------------------------------------------------------------


def order_systems(present: Iterable[str], systems_order: Sequence[str] | None = None) -> list[str]:
    """Systems in ``systems_order`` first (including ones without rows), then the rest sorted."""
    ordered = list(dict.fromkeys(systems_order or ()))
    return ordered + sorted(set(present) - set(ordered))


def summary_table(
    scores: pd.DataFrame,
    metrics: Sequence[Metric],
    bounds: Iterable[str],
    systems_order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per system (index ``system``): each metric's mean over tasks (unscaled; the sum
    for a :attr:`~bench.scorers.base.Metric.total` metric such as a cost), ``n``
    (the fewest tasks with a value over the metrics the system has) and ``bound``; bounds last."""
    names = [m.name for m in metrics]
    bound_set = set(bounds)
    rows = scores[scores["metric"].isin(names)].dropna(subset=["value"])
    per_task = rows.groupby(["system", "metric", "task_id"])["value"].mean()
    by_metric = per_task.groupby(level=["system", "metric"])
    means = by_metric.mean().unstack("metric") if len(per_task) else pd.DataFrame()
    totals = [m.name for m in metrics if m.total]
    if totals and len(per_task):  # a cost: the system's sum over its tasks
        sums = by_metric.sum().unstack("metric")
        means[totals] = sums.reindex(columns=totals)
    counts = by_metric.count().unstack("metric") if len(per_task) else pd.DataFrame()

    systems = order_systems(scores["system"].astype(str), systems_order)
    systems = [s for s in systems if s not in bound_set] + [s for s in systems if s in bound_set]
    index = pd.Index(systems, name="system")
    table = means.reindex(index=index, columns=names).astype(float)
    counts = counts.reindex(index=index, columns=names).fillna(0).astype(int)

    n_by_metric = {
        system: {name: int(c) for name, c in zip(names, row, strict=True) if c > 0}
        for system, row in zip(systems, counts.to_numpy(), strict=True)
    }
    table[N_COLUMN] = [min(n_by_metric[s].values(), default=0) for s in systems]
    table[BOUND_COLUMN] = [s in bound_set for s in systems]
    table.columns.name = None
    table.attrs[N_BY_METRIC] = n_by_metric
    return table


# --- cells shared by the renderers -------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    system: str
    bound: bool
    cells: list[tuple[str, bool]]
    """(displayed value with interval and marks, is bold) per metric."""
    n: int
    n_varies: bool


@dataclass(frozen=True)
class Layout:
    """What a rendered table shows besides the means."""

    analysis: Analysis | None = None
    """Intervals, bold and daggers; none of them without it."""
    ci_style: str = "pm"
    notices: tuple[str, ...] = ()
    """Plain-text lines shown above the table (incomplete data)."""

    def marks(self, metric: str) -> MetricMarks | None:
        """The analysed marks of ``metric``, if any."""
        return self.analysis.marks.get(metric) if self.analysis else None


def format_value(value: float, metric: Metric) -> str:
    """A value as tables show it: scaled, rounded to the metric's digits, "–" when missing."""
    if math.isnan(value):
        return MISSING
    text = f"{value * metric.scale:.{metric.digits}f}"
    return text.lstrip("-") if float(text) == 0 else text  # no "-0.0"


def _interval_text(marks: MetricMarks | None, system: str, metric: Metric, style: str) -> str:
    interval = marks.intervals.get(system) if marks else None
    if interval is None or style == "none" or math.isnan(interval.low):
        return ""
    if style == "brackets":
        return f" [{format_value(interval.low, metric)}, {format_value(interval.high, metric)}]"
    return f" ± {format_value((interval.high - interval.low) / 2, metric)}"


def _rows(table: pd.DataFrame, metrics: Sequence[Metric], layout: Layout) -> list[_Row]:
    n_by_metric: Mapping[str, Mapping[str, int]] = table.attrs.get(N_BY_METRIC, {})
    bound = [bool(b) for b in table[BOUND_COLUMN]]
    systems = [str(s) for s in table.index]
    columns: list[list[tuple[str, bool]]] = []
    for metric in metrics:
        values = table[metric.name] if metric.name in table else pd.Series(math.nan, table.index)
        texts = [format_value(float(v), metric) for v in values]
        marks = layout.marks(metric.name)
        if marks is not None and marks.tie_group:
            bold = [s in marks.tie_group and not b for s, b in zip(systems, bound, strict=True)]
        else:
            candidates = [
                float(t) for t, b in zip(texts, bound, strict=True) if not b and t != MISSING
            ]
            best: float | None = None
            if metric.higher_is_better is not None and candidates:
                best = max(candidates) if metric.higher_is_better else min(candidates)
            bold = [
                best is not None and not b and t != MISSING and float(t) == best
                for t, b in zip(texts, bound, strict=True)
            ]
        cells = []
        for system, text, is_bold in zip(systems, texts, bold, strict=True):
            if text != MISSING and metric.higher_is_better is not None:
                text += _interval_text(marks, system, metric, layout.ci_style)
                if marks is not None and system in marks.different_from_baseline:
                    text += DAGGER
            cells.append((text, is_bold))
        columns.append(cells)
    rows = []
    for i, system in enumerate(systems):
        counts = set(n_by_metric.get(system, {}).values())
        rows.append(
            _Row(
                system=system,
                bound=bound[i],
                cells=[column[i] for column in columns],
                n=int(table[N_COLUMN].iloc[i]),
                n_varies=len(counts) > 1,
            )
        )
    return rows


def _legend(layout: Layout, escape: Callable[[str], str]) -> list[str]:
    """Plain-text lines explaining intervals, bold and daggers (the baseline system's name
    passed through ``escape``), and a warning when the tasks are too few for any mark."""
    if layout.analysis is None:
        return []
    r = layout.analysis.resampling
    baseline_system = escape(layout.analysis.baseline_system or "")
    level = f"{r.level:.0%}"
    tests = layout.analysis.tests()
    test = r.describe(tests)
    lines = []
    if layout.ci_style != "none":
        what = "half-width of the" if layout.ci_style == "pm" else ""
        lines.append(
            f"{'±' if layout.ci_style == 'pm' else '[low, high]'}: {what} {level} "
            f"percentile bootstrap interval over tasks ({r.resamples} resamples, "
            f"seed {r.seed}).".replace("  ", " ")
        )
    lines.append(
        f"Bold: the best system and every system not significantly worse than it "
        f"({test}, p < {r.alpha:.2g}); bounds are never bold."
    )
    if baseline_system:
        lines.append(
            f"{DAGGER}: significantly different from {baseline_system} ({test}, p < {r.alpha:.2g})."
        )
    warning = r.too_few(tests)
    if warning:
        lines.append(f"Warning: {warning}")
    return lines


def _n_details(table: pd.DataFrame, metrics: Sequence[Metric], rows: list[_Row]) -> str | None:
    """Plain text naming each system whose task count differs between metrics, with the counts."""
    varying = [row for row in rows if row.n_varies]
    if not varying:
        return None
    n_by_metric: Mapping[str, Mapping[str, int]] = table.attrs[N_BY_METRIC]
    labels = {m.name: m.label for m in metrics}
    parts = []
    for row in varying:
        counts = ", ".join(f"{labels[k]} {v}" for k, v in n_by_metric[row.system].items())
        parts.append(f"{row.system} ({counts})")
    return "; ".join(parts)


# --- Markdown ----------------------------------------------------------------------------------


def _md_line(cells: Sequence[str]) -> str:
    return "|" + "|".join(f" {c} " if c else " " for c in cells) + "|"


def to_markdown(
    table: pd.DataFrame,
    metrics: Sequence[Metric],
    signatures: Mapping[str, str],
    title: str | None = None,
    layout: Layout | None = None,
) -> str:
    """A Markdown table (best values bold, bounds below an *Upper bounds* row), then footnotes
    and one line per scorer signature."""
    layout = layout or Layout()
    rows = _rows(table, metrics, layout)
    header = ["System", *(md_escape(m.label) + _ARROWS_MD[m.higher_is_better] for m in metrics)]
    header.append("n")
    lines = [f"**{md_escape(title)}**", ""] if title else []
    lines += [*(f"**{md_escape(notice)}**" for notice in layout.notices)]
    lines += [""] if layout.notices else []
    lines += [_md_line(header), _md_line([":--", *["--:"] * (len(header) - 1)])]
    for i, row in enumerate(rows):
        if row.bound and (i == 0 or not rows[i - 1].bound):
            lines.append(_md_line([f"*{BOUNDS_LABEL}*", *[""] * (len(header) - 1)]))
        cells = [f"**{text}**" if best else text for text, best in row.cells]
        n = f"{row.n}{DOUBLE_DAGGER}" if row.n_varies else str(row.n)
        lines.append(_md_line([md_escape(row.system), *cells, n]))
    details = _n_details(table, metrics, rows)
    if details:
        lines += [
            "",
            f"{DOUBLE_DAGGER} n differs between metrics; the minimum is shown: "
            f"{md_escape(details)}.",
        ]
    legend = _legend(layout, md_escape)
    if legend:
        lines += ["", *legend]
    if signatures:
        lines += ["", "Scorer signatures:"]
        lines += [f"- {_md_signature(name, sig)}" for name, sig in signatures.items()]
        if layout.analysis is not None:
            lines.append(f"- {md_code(layout.analysis.resampling.signature())}")
    return "\n".join(lines) + "\n"


def _md_signature(name: str, signature: str) -> str:
    code = md_code(signature)
    return code if signature.startswith(f"{name}:") else f"{md_escape(name)}: {code}"


# --- LaTeX -------------------------------------------------------------------------------------


def _tex_cell(text: str) -> str:
    if text == MISSING:
        return "--"
    return text.replace("±", r"$\pm$").replace(DAGGER, r"$^\dagger$")


def _tex_signature(name: str, signature: str) -> str:
    # Signatures are long: allow a line break after each "|" separator.
    code = tex_escape(signature).replace(r"\textbar{}", r"\textbar{}\allowbreak{}")
    tt = rf"\texttt{{{code}}}"
    return tt if signature.startswith(f"{name}:") else rf"{tex_escape(name)}: {tt}"


def to_latex(
    table: pd.DataFrame,
    metrics: Sequence[Metric],
    signatures: Mapping[str, str],
    caption: str | None = None,
    label: str = "tab:results",
    layout: Layout | None = None,
) -> str:
    """A booktabs ``table`` environment; ``caption`` is plain text (escaped); signatures and
    footnotes go in a ``\\footnotesize`` note under the tabular."""
    layout = layout or Layout()
    rows = _rows(table, metrics, layout)
    width = len(metrics) + 2
    header = ["System", *(tex_escape(m.label) + _ARROWS_TEX[m.higher_is_better] for m in metrics)]
    header.append("$n$")
    text = caption if caption is not None else "Mean over tasks per system."
    lines = [
        r"\begin{table}[t]",
        r"\centering",
        rf"\caption{{{tex_escape(text)}}}",
        rf"\label{{{label}}}",
        *(rf"{{\footnotesize\textbf{{{tex_escape(n)}}}\par}}" for n in layout.notices),
        rf"\begin{{tabular}}{{l{'r' * (width - 1)}}}",
        r"\toprule",
        " & ".join(header) + r" \\",
        r"\midrule",
    ]
    for i, row in enumerate(rows):
        if row.bound and (i == 0 or not rows[i - 1].bound):
            if i > 0:
                lines.append(r"\midrule")
            lines.append(rf"\multicolumn{{{width}}}{{l}}{{\textit{{{BOUNDS_LABEL}}}}} \\")
        cells = [
            rf"\textbf{{{_tex_cell(value)}}}" if best else _tex_cell(value)
            for value, best in row.cells
        ]
        n = rf"{row.n}$^\ddagger$" if row.n_varies else str(row.n)
        lines.append(" & ".join([tex_escape(row.system), *cells, n]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]

    notes = []
    details = _n_details(table, metrics, rows)
    if details:
        shown = "the minimum is shown"
        notes.append(rf"$^\ddagger$\,$n$ differs between metrics; {shown}: {tex_escape(details)}.")
    notes += [_tex_cell(tex_escape(line)) for line in _legend(layout, lambda name: name)]
    notes += [_tex_signature(name, sig) for name, sig in signatures.items()]
    if signatures and layout.analysis is not None:
        notes.append(_tex_signature("ci", layout.analysis.resampling.signature()))
    if notes:
        lines += [r"\par\smallskip", r"{\footnotesize", "\\\\\n".join(notes) + r"\par}"]
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


# --- CSV and files -----------------------------------------------------------------------------


def to_csv(table: pd.DataFrame, metrics: Sequence[Metric], layout: Layout | None = None) -> str:
    """Machine-readable: ``system, bound, n`` then one column per metric name, scaled values
    rounded to 4 decimals, empty where missing."""
    out = pd.DataFrame(
        {
            "system": [csv_text(str(s)) for s in table.index],
            "bound": table[BOUND_COLUMN].astype(bool).to_numpy(),
            "n": table[N_COLUMN].astype(int).to_numpy(),
        }
    )
    for metric in metrics:
        if metric.name in table:
            out[metric.name] = (table[metric.name].astype(float) * metric.scale).round(4).to_numpy()
        else:
            out[metric.name] = math.nan
        marks = layout.marks(metric.name) if layout else None
        if marks is not None and metric.higher_is_better is not None:
            for end in ("low", "high"):
                out[f"{metric.name}_{end}"] = [
                    round(getattr(marks.intervals[str(s)], end) * metric.scale, 4)
                    if str(s) in marks.intervals
                    else math.nan
                    for s in table.index
                ]
    out.columns = [csv_text(str(c)) for c in out.columns]
    return out.to_csv(index=False, lineterminator="\n")


def write_tables(
    scores: pd.DataFrame,
    metrics: Sequence[Metric],
    bounds: Iterable[str],
    signatures: Mapping[str, str],
    out_dir: str | os.PathLike[str],
    systems_order: Sequence[str] | None = None,
    analysis: Analysis | None = None,
    ci_style: str = "pm",
    notices: Sequence[str] = (),
) -> pd.DataFrame:
    """Write ``table.md``, ``table.tex`` and ``table.csv`` into ``out_dir``; return the table.

    With an ``analysis``, values carry its intervals, bold marks the tie group of the best system
    and a dagger marks systems significantly different from its baseline system.
    """
    if ci_style not in CI_STYLES:
        raise ValueError(
            f"unknown interval style {ci_style!r}; choose one of {', '.join(CI_STYLES)}"
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = summary_table(scores, metrics, bounds, systems_order)
    baseline_system = analysis.baseline_system if analysis else None
    if baseline_system is not None and baseline_system not in table.index:
        raise ValueError(
            f"baseline system {baseline_system!r} is not in this run; "
            f"systems: {', '.join(map(str, table.index))}"
        )
    layout = Layout(analysis, ci_style, tuple(notices))
    write_atomic(out / "table.md", to_markdown(table, metrics, signatures, layout=layout))
    write_atomic(out / "table.tex", to_latex(table, metrics, signatures, layout=layout))
    write_atomic(out / "table.csv", to_csv(table, metrics, layout))
    return table
