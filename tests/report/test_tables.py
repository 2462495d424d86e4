"""Tests for the results tables: means, best marking, bounds, Markdown, LaTeX and CSV."""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from bench.report.tables import (
    summary_table,
    to_csv,
    to_latex,
    to_markdown,
    write_tables,
)
from bench.scorers.base import Metric

R1 = Metric("rouge1_f", "R-1")
REDUNDANCY = Metric("redundancy", "Red.", higher_is_better=False)
WORDS = Metric("words", "Words", higher_is_better=None, scale=1.0, digits=0)
METRICS = [R1, REDUNDANCY, WORDS]
BOUNDS = {"oracle"}
SIGNATURES = {
    "rouge": "rouge:v0.1.2|tok:default|stem:porter|lsum:pysbd|refs:max",
    "stats": "words:ws_split",
}
VALUES = {
    # lead3 and llm_zero tie on R-1 once rounded (42.0 vs 42.03); oracle is higher but a bound.
    ("lead3", "rouge1_f"): [0.40, 0.42, 0.44],
    ("textrank", "rouge1_f"): [0.38, 0.40, 0.42],
    ("llm_zero", "rouge1_f"): [0.41, 0.43, 0.4209],
    ("oracle", "rouge1_f"): [0.60, 0.60, 0.60],
    # Lower is better: textrank wins; oracle is lower still but never bold. llm_zero lacks t3.
    ("lead3", "redundancy"): [0.10, 0.12, 0.14],
    ("textrank", "redundancy"): [0.05, 0.07, 0.06],
    ("llm_zero", "redundancy"): [0.20, 0.22],
    ("oracle", "redundancy"): [0.01, 0.01, 0.01],
    # Descriptive; textrank has no rows at all.
    ("lead3", "words"): [100.0, 110.0, 120.0],
    ("llm_zero", "words"): [80.0, 90.0, 100.0],
    ("oracle", "words"): [50.0, 60.0, 70.0],
}
SYSTEMS = ["lead3", "textrank", "llm_zero"]


def make_scores() -> pd.DataFrame:
    """Long-format scores for 3 systems + 1 bound over tasks t1..t3."""
    scorer = {"rouge1_f": "rouge", "redundancy": "stats", "words": "stats"}
    rows = [
        (f"t{i + 1}", system, scorer[metric], metric, value)
        for (system, metric), values in VALUES.items()
        for i, value in enumerate(values)
    ]
    return pd.DataFrame(rows, columns=["task_id", "system", "scorer", "metric", "value"])


@pytest.fixture
def table() -> pd.DataFrame:
    return summary_table(make_scores(), METRICS, BOUNDS, systems_order=[*SYSTEMS, "oracle"])


def md_rows(markdown: str) -> list[list[str]]:
    """The table lines split into cells (unescaped pipes only)."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]


def braces_balanced(tex: str) -> bool:
    depth, i = 0, 0
    while i < len(tex):
        if tex[i] == "\\":
            i += 2  # a control symbol such as \{ or \\ is not a group
            continue
        depth += {"{": 1, "}": -1}.get(tex[i], 0)
        if depth < 0:
            return False
        i += 1
    return depth == 0


# --- summary_table -----------------------------------------------------------------------------


def test_means_are_unscaled_means_over_tasks(table: pd.DataFrame) -> None:
    for (system, metric), values in VALUES.items():
        assert table.loc[system, metric] == pytest.approx(sum(values) / len(values))
    assert math.isnan(table.loc["textrank", "words"])


def test_n_is_the_minimum_count_and_bound_flag(table: pd.DataFrame) -> None:
    assert table["n"].to_dict() == {"lead3": 3, "textrank": 3, "llm_zero": 2, "oracle": 3}
    assert table["bound"].to_dict() == {
        "lead3": False,
        "textrank": False,
        "llm_zero": False,
        "oracle": True,
    }
    assert table.index.name == "system"


def test_order_follows_systems_order_with_bounds_last() -> None:
    table = summary_table(make_scores(), METRICS, BOUNDS, systems_order=["oracle", "textrank"])
    assert list(table.index) == ["textrank", "lead3", "llm_zero", "oracle"]
    assert list(summary_table(make_scores(), METRICS, BOUNDS).index) == [
        "lead3",
        "llm_zero",
        "textrank",
        "oracle",
    ]


def test_duplicate_rows_for_a_task_are_averaged_first() -> None:
    scores = pd.DataFrame(
        [
            ("t1", "a", "s", "words", 10.0),
            ("t1", "a", "s", "words", 20.0),
            ("t2", "a", "s", "words", 30.0),
        ],
        columns=["task_id", "system", "scorer", "metric", "value"],
    )
    table = summary_table(scores, [WORDS], set())
    assert table.loc["a", "words"] == pytest.approx(22.5)
    assert table.loc["a", "n"] == 2


def test_empty_scores_give_an_empty_table() -> None:
    empty = pd.DataFrame(columns=["task_id", "system", "scorer", "metric", "value"])
    table = summary_table(empty, METRICS, BOUNDS)
    assert table.empty
    assert "| System |" in to_markdown(table, METRICS, SIGNATURES)


# --- Markdown ----------------------------------------------------------------------------------


def test_markdown_is_a_well_formed_table(table: pd.DataFrame) -> None:
    rows = md_rows(to_markdown(table, METRICS, SIGNATURES))
    assert {len(row) for row in rows} == {5}
    assert rows[0] == ["System", "R-1 ↑", "Red. ↓", "Words", "n"]
    assert rows[1] == [":--", "--:", "--:", "--:", "--:"]


def test_markdown_bold_marks_best_non_bound_and_ties(table: pd.DataFrame) -> None:
    rows = {row[0]: row for row in md_rows(to_markdown(table, METRICS, SIGNATURES))}
    assert rows["lead3"][1] == "**42.0**"
    assert rows["llm\\_zero"][1] == "**42.0**"
    assert rows["textrank"][1] == "40.0"
    assert rows["textrank"][2] == "**6.0**"
    assert rows["lead3"][2] == "12.0"
    assert not any("**" in cell for cell in rows["lead3"][3:] + rows["llm\\_zero"][3:])
    assert rows["oracle"] == ["oracle", "60.0", "1.0", "60", "3"]


def test_markdown_bounds_come_after_the_separator(table: pd.DataFrame) -> None:
    rows = md_rows(to_markdown(table, METRICS, SIGNATURES))
    names = [row[0] for row in rows[2:]]
    assert names == ["lead3", "textrank", "llm\\_zero", "*Upper bounds*", "oracle"]
    assert rows[5][1:] == ["", "", "", ""]
    assert "| *Upper bounds* | | | | |" in to_markdown(table, METRICS, SIGNATURES)


def test_markdown_missing_values_n_footnote_and_signatures(table: pd.DataFrame) -> None:
    markdown = to_markdown(table, METRICS, SIGNATURES, title="Results")
    rows = {row[0]: row for row in md_rows(markdown)}
    assert rows["textrank"][3] == "–"
    assert rows["llm\\_zero"][4] == "2‡"
    assert rows["lead3"][4] == "3"
    assert markdown.startswith("**Results**\n")
    assert "‡ n differs between metrics" in markdown
    assert "llm\\_zero (R-1 3, Red. 2, Words 3)" in markdown
    assert "- `rouge:v0.1.2|tok:default|stem:porter|lsum:pysbd|refs:max`" in markdown
    assert "- stats: `words:ws_split`" in markdown
    assert markdown.index("Scorer signatures:") > markdown.index("| oracle |")


def test_markdown_without_bounds_has_no_separator() -> None:
    table = summary_table(make_scores(), METRICS, set())
    assert "Upper bounds" not in to_markdown(table, METRICS, {})
    rows = {row[0]: row for row in md_rows(to_markdown(table, METRICS, {}))}
    assert rows["oracle"][1] == "**60.0**"


def test_single_best_value_is_bold_alone() -> None:
    table = summary_table(make_scores(), [REDUNDANCY], BOUNDS)
    markdown = to_markdown(table, [REDUNDANCY], {})
    assert markdown.count("**") == 2
    assert "| textrank | **6.0** | 3 |" in markdown


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_round_trips_with_scaled_values(table: pd.DataFrame) -> None:
    frame = pd.read_csv(io.StringIO(to_csv(table, METRICS)))
    assert list(frame.columns) == ["system", "bound", "n", "rouge1_f", "redundancy", "words"]
    assert list(frame["system"]) == ["lead3", "textrank", "llm_zero", "oracle"]
    assert list(frame["bound"]) == [False, False, False, True]
    assert list(frame["n"]) == [3, 3, 2, 3]
    by_system = frame.set_index("system")
    assert by_system.loc["llm_zero", "rouge1_f"] == pytest.approx(42.03)
    assert by_system.loc["textrank", "redundancy"] == pytest.approx(6.0)
    assert by_system.loc["lead3", "words"] == pytest.approx(110.0)
    assert math.isnan(by_system.loc["textrank", "words"])
    assert "**" not in to_csv(table, METRICS)


# --- LaTeX -------------------------------------------------------------------------------------


def test_latex_structure_and_escaping(table: pd.DataFrame) -> None:
    tex = to_latex(table, METRICS, SIGNATURES, caption="Results on 3 tasks", label="tab:x")
    for needle in (
        r"\begin{table}[t]",
        r"\centering",
        r"\caption{Results on 3 tasks}",
        r"\label{tab:x}",
        r"\toprule",
        r"\midrule",
        r"\bottomrule",
        r"\end{table}",
    ):
        assert needle in tex
    assert tex.index(r"\toprule") < tex.index(r"\midrule") < tex.index(r"\bottomrule")
    assert braces_balanced(tex)
    assert r"llm\_zero & \textbf{42.0} & 21.0 & 90 & 2$^\ddagger$ \\" in tex
    assert r"lead3 & \textbf{42.0} & 12.0 & 110 & 3 \\" in tex
    assert r"textrank & 40.0 & \textbf{6.0} & -- & 3 \\" in tex
    assert r"oracle & 60.0 & 1.0 & 60 & 3 \\" in tex
    assert r"R-1 $\uparrow$ & Red. $\downarrow$ & Words & $n$ \\" in tex
    assert r"\texttt{rouge:v0.1.2\textbar{}\allowbreak{}tok:default" in tex
    assert "|" not in tex.split(r"\end{tabular}")[1]


def test_latex_bounds_below_a_rule_with_a_label(table: pd.DataFrame) -> None:
    lines = to_latex(table, METRICS, SIGNATURES).splitlines()
    label = lines.index(r"\multicolumn{5}{l}{\textit{Upper bounds}} \\")
    assert lines[label - 1] == r"\midrule"
    assert lines[label + 1].startswith("oracle &")
    assert lines[label - 2].startswith(r"llm\_zero &")


def test_latex_escapes_special_characters() -> None:
    name = "a_b%c&d#e$f{g}h~i^j\\k"
    scores = make_scores().replace({"system": {"lead3": name}})
    tex = to_latex(summary_table(scores, METRICS, BOUNDS), METRICS, {"x": "x:a_b|c%d&e#f$g~h^i"})
    escaped = r"a\_b\%c\&d\#e\$f\{g\}h\textasciitilde{}i\textasciicircum{}j\textbackslash{}k"
    assert escaped in tex
    assert (
        r"\texttt{x:a\_b\textbar{}\allowbreak{}c\%d\&e\#f\$g\textasciitilde{}h\textasciicircum{}i}"
        in tex
    )
    assert braces_balanced(tex)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no pdflatex on this machine")
def test_latex_compiles(table: pd.DataFrame, tmp_path: Path) -> None:
    body = to_latex(table, METRICS, {**SIGNATURES, "odd": "odd:a_b%c&d#e$f{g}h~i^j\\k<>"})
    document = (
        "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n"
        f"{body}\\end{{document}}\n"
    )
    (tmp_path / "t.tex").write_text(document, encoding="utf-8")
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert (tmp_path / "t.pdf").is_file()


# --- files -------------------------------------------------------------------------------------


def test_write_tables_writes_three_files_atomically(tmp_path: Path) -> None:
    out = tmp_path / "run"
    table = write_tables(make_scores(), METRICS, BOUNDS, SIGNATURES, out, systems_order=SYSTEMS)
    assert sorted(p.name for p in out.iterdir()) == ["table.csv", "table.md", "table.tex"]
    assert (out / "table.md").read_text(encoding="utf-8") == to_markdown(table, METRICS, SIGNATURES)
    assert (out / "table.tex").read_text(encoding="utf-8") == to_latex(table, METRICS, SIGNATURES)
    assert (out / "table.csv").read_text(encoding="utf-8") == to_csv(table, METRICS)
    assert list(table.index) == [*SYSTEMS, "oracle"]
    write_tables(make_scores(), METRICS, BOUNDS, SIGNATURES, out)  # overwrite in place
    assert len(list(out.iterdir())) == 3
