"""rouge-score's tokenizer (lowercase, keep a-z0-9, Porter-stem words over 3 letters), with a
stem cache: the Porter stemmer dominates the cost of matching and fragment statistics."""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
import warnings
from collections.abc import Iterable
from functools import lru_cache

from nltk.stem.porter import PorterStemmer
from rouge_score import tokenize as rouge_tokenize

_KEPT = re.compile(r"[a-z0-9]")
_SPACES = re.compile(r"\s+")


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


_porter = stem
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


@functools.cache
def _unicode_token() -> re.Pattern[str]:
    """A CJK character, or a run of letters, digits and combining marks (Devanagari vowel
    signs and viramas are marks: without them Hindi words would break apart)."""
    marks = [
        chr(c)
        for c in range(0x300, sys.maxunicode + 1)
        if unicodedata.category(chr(c)).startswith("M")
    ]
    ranges: list[str] = []
    for char in marks:
        if ranges and ord(char) == ord(ranges[-1][-1]) + 1:
            ranges[-1] = ranges[-1][0] + char
        else:
            ranges.append(char)
    marks_class = "".join(
        re.escape(r[0]) + ("-" + re.escape(r[-1]) if len(r) > 1 else "") for r in ranges
    )
    return re.compile(rf"[{_CJK}]|(?:[^\W_{_CJK}]|[{marks_class}])+")


def unicode_tokens(text: str, stem: bool = False) -> list[str]:
    """Tokens of every script: NFKC-normalised, case-folded runs of letters and digits, each
    Chinese or Japanese character on its own (those scripts do not separate words by spaces).
    With ``stem``, ASCII tokens are Porter-stemmed as rouge-score does (over 3 characters); on
    ASCII text the tokens equal rouge-score's."""
    found = _unicode_token().findall(unicodedata.normalize("NFKC", text).casefold())
    if stem:
        found = [_porter(t) if t.isascii() else t for t in found]
    return found


@lru_cache(maxsize=4096)  # every scorer checks each summary; key facts recur for every system
def kept_share(text: str) -> float | None:
    """Share of the non-space characters the tokenizer keeps; ``None`` for blank text."""
    lowered = text.lower()
    visible = len(lowered) - sum(map(len, _SPACES.findall(lowered)))
    if not visible:
        return None
    return len(_KEPT.findall(lowered)) / visible


MIN_KEPT_SHARE = 0.5
"""Below this share of kept characters, :class:`TokenizerWarning` is emitted."""


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
