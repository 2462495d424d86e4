"""Paper-style reports from stored runs: results tables (Markdown, LaTeX, CSV) and charts."""

from bench.report.charts import fact_heatmaps, rouge_chart, write_charts
from bench.report.tables import (
    summary_table,
    to_csv,
    to_latex,
    to_markdown,
    write_tables,
)

__all__ = [
    "fact_heatmaps",
    "rouge_chart",
    "summary_table",
    "to_csv",
    "to_latex",
    "to_markdown",
    "write_charts",
    "write_tables",
]
