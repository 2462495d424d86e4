"""The lexical backend for key facts: a task's key facts judged against a summary.

Where a summary sentence is checked against a long source document (bench.support.lexical), a
key fact is checked against a short summary, one of a set of facts about the same story: its
content words are weighted by rarity among the task's facts (the story's subject, shared by
all of them, says little about one fact), and it is supported when their weighted share in the
summary reaches the threshold, every number and date it states is in the summary, and the
summary does not state it negated or reversed ("refused to send troops"). The evidence is the
fewest summary sentences holding the words found.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence
from functools import lru_cache

from bench.scorers._tokens import stem
from bench.support.base import CONTRADICTED, NOT_MENTIONED, SUPPORTED, Support
from bench.support.lexicon import (
    STOPWORDS,
    canonical_set,
    canonical_words,
    content_words,
    cover,
    names,
    stems,
)
from bench.support.negation import (
    is_negation,
    negated,
    negated_near,
    negations,
    words_with_apostrophes,
)
from bench.support.numbers import dates, quantities
from bench.support.premise import Premise
from bench.support.synonyms import canonical

FACTS_THRESHOLD = 0.575
"""Weighted share of a fact's words from which the summary states it (fitted on the key-fact
judgments of issue 6; ``sumbench calibrate`` refits it on yours)."""
FACTS_VERSION = "v2"
"""The algorithm of the ``lexical-v2`` key-fact matcher, which delegates to this backend."""


def fact_weights(claim: str, context: Sequence[str] = ()) -> dict[str, float]:
    """Content words of ``claim`` weighted by inverse frequency among the set of claims
    ``context`` (the task's key facts; the claim counts among them)."""
    return dict(_fact_weights(claim, frozenset(context) | {claim}))


@lru_cache(maxsize=1 << 12)  # a task's facts are weighed again for every system's summary
def _fact_weights(claim: str, texts: frozenset[str]) -> tuple[tuple[str, float], ...]:
    words = canonical_words(claim) or tuple(dict.fromkeys(stems(claim)))
    frequency: Counter[str] = Counter()
    for text in texts:
        frequency.update(set(canonical_words(text)))
    n = len(texts)
    return tuple((w, math.log((n + 1) / (frequency[w] + 0.5))) for w in words)


def fact_features(
    premise: Premise, claim: str, context: Sequence[str] = ()
) -> tuple[dict[str, float], list[int]]:
    """Named features of a fact against a summary, and the summary sentences supporting it.
    Weights are summed in the fact's word order, never in set order (which follows the hash
    seed), so a score is the same in every process."""
    weights = fact_weights(claim, context)
    total = sum(weights.values()) or 1.0
    # The key-fact rules compare words as written (no digit splitting: premise.bags splits);
    # what the summary holds is computed once for all its facts.
    bags = premise.written_bags
    everywhere = premise.written_words
    held = [(w, v) for w, v in weights.items() if w in everywhere]
    support = cover(held, bags)
    by_sentence = [sum(v for w, v in held if w in bag) for bag in bags]
    best = max(by_sentence, default=0.0)
    mean = total / (len(weights) or 1)
    # Only the fact's distinctive words in its main sentence decide the polarity.
    key_words = {w for w, v in held if v >= mean}
    sentences = premise.sentences
    fact_names = _names(claim)
    plain = _content_words(claim)
    feats = {
        "coverage": sum(v for _, v in held) / total,
        "sentence_coverage": best / total,
        "plain_coverage": (sum(1 for w in plain if canonical(w) in everywhere) / (len(plain) or 1)),
        "numbers_missing": float(bool(quantities(claim) - premise.text_numbers)),
        "dates_missing": float(bool(dates(claim) - premise.text_dates)),
        "names_found": (
            sum(1 for n in fact_names if n in everywhere) / len(fact_names) if fact_names else 1.0
        ),
        "contradiction": float(
            best > 0 and fact_polarity_clash(claim, sentences, by_sentence.index(best), key_words)
        ),
        "fact_words": float(len(weights)),
    }
    return feats, support


def fact_polarity_clash(
    fact: str, sentences: Sequence[str], main: int, key: Collection[str]
) -> bool:
    """Whether the summary states the fact with the opposite polarity: the fact's negated words
    appear only without a negation ("did not tip" vs "tipped"), or the main sentence negates the
    fact's distinctive ``key`` words ("refused to send troops"). (Summary sentences against
    sources compare polarity word by word instead: bench.support.lexicon.polarity_clash.)"""
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
    if not negations(sentences[main]):  # most sentences: no negation to look near
        return False
    main_words = words_with_apostrophes(sentences[main])
    return negated_near(main_words, lambda w: canonical(stem(w)) in key)


def judge_fact(
    premise: Premise, claim: str, context: Sequence[str] = (), threshold: float = FACTS_THRESHOLD
) -> Support:
    """A key fact against a summary: supported when the weighted share of its words reaches
    ``threshold`` and no number, date or polarity vetoes it (a veto makes the score 0)."""
    feats, support = fact_features(premise, claim, context)
    evidence = tuple(support)
    coverage = feats["coverage"]
    if feats["contradiction"]:
        return Support(CONTRADICTED, 0.0, evidence, coverage, "the summary states the opposite")
    if feats["numbers_missing"]:
        return Support(NOT_MENTIONED, 0.0, evidence, coverage, "a number of the fact is missing")
    if feats["dates_missing"]:
        return Support(NOT_MENTIONED, 0.0, evidence, coverage, "a date of the fact is missing")
    if coverage >= threshold:
        return Support(SUPPORTED, coverage, evidence, coverage)
    return Support(NOT_MENTIONED, coverage, evidence, coverage, "too few of its words")


@lru_cache(maxsize=1 << 12)
def _content_words(text: str) -> tuple[str, ...]:
    return tuple(content_words(text))


@lru_cache(maxsize=1 << 12)
def _names(text: str) -> tuple[str, ...]:
    return tuple(names(text))
