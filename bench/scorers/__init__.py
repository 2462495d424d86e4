"""Scorers; importing this package registers the built-in ones."""

from bench.scorers import keyfacts, rouge, stats
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
    "keyfacts",
    "register_scorer",
    "rouge",
    "scorers",
    "stats",
]
