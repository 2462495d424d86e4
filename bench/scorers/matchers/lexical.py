"""Lexical matchers: contiguous pattern alternatives (``lexical-v1``) and IDF-weighted content
words with exact numbers and dates, light morphology and a polarity check (``lexical-v2``)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from functools import lru_cache

from bench.scorers._tokens import stem
from bench.scorers.base import FactDecision
from bench.scorers.matchers.base import decision, register_matcher
from bench.support.lexicon import STOPWORDS, canonical_set, content_words, stems
from bench.support.lexicon import canonical_words as _canonical_words
from bench.support.negation import (
    is_negation,
    negated,
    negated_near,
    words_with_apostrophes,
)
from bench.support.numbers import missing_dates, missing_numbers
from bench.support.synonyms import canonical
from bench.task import KeyFact


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    width = len(needle)
    return any(
        tuple(haystack[i : i + width]) == tuple(needle) for i in range(len(haystack) - width + 1)
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
    alternative: str, tokens_: tuple[str, ...], sentence: str, stemmed: tuple[str, ...]
) -> bool:
    """``alternative`` (its stems) is in the sentence, and so is each of its capitalised words
    in capitals: "US" matches "the US" but not "told us"."""
    return (
        bool(tokens_)
        and _contains(stemmed, tokens_)
        and all(check.search(sentence) for check in _acronyms(alternative))
    )


def match_patterns(patterns: Sequence[Sequence[str]], sentences: Sequence[str]) -> list[int]:
    """Indexes of the fewest sentences (greedy) matching every group; [] when a group fails.
    Alternatives match stemmed and case-blind, except words written in capitals (acronyms)."""
    stemmed = [stems(s) for s in sentences]
    alternatives = [[(alt, stems(alt)) for alt in group] for group in patterns]
    # An alternative without tokens (punctuation, non-Latin script) can never match.
    hits = [
        {
            i
            for i, sent in enumerate(stemmed)
            if any(_alternative_in(alt, a, sentences[i], sent) for alt, a in group)
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


def fact_weights(fact: KeyFact, siblings: Sequence[KeyFact]) -> dict[str, float]:
    """Content words of ``fact`` weighted by inverse frequency among the task's facts."""
    return dict(_fact_weights(fact.text, frozenset({f.text for f in siblings} | {fact.text})))


@lru_cache(maxsize=1 << 12)  # a task's facts are weighed again for every system's summary
def _fact_weights(fact: str, texts: frozenset[str]) -> tuple[tuple[str, float], ...]:
    words = _canonical_words(fact) or tuple(dict.fromkeys(stems(fact)))
    frequency: Counter[str] = Counter()
    for text in texts:
        frequency.update(set(_canonical_words(text)))
    n = len(texts)
    return tuple((w, math.log((n + 1) / (frequency[w] + 0.5))) for w in words)


def polarity_clash(fact: str, sentences: Sequence[str], main: int, key: Collection[str]) -> bool:
    """Whether the summary states the fact with the opposite polarity: the fact's negated words
    appear only without a negation ("did not tip" vs "tipped"), or the main sentence negates
    the fact's distinctive ``key`` words ("refused to send troops")."""
    if negated(fact):
        fact_words = words_with_apostrophes(fact)
        # The first content word after each negation is what the fact denies ("did not tip").
        denied = {
            canonical(
                stem(
                    next(
                        w
                        for w in [*fact_words[i + 1 :], "-"]
                        if w == "-" or (w not in STOPWORDS and not is_negation(w))
                    )
                )
            )
            for i, w in enumerate(fact_words)
            if is_negation(w)
        } - {"-"}
        shown = [s for s in sentences if denied & canonical_set(s)]
        return bool(shown) and not any(negated(s) for s in shown)
    main_words = words_with_apostrophes(sentences[main])
    return negated_near(main_words, lambda w: canonical(stem(w)) in key)


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


class LexicalMatcher:
    """Share of the fact's IDF-weighted content words in the summary; numbers and dates must
    agree and a negated or reversed statement ("refused to send troops") gets no credit."""

    name = "lexical-v2"
    light = True

    def __init__(self, threshold: float = 0.575) -> None:
        self.threshold = threshold

    def features(
        self, fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
    ) -> tuple[dict[str, float], list[int]]:
        """Named features of the pair and the sentences that support the fact."""
        weights = fact_weights(fact, siblings)
        total = sum(weights.values()) or 1.0
        bags = [canonical_set(s) for s in sentences]
        everywhere = frozenset().union(*bags)
        found = {w for w in weights if w in everywhere}
        support = _cover(found, weights, bags)
        by_sentence = [sum(weights[w] for w in found & bag) for bag in bags]
        best = max(by_sentence, default=0.0)
        mean = total / (len(weights) or 1)
        # Only the fact's distinctive words in its main sentence decide the polarity.
        key_words = {w for w in found if weights[w] >= mean}
        summary = " ".join(sentences)
        numbers = missing_numbers(fact.text, summary)
        dates = missing_dates(fact.text, summary)
        names = _names(fact.text)
        plain = _fact_content_words(fact.text)
        feats = {
            "coverage": sum(weights[w] for w in found) / total,
            "sentence_coverage": best / total,
            "plain_coverage": (
                sum(1 for w in plain if canonical(w) in everywhere) / (len(plain) or 1)
            ),
            "numbers_missing": float(bool(numbers)),
            "dates_missing": float(bool(dates)),
            "names_found": (
                sum(1 for n in names if n in everywhere) / len(names) if names else 1.0
            ),
            "contradiction": float(
                best > 0
                and polarity_clash(fact.text, sentences, by_sentence.index(best), key_words)
            ),
            "fact_words": float(len(weights)),
        }
        return feats, support

    def match(
        self, fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
    ) -> FactDecision:
        """Present when the weighted share reaches ``threshold`` and nothing contradicts it."""
        feats, support = self.features(fact, sentences, siblings)
        score = feats["coverage"]
        if feats["numbers_missing"] or feats["dates_missing"] or feats["contradiction"]:
            score = 0.0
        present = score >= self.threshold
        return decision(fact, sentences, support, present, score, self.name)


@lru_cache(maxsize=1 << 12)
def _fact_content_words(text: str) -> tuple[str, ...]:
    return tuple(content_words(text))


@lru_cache(maxsize=1 << 12)
def _names(text: str) -> tuple[str, ...]:
    """Canonical stems of capitalised words after the first (people, places, organisations)."""
    words = re.findall(r"\b[A-Z][a-zA-Z]+", text)[1:]
    kept = (canonical(stem(w.lower())) for w in words if w.lower() not in STOPWORDS)
    return tuple(dict.fromkeys(kept))


def _cover(found: set[str], weights: dict[str, float], bags: Sequence[frozenset[str]]) -> list[int]:
    """The fewest sentences (greedy, heaviest first) holding every found word, in order."""
    left = set(found)
    chosen: list[int] = []
    while left:
        gains = [sum(weights[w] for w in left & bag) for bag in bags]
        best = max(range(len(bags)), key=gains.__getitem__)
        if gains[best] <= 0:
            break
        chosen.append(best)
        left -= bags[best]
    return sorted(chosen)


@register_matcher("lexical")
def lexical(threshold: float = 0.575) -> LexicalMatcher:
    """IDF-weighted content words, exact numbers and dates, polarity check (no extras)."""
    return LexicalMatcher(float(threshold))
