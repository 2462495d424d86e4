"""The meta-evaluation report rendered: Markdown and LaTeX tables of label agreement and of
correlations with human scores, and a bar chart of both."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from bench.meta import HUMAN, MetaReport
from bench.report.tables import tex_escape
from bench.stats import CORRELATIONS, LEVELS, Correlation


def _fmt(value: float, digits: int = 3) -> str:
    return "–" if math.isnan(value) else f"{value:.{digits}f}"


def label_rows(report: MetaReport) -> list[list[str]]:
    """Rows of the label-agreement table: name, n, accuracy, P, R, F1, kappa, seconds, undecided."""
    rows = []
    for name, a in report.labels.items():
        seconds = report.seconds.get(name)
        rows.append(
            [
                name,
                str(a.n),
                _fmt(a.accuracy),
                _fmt(a.precision),
                _fmt(a.recall),
                _fmt(a.f1),
                _fmt(a.kappa),
                "" if seconds is None or math.isnan(seconds) else f"{seconds:.2f}",
                str(report.undecided.get(name, "")),
            ]
        )
    return rows


LABEL_HEADER = [
    "matcher",
    "pairs",
    "accuracy",
    "precision",
    "recall",
    "F1",
    "kappa",
    "seconds",
    "undecided",
]


def correlation_rows(report: MetaReport, level: str) -> list[list[str]]:
    """Rows of one level's correlation table: metric, human score, r, rho, tau (with CIs)."""
    cells: dict[tuple[str, str], dict[str, Correlation]] = {}
    for c in report.correlations:
        if c.level == level:
            cells.setdefault((c.metric, c.human), {})[c.kind] = c
    return [
        [metric, human]
        + [
            f"{_fmt(k[kind].value)} [{_fmt(k[kind].low, 2)}, {_fmt(k[kind].high, 2)}]"
            for kind in CORRELATIONS
        ]
        for (metric, human), k in cells.items()
    ]


CORRELATION_HEADER = ["metric", "human score", "Pearson r", "Spearman ρ", "Kendall τ"]


def to_markdown(report: MetaReport) -> str:
    """Markdown tables: label agreement, then summary- and system-level correlations."""

    def table(header: list[str], rows: list[list[str]]) -> list[str]:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return lines + ["| " + " | ".join(r) + " |" for r in rows]

    out = [
        f"Judgments: {report.pairs} (summary, fact) pairs, {report.summaries} summaries, "
        f"{report.systems} systems, {report.documents} documents; "
        f"annotator pairs agree on {_fmt(report.pairwise)}.",
        "",
    ]
    if report.labels:
        out += [
            f"Key-fact decisions against the majority label ({HUMAN!r}: each annotator "
            "against each other one):",
            "",
        ]
        out += [*table(LABEL_HEADER, label_rows(report)), ""]
    for level in LEVELS:
        rows = correlation_rows(report, level)
        if rows:
            out += [
                f"{level.capitalize()}-level correlations (95% bootstrap intervals over "
                "systems and documents):",
                "",
            ]
            out += [*table(CORRELATION_HEADER, rows), ""]
    if report.signature:
        out.append(f"`{report.signature}`")
    return "\n".join(out).rstrip() + "\n"


def to_latex(report: MetaReport) -> str:
    """LaTeX tabulars (booktabs) of the same tables."""

    def table(header: list[str], rows: list[list[str]]) -> list[str]:
        spec = "l" + "r" * (len(header) - 1)
        return [
            rf"\begin{{tabular}}{{{spec}}}",
            r"\toprule",
            " & ".join(tex_escape(h) for h in header) + r" \\",
            r"\midrule",
            *(" & ".join(tex_escape(c) for c in r) + r" \\" for r in rows),
            r"\bottomrule",
            r"\end{tabular}",
            "",
        ]

    out: list[str] = []
    if report.labels:
        out += table(LABEL_HEADER, label_rows(report))
    for level in LEVELS:
        rows = correlation_rows(report, level)
        if rows:
            out += [f"% {level}-level correlations"]
            out += table(
                [h.replace("ρ", "rho").replace("τ", "tau") for h in CORRELATION_HEADER], rows
            )
    return "\n".join(out)


def write_chart(report: MetaReport, path: Path, kind: str = "kendall") -> Path:
    """Bar chart: each metric's system-level correlation with its interval, beside label
    accuracy per matcher against the human ceiling."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    system = [c for c in report.correlations if c.level == "system" and c.kind == kind]
    fig, axes = plt.subplots(
        1, 2, figsize=(11, 0.45 * max(len(system), len(report.labels), 4) + 1.5)
    )
    ax = axes[0]
    labels = [f"{c.metric} vs {c.human}" for c in system]
    values = [c.value for c in system]
    errors = np.array([[c.value - c.low for c in system], [c.high - c.value for c in system]])
    ax.barh(range(len(system)), values, xerr=errors if system else None, color="#4c72b0", capsize=3)
    ax.set_yticks(range(len(system)), labels=labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(min(0.0, *values, 0.0) if values else 0.0, 1.0)
    ax.set_title(f"System-level {kind} (95% CI)")
    ax = axes[1]
    names = list(report.labels)
    accuracy = [report.labels[n].accuracy for n in names]
    colours = ["#999999" if n == HUMAN else "#55a868" for n in names]
    ax.barh(range(len(names)), accuracy, color=colours)
    ax.set_yticks(range(len(names)), labels=names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0.5, 1.0)
    ax.set_title("Accuracy vs majority label (grey: human vs human)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)
    return path
