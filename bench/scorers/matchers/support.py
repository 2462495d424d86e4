"""Key-fact matchers that ask the support engine (bench.support): the summary is the premise,
the fact the claim and the task's facts the context; the backend's verdict is the decision."""

from __future__ import annotations

from collections.abc import Sequence

from bench.scorers.base import FactDecision
from bench.scorers.matchers.base import Pair, Undecided, decision, match_one
from bench.support.base import SUPPORTED, SupportBackend
from bench.support.base import Undecided as BackendUndecided
from bench.support.premise import Premise
from bench.task import KeyFact


class SupportMatcher:
    """Present when the backend finds the fact supported by the summary; the evidence is the
    summary sentences it names and the score its degree of support."""

    def __init__(self, backend: SupportBackend, name: str) -> None:
        self.backend = backend
        self.name = name
        self.light = backend.light

    def match(
        self, fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
    ) -> FactDecision:
        """The decision for one pair; raises :class:`Undecided` when the backend reached none."""
        return match_one(self.match_many, fact, sentences, siblings)

    def match_many(self, pairs: Sequence[Pair]) -> list[FactDecision | Undecided]:
        """Decisions for many pairs (each its own summary), one after another."""
        found: list[FactDecision | Undecided] = []
        for pair in pairs:
            premise = Premise.of_sentences(pair.sentences, "summary")
            context = [f.text for f in pair.siblings]
            [result] = self.backend.judge([premise], [pair.fact.text], context)
            if isinstance(result, BackendUndecided):
                found.append(Undecided(str(result)))
                continue
            [support] = result.by_premise
            present = support.verdict == SUPPORTED
            found.append(
                decision(
                    pair.fact, pair.sentences, support.evidence, present, support.score, self.name
                )
            )
        return found
