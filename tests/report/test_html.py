"""Tests for the evidence pages: every key-fact decision with its verdict, score and evidence."""

from __future__ import annotations

from pathlib import Path

from bench.report.html import _evidence_cell, evidence_page

from .chart_data import SYSTEMS, make_facts


def test_the_page_lists_each_decision_escaped_with_its_verdict_and_score(tmp_path: Path) -> None:
    facts = make_facts()
    facts["present"] = facts["present"].astype(float)
    facts["score"] = [0.25 + 0.5 * bool(p) for p in facts["present"]]
    facts.loc[0, "evidence"] = "Storm <b>hit</b> & flooded."
    one = facts[facts["task_id"] == "t1"]
    path = evidence_page("t1 <x>", one, tmp_path / "page.html", [*SYSTEMS, "human", "absent"])
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>") and text.endswith("</html>\n")
    assert "<title>Key facts: t1 &lt;x&gt;</title>" in text
    assert "Storm &lt;b&gt;hit&lt;/b&gt; &amp; flooded." in text  # escaped, not markup
    assert '<span class="score">present 0.75</span>' in text
    assert '<span class="score">absent 0.25</span>' in text
    assert text.count("<tr>") == 1 + 3  # header and t1's three facts
    assert "r40: " in text and "r100: " in text  # the human bound's samples, one line each
    assert text.count('<td class="none">–</td>') == 3  # "absent" has no decision on any fact
    assert 'title="pattern"' in text  # the matcher, on hover


def test_a_cell_is_coloured_by_the_share_of_samples_present() -> None:
    facts = make_facts()
    facts["present"] = facts["present"].astype(float)
    human = facts[(facts["system"] == "human") & (facts["task_id"] == "t1")]
    assert _evidence_cell(human[human["fact_id"] == "who"].to_dict("records")).startswith(
        '<td class="yes"'
    )
    assert _evidence_cell(human[human["fact_id"] == "what"].to_dict("records")).startswith(
        '<td class="part"'
    )
    assert _evidence_cell([]) == '<td class="none">–</td>'
