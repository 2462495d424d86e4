"""Sentence splitting, word counting and word splitting shared by adapters and scorers.

One splitter for the whole harness: a baseline that picks "the first 3 sentences" and a scorer
that splits rougeLsum sentences must agree on what a sentence is.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import pysbd

SPLITTER_NAME = "pysbd"
"""Name recorded in scorer signatures (e.g. ``lsum:pysbd``)."""

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")
_WORD = re.compile(r"\S+")
_ALPHANUMERIC = re.compile(r"[^\W_]+")
_HAS_WORD = re.compile(r"\w")


_local = threading.local()


def _segmenter(language: str) -> pysbd.Segmenter:
    """This thread's segmenter: a pysbd.Segmenter keeps state while it works, so threads that
    share one (the runner generates concurrently) get each other's sentences."""
    cache: dict[str, pysbd.Segmenter] = _local.__dict__.setdefault("segmenters", {})
    if language not in cache:
        try:
            cache[language] = pysbd.Segmenter(language=language, clean=False)
        except ValueError:  # pysbd knows ~22 languages; fall back to English rules
            cache[language] = pysbd.Segmenter(language="en", clean=False)
    return cache[language]


@lru_cache(maxsize=4096)  # references and recent sources; a stream splits each article once
def _split_cached(text: str, language: str) -> tuple[str, ...]:
    segmenter = _segmenter(language)
    sentences: list[str] = []
    first = False  # whether the current paragraph has a sentence yet
    for paragraph in _PARAGRAPH_BREAK.split(text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        for piece in segmenter.segment(paragraph):
            piece = piece.strip()
            if not piece:
                continue
            if sentences and first and not _HAS_WORD.search(piece):
                sentences[-1] += piece  # pysbd splits a closing quote off: "... targets.'"
            else:
                sentences.append(piece)
            first = True
        first = False
    return tuple(sentences)


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Split text into sentences; a line break always ends a sentence (headlines, list items)."""
    return list(_split_cached(text, language))


def count_words(text: str) -> int:
    """Number of whitespace-delimited words: the unit of length budgets."""
    return len(text.split())  # same as counting _WORD matches, several times faster


def truncate_words(text: str, limit: int) -> str:
    """Cut text after ``limit`` words, keeping the original spacing up to that point."""
    if limit <= 0:
        return ""
    for index, match in enumerate(_WORD.finditer(text)):
        if index == limit - 1:
            return text[: match.end()]
    return text


def alphanumeric_words(text: str) -> list[str]:
    """Lowercased runs of letters and digits of any script, in order: the words sentence
    similarities compare (rouge-score's tokenizer, in :mod:`bench.scorers._tokens`, keeps only
    a-z and 0-9)."""
    return _ALPHANUMERIC.findall(text.lower())
