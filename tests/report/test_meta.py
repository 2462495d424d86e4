"""Tests for the rendered meta-evaluation report: Markdown and LaTeX tables and the chart."""

from __future__ import annotations

import math
from pathlib import Path

from bench.meta import HUMAN, Agreement, MetaReport
from bench.report.meta import correlation_rows, label_rows, to_latex, to_markdown, write_chart
from bench.stats import Correlation


def make_report() -> MetaReport:
    report = MetaReport(pairs=6, summaries=2, systems=2, documents=1, pairwise=0.75)
    report.labels[HUMAN] = Agreement(12, 0.75, 0.8, 0.7, 0.74, 0.5)
    report.labels["lexical-v2"] = Agreement(6, 5 / 6, 1.0, math.nan, 0.8, 0.6)
    report.seconds["lexical-v2"] = 0.123
    report.undecided["lexical-v2"] = 0
    for level in ("summary", "system"):
        for kind, value in (("pearson", 0.9), ("spearman", 0.8), ("kendall", 0.7)):
            low = math.nan if level == "summary" else value - 0.1
            report.correlations.append(
                Correlation("KF recall", "pyramid", level, kind, value, low, value + 0.05)
            )
    report.signature = "meta:v1|seed:0"
    return report


def test_label_rows_show_three_decimals_seconds_and_a_dash_for_nan() -> None:
    rows = label_rows(make_report())
    assert rows[0] == [HUMAN, "12", "0.750", "0.800", "0.700", "0.740", "0.500", "", ""]
    assert rows[1] == ["lexical-v2", "6", "0.833", "1.000", "–", "0.800", "0.600", "0.12", "0"]


def test_correlation_rows_hold_each_kind_with_its_interval() -> None:
    report = make_report()
    assert correlation_rows(report, "system") == [
        ["KF recall", "pyramid", "0.900 [0.80, 0.95]", "0.800 [0.70, 0.85]", "0.700 [0.60, 0.75]"]
    ]
    assert correlation_rows(report, "summary")[0][2] == "0.900 [–, 0.95]"


def test_markdown_has_the_counts_both_tables_per_level_and_the_signature() -> None:
    markdown = to_markdown(make_report())
    assert markdown.startswith(
        "Judgments: 6 (summary, fact) pairs, 2 summaries, 2 systems, 1 documents; "
        "annotator pairs agree on 0.750.\n"
    )
    assert "| matcher | pairs | accuracy | precision | recall | F1 | kappa | seconds |" in markdown
    assert "| lexical-v2 | 6 | 0.833 | 1.000 | – | 0.800 | 0.600 | 0.12 | 0 |" in markdown
    assert "Summary-level correlations" in markdown and "System-level correlations" in markdown
    assert "| metric | human score | Pearson r | Spearman ρ | Kendall τ |" in markdown
    assert markdown.endswith("`meta:v1|seed:0`\n")


def test_latex_escapes_and_spells_out_greek_headers() -> None:
    latex = to_latex(make_report())
    assert latex.count(r"\begin{tabular}") == 3
    assert "Spearman rho & Kendall tau" in latex
    assert "% system-level correlations" in latex
    assert "lexical-v2 & 6 & 0.833" in latex


def test_chart_is_written(tmp_path: Path) -> None:
    path = write_chart(make_report(), tmp_path / "sub" / "meta.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
