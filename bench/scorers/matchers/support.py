"""Key-fact matchers that ask the support engine (bench.support): the summary is the premise,
the fact the claim and the task's facts the context; the backend's verdict is the decision."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from bench.scorers.base import FactDecision
from bench.scorers.matchers.base import Pair, Undecided, decision, match_one
from bench.support.base import SUPPORTED, SupportBackend
from bench.support.base import Undecided as BackendUndecided
from bench.support.premise import Premise
from bench.task import KeyFact


class SupportMatcher:
    """Present when the backend finds the fact supported by the summary; the evidence is the
    summary sentences it names and the score its degree of support. A subclass declares
    ``light`` as its backend is."""

    light: bool

    def __init__(self, backend: SupportBackend, name: str) -> None:
        self.backend = backend
        self.name = name

    def match(
        self, fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
    ) -> FactDecision:
        """The decision for one pair; raises :class:`Undecided` when the backend reached none."""
        return match_one(self.match_many, fact, sentences, siblings)

    def match_many(self, pairs: Sequence[Pair]) -> list[FactDecision | Undecided]:
        """Decisions for many pairs: consecutive pairs about the same summary and fact set (a
        scorer asks all facts of a summary at once) go to the backend as one call."""
        found: list[FactDecision | Undecided] = []
        for (sentences, _), group in groupby(pairs, key=_same_summary):
            asked = list(group)
            premise = Premise.of_sentences(sentences, "summary")
            context = [f.text for f in asked[0].siblings]
            results = self.backend.judge([premise], [p.fact.text for p in asked], context)
            for pair, result in zip(asked, results, strict=True):
                if isinstance(result, BackendUndecided):
                    found.append(Undecided(str(result)))
                    continue
                [support] = result.by_premise
                present = support.verdict == SUPPORTED
                score = support.score
                found.append(
                    decision(pair.fact, sentences, support.evidence, present, score, self.name)
                )
        return found


def _same_summary(pair: Pair) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Pairs with equal sentences and the same fact objects as siblings share one call."""
    return pair.sentences, tuple(id(f) for f in pair.siblings)
