"""Evidence pages: every key-fact decision of a task with its verdict, the matcher's score and
the summary sentence(s) that state the fact, as a static HTML table."""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import pandas as pd

from bench.store import write_atomic

_EVIDENCE_STYLE = """body{font-family:sans-serif;font-size:13px}
table{border-collapse:collapse}th,td{border:1px solid #fff;padding:4px;vertical-align:top}
th{background:#eee;text-align:left}td.yes{background:#a6d96a}td.part{background:#d9ef8b}
td.no{background:#f0f0f0}td.none{background:#d9d9d9}.ev{font-size:11px;color:#333;
max-width:22em}.score{font-weight:bold}"""


def _evidence_cell(cell: list[dict[str, Any]]) -> str:
    """One (fact, system) cell: verdict, score and evidence of each decision (sample)."""
    if not cell:
        return '<td class="none">–</td>'
    share = sum(float(row["present"]) for row in cell) / len(cell)
    kind = "yes" if share == 1 else "no" if share == 0 else "part"
    lines = []
    for row in cell:
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
    matcher = html.escape(str(cell[0]["matcher"])) if "matcher" in cell[0] else ""
    return f'<td class="{kind}" title="{matcher}">{"".join(lines)}</td>'


def evidence_page(task_id: str, facts: pd.DataFrame, path: Path, systems: list[str]) -> Path:
    """``keyfacts-<task>.html``: every decision's verdict, score and supporting sentence(s)."""
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in facts.to_dict("records"):
        decision = {str(k): v for k, v in record.items()}
        cells.setdefault((decision["fact_id"], decision["system"]), []).append(decision)
    fact_ids = list(dict.fromkeys(fact for fact, _ in cells))
    head = "".join(f"<th>{html.escape(s)}</th>" for s in systems)
    rows = []
    for fact in fact_ids:
        line = "".join(_evidence_cell(cells.get((fact, s), [])) for s in systems)
        rows.append(f"<tr><th>{html.escape(fact)}</th>{line}</tr>")
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
