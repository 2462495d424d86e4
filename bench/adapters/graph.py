"""Graph-based extractive baselines: TextRank (Mihalcea & Tarau 2004) and LexRank (Erkan &
Radev 2004), in plain numpy."""

from __future__ import annotations

from collections import Counter

import numpy as np
import numpy.typing as npt
from scipy import sparse

from bench.adapters._select import (
    Sentence,
    select_ranked,
    sentence_pool,
)
from bench.adapters.base import Summarizer, register_adapter
from bench.params import invalid
from bench.request import Summary, SummaryRequest
from bench.text import alphanumeric_words

Matrix = npt.NDArray[np.float64]

DAMPING = 0.85
TOLERANCE = 1e-6
MAX_ITERATIONS = 100

_STOPWORD_LIST = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own said same says she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
"""
STOPWORDS = frozenset(_STOPWORD_LIST.split())
"""English function words left out of TextRank and LexRank similarities."""


def content_words(text: str) -> list[str]:
    """Lowercased tokens without English stopwords."""
    return [token for token in alphanumeric_words(text) if token not in STOPWORDS]


def pagerank(weights: Matrix) -> Matrix:
    """Stationary scores of a weighted graph by power iteration (self-loops ignored).

    Rows are normalised to transition probabilities; a sentence similar to no other one
    links to every sentence uniformly, so an empty graph gives equal scores.
    """
    n = weights.shape[0]
    if n == 0:
        return np.zeros(0)
    links = weights.astype(np.float64, copy=True)
    np.fill_diagonal(links, 0.0)
    sums = links.sum(axis=1, keepdims=True)
    transition = np.divide(links, sums, out=np.full_like(links, 1.0 / n), where=sums > 0)
    scores = np.full(n, 1.0 / n)
    for _ in range(MAX_ITERATIONS):
        updated = (1.0 - DAMPING) / n + DAMPING * (transition.T @ scores)
        converged = float(np.abs(updated - scores).sum()) < TOLERANCE
        scores = updated
        if converged:
            break
    return scores


def ranking(scores: Matrix) -> list[int]:
    """Sentence indices by score, highest first; equal scores keep source order."""
    # Rounding makes ties that are exact in arithmetic exact in floating point too.
    rounded = np.round(scores / max(float(scores.sum()), 1e-300), 10)
    return sorted(range(len(rounded)), key=lambda i: (-float(rounded[i]), i))


def _term_matrix(bags: list[Counter[str]]) -> sparse.csr_matrix:
    """Sentences x vocabulary counts, sparse: a cluster of many long articles has tens of
    thousands of word types, too many for a dense matrix per sentence."""
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for row, bag in enumerate(bags):
        for word, count in bag.items():
            rows.append(row)
            columns.append(vocabulary.setdefault(word, len(vocabulary)))
            values.append(float(count))
    shape = (len(bags), len(vocabulary))
    return sparse.csr_matrix((values, (rows, columns)), shape=shape, dtype=np.float64)


def textrank_similarity(pool: list[Sentence]) -> Matrix:
    """Shared content words over (log|s1| + log|s2|), as in Mihalcea & Tarau (2004)."""
    bags = [content_words(s.text) for s in pool]
    present = _term_matrix([Counter(set(bag)) for bag in bags])
    overlap: Matrix = (present @ present.T).toarray()
    logs = np.log(np.maximum([len(bag) for bag in bags], 1).astype(np.float64))
    denominator = logs[:, None] + logs[None, :]
    # Two one-word sentences sharing their word have log 1 + log 1 = 0: count the overlap.
    safe = np.where(denominator > 0, denominator, 1.0)
    similarity: Matrix = np.where(denominator > 0, overlap / safe, overlap)
    return similarity


def tfidf_cosine(pool: list[Sentence]) -> Matrix:
    """Cosine similarity of TF-IDF vectors, IDF computed over the sentences of the task."""
    counts = _term_matrix([Counter(content_words(s.text)) for s in pool])
    frequency = np.asarray((counts > 0).sum(axis=0)).ravel()
    idf = np.log(len(pool) / np.maximum(frequency, 1))
    vectors = counts.multiply(idf[None, :]).tocsr()
    norms = np.sqrt(np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    unit = sparse.diags(scale) @ vectors
    similarity: Matrix = (unit @ unit.T).toarray()
    return similarity


@register_adapter("textrank")
class TextRank(Summarizer):
    """TextRank: PageRank over word-overlap similarity; top sentences in source order."""

    light = True
    cacheable = False  # instant to rerun; its output follows the code, not a model

    def summarize(self, request: SummaryRequest) -> Summary:
        """Rank sentences by TextRank and take them best first while they fit."""
        pool = sentence_pool(request)
        order = ranking(pagerank(textrank_similarity(pool)))
        return select_ranked(pool, order, request.budget).summary(source_order=True)


@register_adapter("lexrank")
class LexRank(Summarizer):
    """LexRank: continuous (TF-IDF cosine weighted) or, with a threshold, the binary graph."""

    light = True
    cacheable = False  # instant to rerun; its output follows the code, not a model

    def __init__(self, threshold: float | None = None) -> None:
        if threshold is not None and not 0.0 <= threshold < 1.0:
            raise invalid("adapter 'lexrank'", "threshold", "a number in [0, 1) or none", threshold)
        self.threshold = threshold

    def summarize(self, request: SummaryRequest) -> Summary:
        """Rank sentences by LexRank and take them best first while they fit."""
        pool = sentence_pool(request)
        similarity = tfidf_cosine(pool)
        if self.threshold is not None:
            similarity = (similarity > self.threshold).astype(np.float64)
        order = ranking(pagerank(similarity))
        selection = select_ranked(pool, order, request.budget)
        return selection.summary(source_order=True, threshold=self.threshold)
