"""The site's table is table.md's content cell for cell, each cell tied to its system and
metric."""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.analysis import Resampling, metric_catalog
from bench.report.build import build_report
from bench.report.view.table import note_segments, read_table
from bench.scorers.base import Metric
from bench.store import Store

SYSTEMS = ["lead", "random", "textrank", "lexrank", "oracle", "human"]


def _plain_cells(line: str) -> list[str]:
    """A table line's cells with emphasis markers dropped (no cell here holds an escaped | or
    *)."""
    return [c.strip().replace("*", "") for c in line.strip().strip("|").split("|")]


def test_every_cell_equals_table_md(viewer_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(viewer_run, run)
    # the bootstrap marks differences at 5 tasks (the exact sign-flip test cannot), so the
    # table has daggers to read back
    bootstrap = Resampling(method="paired-bootstrap")
    build_report(
        Store(run), charts=False, resampling=bootstrap, baseline_system="lead", ci_style="brackets"
    )
    text = (run / "table.md").read_text()
    table = read_table(run / "table.md", SYSTEMS, metric_catalog(Store(run)))
    lines = [line for line in text.splitlines() if line.startswith("|")]
    assert [c["text"] for c in table["header"]] == _plain_cells(lines[0])
    for row, line in zip(table["rows"], lines[2:], strict=True):
        assert [c["text"] for c in row["cells"]] == _plain_cells(line)
        bold = [c.strip().startswith("**") for c in line.strip().strip("|").split("|")]
        assert [c["bold"] for c in row["cells"]] == bold
    assert any("†" in c["text"] and "[" in c["text"] for r in table["rows"] for c in r["cells"])
    assert [r["system"] for r in table["rows"] if not r["group"]] == SYSTEMS
    assert [r["group"] for r in table["rows"]].count(True) == 1
    assert table["columns"] == [
        None,
        "rouge1_f",
        "rouge2_f",
        "rougeL_f",
        "rougeLsum_f",
        "kf_recall",
        "kf_wrecall",
        "words",
        "coverage",
        "density",
        "novel_bigrams",
        None,
    ]
    notes = ["".join(s["text"] for s in n["segments"]) for n in table["notes"]]
    assert (
        "†: significantly different from lead (paired bootstrap, 1000 resamples, p < 0.05)."
        in notes
    )
    assert any(n["bullet"] and n["segments"][0].get("code") for n in table["notes"])


def test_escaped_names_bold_and_groups_are_read_as_shown(tmp_path: Path) -> None:
    path = tmp_path / "table.md"
    path.write_text(
        "| System | R-1 ↑ | n |\n| :-- | --: | --: |\n"
        "| a\\|b\\_c | **41.0 ± 1.0** | 3 |\n"
        "| *Upper bounds* | | |\n"
        "| \\*star\\* | 50.0 | 3 |\n\n"
        "‡ n differs: a\\|b (R-1 3).\n- `rouge:v1|x`\n- name: `` a`b ``\n"
    )
    metrics = [Metric("rouge1_f", "R-1"), Metric("rouge1_p", "R-1", shown=False)]
    table = read_table(path, ["a|b_c", "*star*"], metrics)
    first, group, last = table["rows"]
    assert first["system"] == "a|b_c" and first["cells"][1] == {
        "text": "41.0 ± 1.0",
        "bold": True,
        "italic": False,
    }
    assert group["group"] and group["system"] is None
    assert last["system"] == "*star*" and not last["cells"][0]["italic"]
    assert table["columns"] == [None, "rouge1_f", None]
    assert table["notes"][0]["segments"] == [{"text": "‡ n differs: a|b (R-1 3)."}]
    assert table["notes"][1] == {"bullet": True, "segments": [{"text": "rouge:v1|x", "code": True}]}
    assert note_segments("- name: `` a`b ``")["segments"][1] == {"text": "a`b", "code": True}
