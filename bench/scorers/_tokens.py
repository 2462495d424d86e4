"""rouge-score's tokenizer (lowercase, keep a-z0-9, Porter-stem words over 3 letters), with a
stem cache: the Porter stemmer dominates the cost of matching and fragment statistics."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from rouge_score import tokenize as rouge_tokenize

from bench.scripts import MIN_KEPT_SHARE, kept_share, unicode_words

__all__ = [
    "MIN_KEPT_SHARE",
    "TokenizerWarning",
    "kept_share",
    "stem",
    "tokens",
    "unicode_tokens",
    "warn_if_dropped",
]


class _CachedStemmer:
    """nltk's PorterStemmer (as rouge-score builds it) behind an LRU cache; NLTK is imported
    with the first word stemmed (about a second), not by the commands that never stem."""

    def __init__(self) -> None:
        self._stemmer: Any = None
        self.stem = lru_cache(maxsize=1 << 17)(self._stem)

    def _stem(self, word: str) -> str:
        if self._stemmer is None:
            from nltk.stem.porter import PorterStemmer

            self._stemmer = PorterStemmer()
        return str(self._stemmer.stem(word))


_STEMMER = _CachedStemmer()


_NON_ALNUM = re.compile(rouge_tokenize.NON_ALPHANUM_PATTERN)
_STEMMED: dict[str, str] = {}
"""Word (a lowercase ``[a-z0-9]+`` run) -> its stemmed token, ``""`` when rouge-score drops it."""
STEMMED_WORDS = 1 << 18
"""Words :data:`_STEMMED` holds before it starts afresh (memory stays bounded)."""


def tokens(text: str, stem: bool = False) -> list[str]:
    """Tokens exactly as ``rouge_score.tokenize.tokenize`` makes them, stemmed or not.

    The same steps (lowercase, non-``[a-z0-9]`` runs to a space, split, stem words over 3
    characters, drop tokens that are not ``[a-z0-9]+``), with each word's stemmed token kept:
    after the replacement every word is ``[a-z0-9]+``, so only stemming can make one invalid."""
    words = _NON_ALNUM.sub(" ", text.lower()).split()
    if not stem:
        return words
    known = _STEMMED
    try:
        found = [known[w] for w in words]
    except KeyError:
        if len(known) > STEMMED_WORDS:
            known.clear()
        found = []
        for w in words:  # never read back from ``known``: another thread may clear it
            token = known.get(w)
            if token is None:
                token = _STEMMER.stem(w) if len(w) > 3 else w
                token = known[w] = token if rouge_tokenize.VALID_TOKEN_RE.match(token) else ""
            found.append(token)
    return [t for t in found if t]


def stem(word: str) -> str:
    """rouge-score's stemming of one lowercase token: Porter for tokens over 3 characters."""
    return _STEMMER.stem(word) if len(word) > 3 else word


_porter = stem


def unicode_tokens(text: str, stem: bool = False) -> list[str]:
    """Tokens of every script: NFKC-normalised, case-folded runs of letters and digits, each
    Chinese or Japanese character on its own (those scripts do not separate words by spaces).
    With ``stem``, ASCII tokens are Porter-stemmed as rouge-score does (over 3 characters); on
    ASCII text the tokens equal rouge-score's."""
    found = unicode_words(text)
    if stem:
        found = [_porter(t) if t.isascii() else t for t in found]
    return found


class TokenizerWarning(UserWarning):
    """rouge-score's tokenizer dropped most of a text (a non-Latin script): a metric built on
    its tokens is void for it."""


def warn_if_dropped(
    scorer: str, task_id: str, texts: Iterable[tuple[str, str]], consequence: str
) -> bool:
    """Warn (once, for the first text) when the tokenizer keeps under half of a text's
    characters; ``texts`` are (what, text) pairs. Whether a warning was given."""
    for what, text in texts:
        kept = kept_share(text)
        if kept is not None and kept < MIN_KEPT_SHARE:
            warnings.warn(
                f"{scorer}: task {task_id!r}: rouge-score's default tokenizer keeps only a-z and "
                f"0-9 and dropped {1 - kept:.0%} of the non-space characters of {what}; "
                f"{consequence}",
                TokenizerWarning,
                stacklevel=3,
            )
            return True
    return False
