"""Tests for what the chart modules share."""

from __future__ import annotations

from bench.report.figure import safe_name


def test_unsafe_task_ids_are_sanitised() -> None:
    name = safe_name("news/2024: a b")
    assert name.startswith("news_2024_a_b-")
    assert "/" not in name
    assert " " not in name
    assert safe_name("t1") == "t1"
    assert safe_name("a/b") != safe_name("a:b")
    assert safe_name("..") != ".."
