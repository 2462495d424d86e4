"""rouge-score's tokenizer (lowercase, keep a-z0-9, Porter-stem words over 3 letters), with a
stem cache: the Porter stemmer dominates the cost of matching and fragment statistics."""

from __future__ import annotations

import re
from functools import lru_cache

from nltk.stem.porter import PorterStemmer
from rouge_score import tokenize as rouge_tokenize

_KEPT = re.compile(r"[a-z0-9]")


class _CachedStemmer:
    """nltk's PorterStemmer (as rouge-score builds it) behind an LRU cache."""

    def __init__(self) -> None:
        self._stemmer = PorterStemmer()
        self.stem = lru_cache(maxsize=1 << 17)(self._stem)

    def _stem(self, word: str) -> str:
        return str(self._stemmer.stem(word))


_STEMMER = _CachedStemmer()


def tokens(text: str, stem: bool = False) -> list[str]:
    """Tokens exactly as ``rouge_score.tokenize.tokenize`` makes them, stemmed or not."""
    found: list[str] = rouge_tokenize.tokenize(text, _STEMMER if stem else None)
    return found


def stem(word: str) -> str:
    """rouge-score's stemming of one lowercase token: Porter for tokens over 3 characters."""
    return _STEMMER.stem(word) if len(word) > 3 else word


def kept_share(text: str) -> float | None:
    """Share of the non-space characters the tokenizer keeps; ``None`` for blank text."""
    lowered = text.lower()
    visible = sum(1 for char in lowered if not char.isspace())
    if not visible:
        return None
    return len(_KEPT.findall(lowered)) / visible
