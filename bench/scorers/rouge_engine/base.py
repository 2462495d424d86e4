"""What every ROUGE engine offers, and the batch scoring they share (grouped, parallel if large)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

from bench.scorers.rouge_engine.parallel import score_in_processes
from bench.scorers.rouge_engine.score import ROUGE_TYPES, Scores

Item = tuple[Sequence[str], str]
"""One prediction with the targets (references) it is scored against."""


class BatchEngine(ABC):
    """A ROUGE engine (every one returns identical numbers), built from ``score_multi`` alone;
    batches are grouped by target so a target is tokenized once, and large batches are spread
    over processes."""

    name: ClassVar[str]
    """``python``, ``rs`` or ``rouge-score``: shown in scorer signatures."""

    def __init__(self, types: Sequence[str], use_stemmer: bool) -> None:
        unknown = [t for t in types if t not in ROUGE_TYPES]
        if unknown or not types:
            raise ValueError(f"ROUGE types must be among {', '.join(ROUGE_TYPES)}, got {types!r}")
        self.types = tuple(types)
        self.use_stemmer = bool(use_stemmer)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(types={self.types!r}, use_stemmer={self.use_stemmer})"

    @abstractmethod
    def score_multi(self, targets: Sequence[str], prediction: str) -> Scores:
        """Per type, the score against the first target with the highest F (``score_multi``)."""

    def score(self, target: str, prediction: str) -> Scores:
        """Like rouge-score's ``RougeScorer.score``; rougeLsum sentences are ``\\n``-separated."""
        return self.score_multi((target,), prediction)

    def score_batch(
        self, pairs: Sequence[tuple[str, str]], processes: int | None = None
    ) -> list[Scores]:
        """``score`` for every (target, prediction) pair, in order (see ``score_multi_batch``)."""
        return self.score_multi_batch([((t,), p) for t, p in pairs], processes)

    def score_multi_batch(
        self, items: Sequence[Item], processes: int | None = None
    ) -> list[Scores]:
        """``score_multi`` for every item, in order. ``processes``: worker processes for a
        large batch (default: all cores; 1 scores in this process); results never depend on it."""
        return score_in_processes(self, items, processes)

    def score_serial(self, items: Sequence[Item]) -> list[Scores]:
        """``score_multi`` for every item in this process (what each worker process runs)."""
        return [self.score_multi(targets, prediction) for targets, prediction in items]
