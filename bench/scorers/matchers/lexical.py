"""Lexical matchers: contiguous pattern alternatives (``lexical-v1``) and IDF-weighted content
words with exact numbers and dates, light morphology and a polarity check (``lexical-v2``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from bench.scorers.base import FactDecision
from bench.scorers.matchers.base import decision, register_matcher
from bench.scorers.matchers.support import SupportMatcher
from bench.support.facts import FACTS_THRESHOLD, fact_features
from bench.support.facts import fact_weights as weigh_fact
from bench.support.lexical import LexicalBackend
from bench.support.lexicon import content_words, stems
from bench.support.premise import Premise
from bench.task import KeyFact


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    """Whether ``needle`` occurs in ``haystack`` as a contiguous run."""
    width = len(needle)
    first = needle[0]
    return any(
        haystack[i : i + width] == needle
        for i in range(len(haystack) - width + 1)
        if haystack[i] == first
    )


_CAPITALS = re.compile(r"(?<![^\W\d_])[A-Z][A-Z.]*[A-Z]\.?(?![^\W\d_])")
"""A word written in capitals (US, UK, EU, U.S.): an acronym, not the word spelled alike."""


@lru_cache(maxsize=1 << 12)
def _acronyms(alternative: str) -> tuple[re.Pattern[str], ...]:
    """Case-sensitive checks for the capitalised words of a pattern alternative."""
    return tuple(
        re.compile(rf"(?<![^\W\d_]){re.escape(m)}(?![^\W\d_])")
        for m in _CAPITALS.findall(alternative)
    )


def _alternative_in(
    alternative: str,
    tokens_: tuple[str, ...],
    sentence: str,
    stemmed: tuple[str, ...],
    present: frozenset[str],
) -> bool:
    """``alternative`` (its stems) is in the sentence, and so is each of its capitalised words
    in capitals: "US" matches "the US" but not "told us". ``present``: the sentence's stems
    (most alternatives miss a word, and are rejected without a scan)."""
    return (
        bool(tokens_)
        and present.issuperset(tokens_)
        and _contains(stemmed, tokens_)
        and all(check.search(sentence) for check in _acronyms(alternative))
    )


def match_patterns(patterns: Sequence[Sequence[str]], sentences: Sequence[str]) -> list[int]:
    """Indexes of the fewest sentences (greedy) matching every group; [] when a group fails.
    Alternatives match stemmed and case-blind, except words written in capitals (acronyms)."""
    stemmed = [stems(s) for s in sentences]
    present = [frozenset(s) for s in stemmed]
    alternatives = [[(alt, stems(alt)) for alt in group] for group in patterns]
    # An alternative without tokens (punctuation, non-Latin script) can never match.
    hits = [
        {
            i
            for i, sent in enumerate(stemmed)
            if any(_alternative_in(alt, a, sentences[i], sent, present[i]) for alt, a in group)
        }
        for group in alternatives
    ]
    if not all(hits):
        return []
    uncovered = set(range(len(hits)))
    chosen: list[int] = []
    while uncovered:
        # max() keeps the earliest sentence among those covering the most groups.
        best = max(range(len(stemmed)), key=lambda i: sum(1 for g in uncovered if i in hits[g]))
        chosen.append(best)
        uncovered -= {g for g in uncovered if best in hits[g]}
    return sorted(chosen)


class LexicalMatcherV1:
    """Stemmed token matching: contiguous pattern alternatives, else a share of content words."""

    name = "lexical-v1"
    light = True

    def __init__(self, threshold: float = 0.6) -> None:
        self.threshold = threshold

    def match(
        self, fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
    ) -> FactDecision:
        """Match by ``fact.patterns`` when given, else by the fact's content words."""
        if fact.patterns:
            support = match_patterns(fact.patterns, sentences)
            return decision(fact, sentences, support, bool(support), None, self.name)
        wanted = content_words(fact.text) or list(dict.fromkeys(stems(fact.text)))
        stemmed = [stems(s) for s in sentences]
        if not wanted or not stemmed:
            return decision(fact, sentences, [], False, 0.0, self.name)
        present = {token for sent in stemmed for token in sent}
        share = sum(1 for w in wanted if w in present) / len(wanted)
        # Compare the ratio (not found >= threshold * n): 0.6 * 5 is 3.0000000000000004.
        if share < self.threshold:
            return decision(fact, sentences, [], False, share, self.name)
        overlap = [len(set(wanted).intersection(sent)) for sent in stemmed]
        return decision(fact, sentences, [overlap.index(max(overlap))], True, share, self.name)


@register_matcher("lexical-v1")
def lexical_v1(threshold: float = 0.6) -> LexicalMatcherV1:
    """Share of content words (stemmed) found in the summary, or the fact's patterns."""
    return LexicalMatcherV1(float(threshold))


class LexicalMatcher(SupportMatcher):
    """Share of the fact's IDF-weighted content words in the summary; numbers and dates must
    agree and a negated or reversed statement ("refused to send troops") gets no credit.

    The support engine's lexical backend decides (``claims=facts``, bench.support.facts); this
    matcher turns its verdict into a key-fact decision."""

    light = True

    def __init__(self, threshold: float = FACTS_THRESHOLD) -> None:
        self.lexical = LexicalBackend(threshold, claims="facts")
        super().__init__(self.lexical, "lexical-v2")

    @property
    def threshold(self) -> float:
        """The weighted share from which a fact is present (the backend's: it decides)."""
        return self.lexical.threshold

    def features(
        self, fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
    ) -> tuple[dict[str, float], list[int]]:
        """Named features of the pair and the sentences that support the fact."""
        premise = Premise.of_sentences(sentences, "summary")
        return fact_features(premise, fact.text, [f.text for f in siblings])


@register_matcher("lexical")
def lexical(threshold: float = FACTS_THRESHOLD) -> LexicalMatcher:
    """IDF-weighted content words, exact numbers and dates, polarity check (no extras)."""
    return LexicalMatcher(float(threshold))


def fact_weights(fact: KeyFact, siblings: Sequence[KeyFact]) -> dict[str, float]:
    """Content words of ``fact`` weighted by inverse frequency among the task's facts."""
    return weigh_fact(fact.text, [f.text for f in siblings])
