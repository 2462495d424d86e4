"""Polarity of a statement: whether it is negated ("did not", "never") or reversed by a verb
such as "refused", so that a summary stating the opposite of a fact gets no credit."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "without",
        "cannot",
        "n't",
        "nt",
    ]
)
"""Words that negate what follows."""
REVERSERS = frozenset(
    [
        "refuse",
        "refused",
        "refuses",
        "refusing",
        "deny",
        "denied",
        "denies",
        "denying",
        "reject",
        "rejected",
        "rejects",
        "rejecting",
        "decline",
        "declined",
        "declines",
        "declining",
        "fail",
        "failed",
        "fails",
        "failing",
        "unable",
        "halt",
        "halted",
        "scrap",
        "scrapped",
        "cancel",
        "cancelled",
        "canceled",
        "abandon",
        "abandoned",
        "oppose",
        "opposed",
        "opposes",
    ]
)
"""Words that state the opposite of the action they govern ("refused to send troops")."""

_APOSTROPHE_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


@lru_cache(maxsize=1 << 15)
def negations(text: str) -> int:
    """How many negating or reversing words ``text`` has."""
    return sum(1 for word in words_with_apostrophes(text) if is_negation(word))


def negated(text: str) -> bool:
    """Whether ``text`` reads as negated: an odd number of negations ("not unable" is positive
    only in logic books, but "did not refuse" is common and positive)."""
    return negations(text) % 2 == 1


def negated_near(words: Sequence[str], targets: Callable[[str], bool], window: int = 3) -> bool:
    """Whether a negating word stands at most ``window`` words before a word that ``targets``
    accepts ("refused to send" negates "send"; a "not" in another clause does not)."""
    for index, word in enumerate(words):
        if targets(word) and any(is_negation(w) for w in words[max(0, index - window) : index]):
            return True
    return False


def is_negation(word: str) -> bool:
    """Whether a lowercase word negates or reverses what follows."""
    return word in NEGATORS or word in REVERSERS or word.endswith("n't")


def words_with_apostrophes(text: str) -> list[str]:
    """Lowercase words with apostrophes kept ("didn't")."""
    return _APOSTROPHE_WORD.findall(text.lower().replace("’", "'"))
