"""Precision, recall and F exactly as rouge-score computes them, and its multi-reference rule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
"""The types every engine computes, in display order."""


class Score(NamedTuple):
    """Precision, recall and F of one ROUGE type (compares equal to a rouge-score ``Score``)."""

    precision: float
    recall: float
    fmeasure: float


Scores = dict[str, Score]
"""ROUGE type -> its score, for one (target, prediction) pair."""

ZERO = Score(0.0, 0.0, 0.0)


def fmeasure(precision: float, recall: float) -> float:
    """rouge-score's ``scoring.fmeasure``, with its operation order (bit-identical results)."""
    if precision + recall > 0:
        return 2 * precision * recall / (precision + recall)
    return 0.0


def ratio_score(hits: int, predicted: int, target: int) -> Score:
    """Score from a hit count and the two lengths (rouge-score divides hits by each length)."""
    precision = hits / predicted
    recall = hits / target
    return Score(precision, recall, fmeasure(precision, recall))


def best(scores: Sequence[Scores], types: Sequence[str]) -> Scores:
    """rouge-score's ``score_multi`` rule: per type, the first target with the highest F."""
    if not scores:
        raise ValueError("no targets to score against")
    found: Scores = {}
    for rouge_type in types:
        top = scores[0][rouge_type]
        for candidate in scores[1:]:
            if candidate[rouge_type].fmeasure > top.fmeasure:
                top = candidate[rouge_type]
        found[rouge_type] = top
    return found
