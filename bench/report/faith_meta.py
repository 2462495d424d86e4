"""The faithfulness meta-evaluation rendered: a Markdown table per figure kind (FRANK's partial
correlations, system-level tau, balanced accuracy), per-sentence agreement, and what the scorer
could not score."""

from __future__ import annotations

import math

from bench.faithmeta import ALL, Estimate, FaithMetaReport, MetricRow

HEADER = [
    "metric",
    "subset",
    "n",
    "partial Pearson",
    "partial Spearman",
    "system Kendall τ",
    "balanced accuracy",
]
LOWER_IS_BETTER = ("contradicted", "unsupported_entities")
"""Scorer metrics where a faithful summary scores low: their correlations should be negative."""


def _fmt(value: float, digits: int = 3) -> str:
    return "–" if math.isnan(value) else f"{value:.{digits}f}"


def estimate(found: Estimate | None) -> str:
    """``0.358 [0.25, 0.44]``, or the value alone when it has no interval."""
    if found is None:
        return ""
    if math.isnan(found.low):
        return _fmt(found.value)
    return f"{_fmt(found.value)} [{_fmt(found.low, 2)}, {_fmt(found.high, 2)}]"


def metric_cells(row: MetricRow) -> list[str]:
    """One row of the main table."""
    return [
        row.metric,
        row.subset,
        str(row.n),
        estimate(row.pearson),
        estimate(row.spearman),
        estimate(row.tau),
        estimate(row.balanced),
    ]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "| :-- | :-- |" + " --: |" * (len(header) - 2)]
    return lines + ["| " + " | ".join(r) + " |" for r in rows]


def _intro(report: FaithMetaReport) -> list[str]:
    subsets = ", ".join(f"{k} {v}" for k, v in report.subsets.items())
    scored = report.summaries - len(report.unscored)
    per = 1000 * report.seconds / report.sentences if report.sentences else math.nan
    return [
        f"Faithfulness judgments: {report.summaries} summaries of {report.articles} articles "
        f"by {report.systems} systems" + (f" ({subsets})" if subsets else "") + ".",
        f"Scorer: `{report.scorer}`; scored {scored}, could not score {len(report.unscored)}; "
        f"{_fmt(per, 2)} ms per summary-sentence ({report.sentences} sentences).",
        "",
    ]


def to_markdown(report: FaithMetaReport) -> str:
    """The report as Markdown: the figures table, sentence agreement, unscored summaries."""
    human = "human score" if report.human == "score" else "human label (no row has a score)"
    out = _intro(report)
    out += [
        f"FRANK's measure: partial correlation with the {human}, controlling for the system "
        "(each system's mean subtracted from both); Kendall τ of system means; balanced "
        "accuracy of a 0/1 metric against `label`. 95% bootstrap intervals resample articles "
        f"(all summaries of an article together). `{'`, `'.join(LOWER_IS_BETTER)}`: lower "
        "is more faithful, so agreement shows as a negative correlation.",
        "",
        *_table(HEADER, [metric_cells(r) for r in report.rows]),
        "",
    ]
    if report.sentence_rows:
        out += [
            "Per-sentence agreement of `supported` with the sentence labels (1 = faithful):",
            "",
            *_table(
                ["subset", "sentences", "balanced accuracy", "accuracy", "kappa"],
                [
                    [
                        s.subset,
                        str(s.agreement.n),
                        estimate(s.balanced),
                        _fmt(s.agreement.accuracy),
                        _fmt(s.agreement.kappa),
                    ]
                    for s in report.sentence_rows
                ],
            ),
            "",
        ]
    if report.unscored:
        out.append(
            f"Could not score {len(report.unscored)} summaries (left out of every figure above):"
        )
        out += [f"- `{ident}`: {reason}" for ident, reason in report.unscored[:20]]
        if len(report.unscored) > 20:
            out.append(f"- ... and {len(report.unscored) - 20} more (meta.json lists them all)")
        out.append("")
    out.append(f"`{report.scorer}` · `{report.signature}`")
    return "\n".join(out).rstrip() + "\n"


def pooled(report: FaithMetaReport, metric: str) -> MetricRow | None:
    """The pooled (all subsets) row of ``metric``, or None."""
    return next((r for r in report.rows if r.metric == metric and r.subset == ALL), None)
