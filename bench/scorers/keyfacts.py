"""Key-fact recall: which of a task's key facts a summary states, found by a pluggable matcher.

A fact with hand-written ``patterns`` is decided by them (every group matched), unless the
matching sentence negates the fact or the summary gets its numbers wrong: patterns are curated
for the task and more precise than any general matcher. Other facts go to the matcher.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from bench.params import invalid
from bench.request import Summary
from bench.scorers._tokens import warn_if_dropped
from bench.scorers.base import (
    CannotScore,
    FactDecision,
    ItemScore,
    Metric,
    Need,
    Scorer,
    register_scorer,
)
from bench.scorers.matchers import DEFAULT_MATCHER, Matcher, Pair, Undecided, match_all, matchers
from bench.scorers.matchers.base import EVIDENCE_JOINER, decision
from bench.scorers.matchers.lexical import LexicalMatcher, LexicalMatcherV1, match_patterns
from bench.signature import Signature
from bench.support.facts import fact_features
from bench.support.lexicon import STOPWORDS, content_words
from bench.support.premise import Premise
from bench.task import KeyFact, Task
from bench.text import split_sentences

__all__ = [
    "EVIDENCE_JOINER",
    "STOPWORDS",
    "KeyFacts",
    "LexicalMatcher",
    "LexicalMatcherV1",
    "Matcher",
    "content_words",
]


PATTERNS_MATCHER = "patterns-v3"
"""Matcher name of decisions made by a fact's patterns (v2: with number and polarity vetoes;
v3: alternatives in capitals are acronyms, matched in capitals only)."""


def decide_by_patterns(fact: KeyFact, sentences: Sequence[str], matcher: str) -> FactDecision:
    """Present when every pattern group matches and no contradiction or false number shows."""
    support = match_patterns(fact.patterns or [], sentences)
    if not support:
        return decision(fact, sentences, [], False, 0.0, matcher)
    shown = Premise.of_sentences([sentences[i] for i in support], "summary")
    feats, _ = fact_features(shown, fact.text)
    vetoed = bool(feats["numbers_missing"] or feats["contradiction"])
    return decision(fact, sentences, support, not vetoed, 0.0 if vetoed else 1.0, matcher)


@register_scorer("keyfacts")
class KeyFacts(Scorer):
    """Key-fact recall, plain and weighted, with the sentence supporting each fact.

    Parameters other than its own go to the matcher:
    ``keyfacts:matcher=llm,model=judge,base_url=http://127.0.0.1:8000/v1``.
    """

    name = "keyfacts"
    requires: ClassVar[frozenset[Need]] = frozenset({"keyfacts"})

    def __init__(
        self,
        matcher: str = DEFAULT_MATCHER,
        threshold: float | None = None,
        patterns: str = "first",
        calibration: str | None = None,
        **matcher_params: str,
    ) -> None:
        params: dict[str, object] = dict(matcher_params)
        if threshold is not None:
            if not 0 < threshold <= 1:
                raise invalid("scorer 'keyfacts'", "threshold", "a number in (0, 1]", threshold)
            params["threshold"] = threshold
        if calibration is not None:
            params["calibration"] = calibration
        self.threshold = params.get("threshold")
        self.calibration = calibration
        try:
            self.matcher: Matcher = matchers.create(matcher, **params)
        except TypeError as error:
            if not matcher_params:
                raise
            raise TypeError(
                f"{error} (keyfacts's own parameters are matcher, threshold, patterns and "
                "calibration; any other goes to the matcher)"
            ) from None
        if patterns not in ("first", "ignore"):
            raise ValueError(f"parameter 'patterns' must be 'first' or 'ignore', got {patterns!r}")
        self.patterns = patterns
        self._warned: set[str] = set()
        """Tasks warned about a script the tokenizer drops (once each)."""

    @property
    def light(self) -> bool:  # type: ignore[override]
        """As light as its matcher: one that decides on tokens alone; a model-based matcher
        holds a model that every scoring process would load."""
        return self.matcher.light

    def signature(self) -> str:
        """e.g. ``keyfacts:v3|matcher:calibrated-v1|patterns:first|stem:porter``."""
        fields = [("matcher", self.matcher.name), ("patterns", self.patterns), ("stem", "porter")]
        if self.threshold is not None:
            fields.append(("threshold", str(self.threshold)))
        return Signature("keyfacts", "v3", tuple(fields)).format()

    def metrics(self) -> list[Metric]:
        """Unweighted then weighted recall."""
        return [Metric("kf_recall", "KF", True), Metric("kf_wrecall", "KF-w", True)]

    def _check_tokens(self, task: Task, summary: Summary) -> None:
        """Warn once per task when a token-based decision (patterns, lexical and calibrated
        matchers) sees a script rouge-score's tokenizer drops: every such fact is absent."""
        if task.id in self._warned:
            return
        token_based = self.light
        facts = [
            f for f in task.keyfacts if token_based or (f.patterns and self.patterns == "first")
        ]
        texts = [
            (f"the patterns of key fact {f.id!r}", " ".join(a for g in f.patterns for a in g))
            if f.patterns and self.patterns == "first"
            else (f"key fact {f.id!r}", f.text)
            for f in facts
        ]
        texts += [("the summary", summary.text)] if facts else []
        deciders = (
            f"the {self.matcher.name} matcher matches" if token_based else "key-fact patterns match"
        )
        if warn_if_dropped(
            "keyfacts",
            task.id,
            texts,
            f"{deciders} tokens, so such facts are never found; a model-based matcher "
            "(embedding, nli, llm) can judge such scripts",
        ):
            self._warned.add(task.id)

    def score(self, task: Task, summary: Summary) -> ItemScore:
        """One decision per key fact, in the task's order; raises CannotScore without facts or
        when the matcher reaches no verdict on a fact (never counted as absent)."""
        reason = self.cannot_score(task, summary)
        if reason is not None:
            raise CannotScore(reason)
        self._check_tokens(task, summary)
        sentences = tuple(split_sentences(summary.text, task.language))
        by_patterns = self.patterns == "first"
        siblings = tuple(task.keyfacts)
        # One batch per summary: a matcher with match_many (an LLM judge) decides it at once.
        asked = [Pair(f, sentences, siblings) for f in siblings if not (by_patterns and f.patterns)]
        decided = iter(match_all(self.matcher, asked))
        facts = []
        for fact in siblings:
            if by_patterns and fact.patterns:
                facts.append(decide_by_patterns(fact, sentences, PATTERNS_MATCHER))
                continue
            found = next(decided)
            if isinstance(found, Undecided):
                raise CannotScore(f"fact {fact.id!r}: {self.matcher.name}: {found}")
            facts.append(found)
        weight = sum(f.weight for f in facts)
        values = {
            "kf_recall": sum(1 for f in facts if f.present) / len(facts),
            "kf_wrecall": sum(f.weight for f in facts if f.present) / weight,
        }
        return ItemScore(values=values, facts=facts)
