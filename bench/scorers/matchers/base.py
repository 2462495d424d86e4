"""The matcher protocol, the matcher registry and helpers shared by every matcher."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bench.registry import Registry
from bench.scorers.base import FactDecision
from bench.task import KeyFact

EVIDENCE_JOINER = " … "
"""Joins the sentences that together support a fact matched across sentences."""


class Undecided(Exception):
    """A matcher reached no verdict (e.g. an unparsable judge reply): never read as absent."""


class MatcherFailed(Exception):
    """A matcher that cannot go on (an LLM judge whose replies are never verdicts): it stops
    the run or the meta-evaluation, where :class:`Undecided` only skips one summary."""


@runtime_checkable
class Matcher(Protocol):
    """Decides whether a key fact is stated in a summary given as sentences.

    ``siblings`` are all key facts of the task (the fact among them): words shared by many of
    them (the story's subject) say less about a fact than the words that set it apart.
    """

    name: str
    light: bool
    """Safe to copy into every scoring process: it decides on tokens alone and holds no model.
    False for a matcher with a model (embedding, NLI) or a judge (an LLM), which also judge
    scripts rouge-score's tokenizer drops."""

    def match(
        self, fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
    ) -> FactDecision:
        """The decision for ``fact``, with the sentence(s) showing it and the matcher's score."""
        ...


@dataclass(frozen=True)
class Pair:
    """One (summary, fact) question for a matcher, as meta-evaluation and batching pose it."""

    fact: KeyFact
    sentences: tuple[str, ...]
    siblings: tuple[KeyFact, ...] = ()


def match_all(matcher: Matcher, pairs: Sequence[Pair]) -> list[FactDecision | Undecided]:
    """Decide every pair, batched when the matcher has ``match_many``; undecided pairs are kept
    as their :class:`Undecided` error so callers count them."""
    many = getattr(matcher, "match_many", None)
    if many is not None:
        found: list[FactDecision | Undecided] = many(pairs)
        return found
    results: list[FactDecision | Undecided] = []
    for pair in pairs:
        try:
            results.append(matcher.match(pair.fact, pair.sentences, pair.siblings))
        except Undecided as error:
            results.append(error)
    return results


def match_one(
    many: Callable[[Sequence[Pair]], list[FactDecision | Undecided]],
    fact: KeyFact,
    sentences: Sequence[str],
    siblings: Sequence[KeyFact] = (),
) -> FactDecision:
    """One decision through a batch method (``match_many``); an undecided pair raises."""
    [found] = many([Pair(fact, tuple(sentences), tuple(siblings))])
    if isinstance(found, Undecided):
        raise found
    return found


def decision(
    fact: KeyFact,
    sentences: Sequence[str],
    support: Sequence[int],
    present: bool,
    score: float | None,
    matcher: str,
) -> FactDecision:
    """A decision whose evidence joins the ``support`` sentences (empty when absent)."""
    evidence = EVIDENCE_JOINER.join(sentences[i] for i in support) if present else ""
    return FactDecision(fact.id, fact.weight, present, evidence, matcher, score)


matchers: Registry[Matcher] = Registry("matcher", "sumbench.matchers")
register_matcher = matchers.register
