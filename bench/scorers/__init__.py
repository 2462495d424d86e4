"""Scorers; importing this package registers the built-in ones."""

from bench.scorers import bertscore, cost, extractive, faithfulness, keyfacts, rouge
from bench.scorers.base import (
    CannotScore,
    FactDecision,
    ItemScore,
    Metric,
    Scorer,
    register_scorer,
    scorers,
)

__all__ = [
    "CannotScore",
    "FactDecision",
    "ItemScore",
    "Metric",
    "Scorer",
    "bertscore",
    "cost",
    "extractive",
    "faithfulness",
    "keyfacts",
    "register_scorer",
    "rouge",
    "scorers",
]
