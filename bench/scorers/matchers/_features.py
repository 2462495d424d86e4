"""Lexical features of a (summary, fact) pair beyond ``lexical-v2``'s, for the v2 calibrated
matchers: numbers that agree, the best local window, shared word prefixes, missing words."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from bench.scorers._tokens import stem, tokens
from bench.scorers.matchers.lexical import LexicalMatcher, fact_weights
from bench.support.lexicon import STOPWORDS, canonical_set
from bench.support.numbers import missing_numbers, quantities
from bench.support.synonyms import canonical
from bench.task import KeyFact

WINDOW = 12
"""Tokens in the window of :func:`window_coverage`: about one clause."""
PREFIX = 5
"""Leading letters two words of this length or more must share to count as related
("discovered" / "discovery", "victory" / "victorious") when their stems differ."""
EXTRA_FEATURES = (
    "numbers_missing_v2",
    "numbers_found",
    "window_coverage",
    "prefix_coverage",
    "missing_words",
)

_LEXICAL = LexicalMatcher()


@lru_cache(maxsize=1 << 16)
def _positions(sentence: str) -> tuple[tuple[int, str], ...]:
    """(token index, canonical stem) of each content token of ``sentence``."""
    return tuple(
        (i, canonical(stem(t))) for i, t in enumerate(tokens(sentence)) if t not in STOPWORDS
    )


def window_coverage(
    weights: dict[str, float], sentences: Sequence[str], width: int = WINDOW
) -> float:
    """The largest weighted share of the fact's words inside ``width`` consecutive tokens of
    one sentence: the words of a stated fact sit together, those of a scattered one do not."""
    total = sum(weights.values())
    if not total:
        return 0.0
    best = 0.0
    for sentence in sentences:
        hits = [(i, w) for i, w in _positions(sentence) if w in weights]
        counts: dict[str, int] = {}
        got = 0.0
        start = 0
        for position, word in hits:
            counts[word] = counts.get(word, 0) + 1
            if counts[word] == 1:
                got += weights[word]
            while position - hits[start][0] >= width:
                gone = hits[start][1]
                counts[gone] -= 1
                if not counts[gone]:
                    got -= weights[gone]
                start += 1
            best = max(best, got)
    return best / total


def prefix_coverage(weights: dict[str, float], everywhere: frozenset[str]) -> float:
    """Weighted share of the fact's words found in the summary exactly or, for words of
    :data:`PREFIX` letters or more, by a summary word with the same first letters."""
    total = sum(weights.values())
    if not total:
        return 0.0
    prefixes = {w[:PREFIX] for w in everywhere if len(w) >= PREFIX}
    found = sum(
        weight
        for word, weight in weights.items()
        if word in everywhere or (len(word) >= PREFIX and word[:PREFIX] in prefixes)
    )
    return found / total


def extra_features(
    fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
) -> dict[str, float]:
    """The features of :data:`EXTRA_FEATURES` for one pair.

    ``numbers_missing_v2`` does not read a bare "one" of the fact as a number (it is mostly a
    pronoun); ``numbers_found`` is 1 when the fact states numbers and the summary has them all.
    """
    weights = fact_weights(fact, siblings)
    everywhere = frozenset().union(*(canonical_set(s) for s in sentences))
    summary = " ".join(sentences)
    false_number = bool(missing_numbers(fact.text, summary, word_one=False))
    return {
        "numbers_missing_v2": float(false_number),
        "numbers_found": float(bool(quantities(fact.text, False)) and not false_number),
        "window_coverage": window_coverage(weights, sentences),
        "prefix_coverage": prefix_coverage(weights, everywhere),
        "missing_words": float(sum(1 for w in weights if w not in everywhere)),
    }


def lexical_features_v2(
    fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
) -> tuple[dict[str, float], list[int]]:
    """``lexical-v2``'s features and support sentences, with :func:`extra_features` added."""
    found, support = _LEXICAL.features(fact, sentences, siblings)
    found.update(extra_features(fact, sentences, siblings))
    return found, support
