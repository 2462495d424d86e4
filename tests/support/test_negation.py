"""Polarity: negated and reversed statements."""

from __future__ import annotations

from bench.support.negation import negated


def test_negation_counts() -> None:
    assert negated("The UK refused to send troops")
    assert negated("He didn't go")
    assert not negated("He did not refuse")
    assert not negated("The UK sent troops")
