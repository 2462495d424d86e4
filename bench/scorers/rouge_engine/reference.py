"""rouge-score itself behind the engine interface: the reference every engine is checked against."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.scorers.rouge_engine.base import BatchEngine
from bench.scorers.rouge_engine.score import Score, Scores


def convert(scores: dict[str, Any], types: Sequence[str]) -> Scores:
    """A rouge-score (or compatible) result as :data:`Scores`, values as floats."""
    return {t: Score(*(float(x) for x in scores[t])) for t in types}


class RougeScoreEngine(BatchEngine):
    """Google's ``rouge-score`` package, unchanged (slow: for checks and comparisons)."""

    name = "rouge-score"

    def __init__(self, types: Sequence[str], use_stemmer: bool) -> None:
        super().__init__(types, use_stemmer)
        from rouge_score import rouge_scorer  # imports NLTK

        self._scorer = rouge_scorer.RougeScorer(list(self.types), use_stemmer=self.use_stemmer)

    def score_multi(self, targets: Sequence[str], prediction: str) -> Scores:
        """Per type, the score against the first target with the highest F (``score_multi``)."""
        return convert(self._scorer.score_multi(list(targets), prediction), self.types)
