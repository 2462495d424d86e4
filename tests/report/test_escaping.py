"""Names are data in every output: Markdown, CSV, LaTeX and charts quote them literally."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from bench.analysis import Resampling, analyse
from bench.report.charts import write_charts
from bench.report.escape import csv_text, md_escape, one_line, tex_escape
from bench.report.tables import Layout, to_csv, to_markdown

from .chart_data import METRICS, SYSTEMS, make_facts, make_scores

HOSTILE = '=HYPERLINK("x")|evil\nname $\\frac{1}{$ <img src=x>'


def test_markdown_escape_keeps_a_name_in_one_cell_on_one_line() -> None:
    text = md_escape(HOSTILE)
    assert "\n" not in text and "\\|" in text and "|evil" not in text.replace("\\|", "")
    assert "\\<img" in text and "\\$" in text


def test_csv_text_neutralises_formulas_but_csv_numbers_stay_numbers() -> None:
    assert csv_text("=1+1") == "'=1+1" and csv_text("-x") == "'-x" and csv_text("@a") == "'@a"
    assert csv_text("lead") == "lead"


def test_latex_escape_and_one_line() -> None:
    assert tex_escape("a$b_c\nd") == r"a\$b\_c d"
    assert one_line("a\r\nb\x1b[31mc") == "a b\ufffd[31mc"


def hostile_scores() -> pd.DataFrame:
    scores = make_scores()
    scores["system"] = scores["system"].replace({SYSTEMS[0]: HOSTILE})
    return scores


def test_tables_quote_a_hostile_system_name_literally(tmp_path: Path) -> None:
    scores = hostile_scores()
    table = scores.pivot_table(index="system", columns="metric", values="value")
    table["bound"] = table.index == "oracle"
    table["n"] = 3
    analysis = analyse(scores, METRICS[:1], ["oracle"], Resampling(), None)
    markdown = to_markdown(table, METRICS[:1], {}, layout=Layout(analysis))
    rows = [line for line in markdown.splitlines() if line.startswith("|")]
    assert len(rows) == 3 + len(table)  # header, rule, bounds label: no name split a row
    assert all(line.count("|") - line.count("\\|") == 4 for line in rows)
    written = pd.read_csv(io.StringIO(to_csv(table, METRICS[:1])))
    assert "'" + HOSTILE in set(written["system"])
    assert pd.api.types.is_float_dtype(written[METRICS[0].name])


def test_charts_draw_a_name_with_an_unbalanced_dollar(tmp_path: Path) -> None:
    scores = hostile_scores()
    order = [HOSTILE, *SYSTEMS[1:]]
    analysis = analyse(scores, METRICS, ["oracle"], Resampling(), None)
    paths = write_charts(
        scores, make_facts(), METRICS, tmp_path, order, bounds=["oracle"], analysis=analysis
    )
    assert (tmp_path / "rouge.png") in paths
