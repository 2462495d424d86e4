"""The pure-Python engine: rouge-score's numbers from cached, interned tokens and bit-parallel LCS.

N-gram overlaps are multiset intersections, computed as the LCS of the two sorted n-gram
sequences (equal values line up in sorted order), which rapidfuzz finds in C.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import islice

import numpy as np
from rapidfuzz.distance import LCSseq

from bench.scorers.rouge_engine.base import BatchEngine
from bench.scorers.rouge_engine.lcs import ReferenceSentences, codes_of, text_of
from bench.scorers.rouge_engine.score import ZERO, Score, Scores, best, fmeasure, ratio_score
from bench.scorers.rouge_engine.tokens import TokenizedText, Vocabulary, nltk_stemmer

CACHED_TEXTS = 2048
"""Targets whose tokens are kept; the oldest half is dropped when full."""
MAX_WORDS = 1 << 20
"""Distinct words a vocabulary remembers before it starts afresh."""
_VOCABULARIES: dict[bool, Vocabulary] = {}
"""One vocabulary (and stem cache) per stemming setting, shared by a process's engines."""
_similarity = LCSseq.similarity


def sorted_tokens(tokens: str) -> str:
    """The token characters in code point order."""
    return text_of(np.sort(codes_of(tokens)))


def _unigrams(text: TokenizedText) -> str:
    found = text.unigrams
    if found is None:
        found = text.unigrams = sorted_tokens(text.tokens)
    return found


def _bigrams(text: TokenizedText) -> array[int]:
    found = text.bigrams
    if found is None:
        codes = codes_of(text.tokens).astype(np.uint64)
        pairs = (codes[:-1] << np.uint64(21)) | codes[1:]  # code points have 21 bits
        pairs.sort()
        found = text.bigrams = array("Q", pairs.tobytes())
    assert isinstance(found, array)
    return found


def _sentences(text: TokenizedText) -> ReferenceSentences:
    found = text.sentences
    if found is None:
        found = text.sentences = ReferenceSentences(text.lines)
    assert isinstance(found, ReferenceSentences)
    return found


def _ngram_score(hits: int, predicted: int, target: int) -> Score:
    precision = hits / max(predicted, 1)
    recall = hits / max(target, 1)
    return Score(precision, recall, fmeasure(precision, recall))


def score_tokens(target: TokenizedText, prediction: TokenizedText, types: Sequence[str]) -> Scores:
    """All requested types for one tokenized pair, as rouge-score computes them."""
    result: Scores = {}
    t, p = target.tokens, prediction.tokens
    for rouge_type in types:
        if rouge_type == "rouge1":
            hits = int(_similarity(_unigrams(target), _unigrams(prediction)))
            result[rouge_type] = _ngram_score(hits, len(p), len(t))
        elif rouge_type == "rouge2":
            hits = int(_similarity(_bigrams(target), _bigrams(prediction))) if t and p else 0
            result[rouge_type] = _ngram_score(hits, len(p) - 1, len(t) - 1)
        elif not t or not p:
            result[rouge_type] = ZERO
        elif rouge_type == "rougeL":
            result[rouge_type] = ratio_score(int(_similarity(t, p)), len(p), len(t))
        else:
            union = _sentences(target).union(prediction.lines)
            hits = int(_similarity(sorted_tokens(union), _unigrams(prediction))) if union else 0
            result[rouge_type] = ratio_score(hits, len(p), len(t))
    return result


class PythonEngine(BatchEngine):
    """rouge-score's results, computed in Python (NLTK's stemmer, rapidfuzz for LCS lengths)."""

    name = "python"

    def __init__(self, types: Sequence[str], use_stemmer: bool) -> None:
        super().__init__(types, use_stemmer)
        self._vocabulary: Vocabulary | None = None
        self._targets: dict[str, TokenizedText] = {}
        """Tokens of recent targets (references), by text."""

    def score_multi(self, targets: Sequence[str], prediction: str) -> Scores:
        """Per type, the score against the first target with the highest F (``score_multi``)."""
        vocabulary = _VOCABULARIES.get(self.use_stemmer)
        size = len(prediction) + sum(map(len, targets))
        if vocabulary is None or vocabulary.room() < size or vocabulary.words() > MAX_WORDS:
            stemmer = nltk_stemmer() if self.use_stemmer else None
            vocabulary = _VOCABULARIES[self.use_stemmer] = Vocabulary(stemmer)
        if vocabulary is not self._vocabulary:
            self._vocabulary = vocabulary
            self._targets.clear()
        predicted = vocabulary.tokenize(prediction)
        scores = [score_tokens(self._target(t, vocabulary), predicted, self.types) for t in targets]
        return scores[0] if len(scores) == 1 else best(scores, self.types)

    def _target(self, text: str, vocabulary: Vocabulary) -> TokenizedText:
        found = self._targets.get(text)
        if found is None:
            if len(self._targets) >= CACHED_TEXTS:
                for old in list(islice(self._targets, CACHED_TEXTS // 2)):
                    del self._targets[old]
            found = self._targets[text] = vocabulary.tokenize(text)
        return found
