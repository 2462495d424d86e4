"""Key-fact recall: which of a task's key facts a summary states, found by a pluggable matcher."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import ClassVar, Protocol

from bench.request import Summary
from bench.scorers._tokens import stem, tokens
from bench.scorers.base import (
    CannotScore,
    FactDecision,
    ItemScore,
    Metric,
    Need,
    Scorer,
    register_scorer,
)
from bench.task import KeyFact, Task
from bench.text import split_sentences

EVIDENCE_JOINER = " … "
"""Joins the sentences that together support a fact matched across sentences."""

_STOPWORD_TEXT = """
a about also am an and any are as at be because been being both but by can could did do does
doing during each either for from further had has have having he her here hers herself him
himself his how i if in into is it its itself just let me my myself of on once or ought our ours
ourselves per she should so some such than that the their theirs them themselves then there these
they this those through to until upon us very via was we were what when where which while who
whom whose why will with within would yet you your yours yourself yourselves
s t d ll m re ve
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
"""English function words left out of a fact's content words (lowercase, unstemmed).

The last line holds contraction pieces (it's -> it s). Negations, numbers and words of
direction or degree (not, no, more, after, up) stay content words."""


class Matcher(Protocol):
    """Decides whether a key fact is stated in a summary given as sentences."""

    name: str

    def match(self, fact: KeyFact, sentences: Sequence[str]) -> FactDecision:
        """The decision for ``fact``, with the sentence(s) showing it as evidence."""
        ...


@lru_cache(maxsize=1 << 14)
def _stems(text: str) -> tuple[str, ...]:
    return tuple(tokens(text, stem=True))


def content_words(text: str) -> list[str]:
    """Distinct stemmed tokens of ``text`` that are not stopwords, in order of appearance."""
    found = [stem(t) for t in tokens(text) if t not in STOPWORDS]
    return list(dict.fromkeys(found))


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    width = len(needle)
    return any(
        tuple(haystack[i : i + width]) == tuple(needle) for i in range(len(haystack) - width + 1)
    )


class LexicalMatcher:
    """Stemmed token matching: contiguous pattern alternatives, else a share of content words."""

    name = "lexical-v1"

    def __init__(self, threshold: float = 0.6) -> None:
        self.threshold = threshold

    def match(self, fact: KeyFact, sentences: Sequence[str]) -> FactDecision:
        """Match by ``fact.patterns`` when given, else by the fact's content words."""
        stemmed = [_stems(s) for s in sentences]
        if fact.patterns:
            support = self._by_patterns(fact.patterns, stemmed)
        else:
            support = self._by_words(fact.text, stemmed)
        evidence = EVIDENCE_JOINER.join(sentences[i] for i in support)
        return FactDecision(fact.id, fact.weight, bool(support), evidence, self.name)

    def _by_patterns(
        self, patterns: list[list[str]], stemmed: list[tuple[str, ...]]
    ) -> list[int]:
        """Indexes of the fewest sentences (greedy) matching every group; [] when a group fails."""
        alternatives = [[_stems(alt) for alt in group] for group in patterns]
        # An alternative without tokens (punctuation, non-Latin script) can never match.
        hits = [
            {i for i, sent in enumerate(stemmed) if any(a and _contains(sent, a) for a in group)}
            for group in alternatives
        ]
        if not all(hits):
            return []
        uncovered = set(range(len(hits)))
        chosen: list[int] = []
        while uncovered:
            # max() keeps the earliest sentence among those covering the most groups.
            best = max(
                range(len(stemmed)), key=lambda i: sum(1 for g in uncovered if i in hits[g])
            )
            chosen.append(best)
            uncovered -= {g for g in uncovered if best in hits[g]}
        return sorted(chosen)

    def _by_words(self, text: str, stemmed: list[tuple[str, ...]]) -> list[int]:
        """The sentence sharing most content words, when enough of them are in the summary."""
        wanted = content_words(text) or list(dict.fromkeys(_stems(text)))
        if not wanted or not stemmed:
            return []
        present = {token for sent in stemmed for token in sent}
        found = sum(1 for w in wanted if w in present)
        # Compare the ratio (not found >= threshold * n): 0.6 * 5 is 3.0000000000000004.
        if found / len(wanted) < self.threshold:
            return []
        overlap = [len(set(wanted).intersection(sent)) for sent in stemmed]
        return [overlap.index(max(overlap))]


def parse_threshold(value: float | str) -> float:
    """The ``threshold`` parameter as a float in (0, 1]."""
    try:
        threshold = float(value)
    except ValueError:
        threshold = float("nan")
    if not 0 < threshold <= 1:
        raise ValueError(f"parameter 'threshold' must be a number in (0, 1], got {value!r}")
    return threshold


@register_scorer("keyfacts")
class KeyFacts(Scorer):
    """Key-fact recall, plain and weighted, with the sentence supporting each fact."""

    name = "keyfacts"
    requires: ClassVar[frozenset[Need]] = frozenset({"keyfacts"})

    def __init__(self, threshold: float | str = 0.6) -> None:
        self.threshold = parse_threshold(threshold)
        self.matcher: Matcher = LexicalMatcher(self.threshold)

    def signature(self) -> str:
        """e.g. ``keyfacts:v1|matcher:lexical-v1|stem:porter|threshold:0.6``."""
        return (
            f"keyfacts:v1|matcher:{self.matcher.name}|stem:porter|threshold:{self.threshold}"
        )

    def metrics(self) -> list[Metric]:
        """Unweighted then weighted recall."""
        return [Metric("kf_recall", "KF", True), Metric("kf_wrecall", "KF-w", True)]

    def score(self, task: Task, summary: Summary) -> ItemScore:
        """One decision per key fact, in the task's order; raises CannotScore without facts."""
        reason = self.cannot_score(task, summary)
        if reason is not None:
            raise CannotScore(reason)
        sentences = split_sentences(summary.text, task.language)
        facts = [self.matcher.match(fact, sentences) for fact in task.keyfacts]
        weight = sum(f.weight for f in facts)
        values = {
            "kf_recall": sum(1 for f in facts if f.present) / len(facts),
            "kf_wrecall": sum(f.weight for f in facts if f.present) / weight,
        }
        return ItemScore(values=values, facts=facts)
