"""Position and chance baselines: ``lead`` and ``random``."""

from __future__ import annotations

import hashlib
from itertools import zip_longest

import numpy as np

from bench.adapters._select import Selection, sentence_pool
from bench.adapters.base import Summarizer, register_adapter
from bench.params import at_least
from bench.request import Summary, SummaryRequest


@register_adapter("lead")
class Lead(Summarizer):
    """The first k sentences (round-robin over the documents of a cluster), within the budget."""

    light = True
    cacheable = False  # instant to rerun; its output follows the code, not a model

    def __init__(self, k: int = 3) -> None:
        self.k = at_least("adapter 'lead'", "k", k, 1)

    def summarize(self, request: SummaryRequest) -> Summary:
        """Take sentence 1 of each document, then sentence 2 of each, ... in that order."""
        by_doc: list[list[int]] = [[] for _ in request.documents]
        pool = sentence_pool(request)
        for position, sentence in enumerate(pool):
            by_doc[sentence.doc].append(position)
        selection = Selection(request.budget)
        for rank in zip_longest(*by_doc):
            for position in rank:
                if position is None or selection.is_duplicate(pool[position]):
                    continue
                # A lead is a prefix: stop at the first sentence that does not fit.
                if len(selection.chosen) >= self.k or not selection.offer(pool[position]):
                    return selection.summary(source_order=False, k=self.k)
        return selection.summary(source_order=False, k=self.k)


def _task_seed(seed: int, task_id: str) -> int:
    """A seed that depends only on (seed, task id): the same on every machine and run order."""
    digest = hashlib.sha256(f"{seed}\x00{task_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@register_adapter("random")
class Random(Summarizer):
    """Sentences drawn uniformly at random until the budget (or k sentences) is reached."""

    light = True
    cacheable = False  # instant to rerun; its output follows the code, not a model

    def __init__(self, seed: int = 0, k: int | None = None) -> None:
        self.seed = seed
        self.k = at_least("adapter 'random'", "k", k, 1)

    def summarize(self, request: SummaryRequest) -> Summary:
        """Shuffle the sentences with a per-task seed and take them while they fit."""
        pool = sentence_pool(request)
        rng = np.random.default_rng(_task_seed(self.seed, request.task_id))
        selection = Selection(request.budget)
        for index in rng.permutation(len(pool)).tolist():
            if selection.full or (self.k is not None and len(selection.chosen) >= self.k):
                break
            selection.offer(pool[index])
        return selection.summary(source_order=True, seed=self.seed)
