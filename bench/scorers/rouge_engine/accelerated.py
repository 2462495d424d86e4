"""rouge-score-rs (the ``[fast]`` extra, a Rust port of rouge-score) behind the engine interface.

Pair by pair, with stemming on, texts reach it already stemmed (each distinct word once per
process, by its own stemmer; each reference once for all the summaries scored against it) and it
runs without stemming, which gives the same tokens: its stemming is a quarter of its time on long
texts, the Python side costs back most of that (net about 7% less CPU per long pair, measured).
A large batch goes to its ``score_batch`` whole, stemming included, on all cores: stemming in
Python first would be serial work that its threads wait for (measured on 2 cores, 3,000 long
pairs: 0.25-0.42 s of Python stemming plus 0.73 s scoring, against 0.87 s for the whole batch).
Both paths are used only once they reproduced rouge-score (``verify``, ``checked_paths``).
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable, Sequence
from itertools import islice
from typing import Any

from bench.scorers.rouge_engine import parallel
from bench.scorers.rouge_engine.base import BatchEngine, Item
from bench.scorers.rouge_engine.reference import convert
from bench.scorers.rouge_engine.score import Scores, best
from bench.scorers.rouge_engine.tokens import Stemmer, Stems

INSTALL_HINT = "pip install 'sumbench[fast]'"
CACHED_TEXTS = 4096
"""Stemmed targets kept; the oldest half is dropped when full."""
MAX_WORDS = 1 << 20
"""Distinct words remembered before the stem cache starts afresh."""
_STEMS: list[Stems] = []
"""The process's stem cache, shared by its engines."""


class EngineUnavailable(ValueError):
    """An engine that cannot be used here: not installed, or not identical to rouge-score."""


def rs_version() -> str | None:
    """Installed rouge-score-rs version, or ``None``."""
    try:
        return importlib.metadata.version("rouge-score-rs")
    except importlib.metadata.PackageNotFoundError:
        return None


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as error:
        message = f"ROUGE engine 'rs' needs rouge-score-rs: {INSTALL_HINT}"
        raise EngineUnavailable(message) from error


def rs_stemmer() -> Stemmer:
    """rouge-score-rs's port of NLTK's Porter stemmer, for one word."""
    tokenize = _module("rouge_score_rs.tokenizers").DefaultTokenizer(use_stemmer=True).tokenize

    def stem(word: str) -> str:
        found = tokenize(word)
        return str(found[0]) if found else ""

    return stem


class RsEngine(BatchEngine):
    """rouge-score-rs on texts stemmed once per distinct word and once per reference."""

    name = "rs"

    def __init__(self, types: Sequence[str], use_stemmer: bool) -> None:
        super().__init__(types, use_stemmer)
        module = _module("rouge_score_rs.rouge_scorer")
        self._native: Any = module.RougeScorer(list(self.types), use_stemmer=False)
        self._native_stemming: Any = (
            module.RougeScorer(list(self.types), use_stemmer=True) if use_stemmer else self._native
        )
        self._stemmer = rs_stemmer() if use_stemmer else None
        self._stems: Stems | None = None
        self._targets: dict[str, str] = {}
        """Stemmed recent targets (references), by text."""

    def score_multi(self, targets: Sequence[str], prediction: str) -> Scores:
        """Per type, the score against the first target with the highest F (``score_multi``)."""
        targets, prediction = self._prepared((targets, prediction))
        score = self._native.score
        found = [convert(score(t, prediction), self.types) for t in targets]
        return found[0] if len(found) == 1 else best(found, self.types)

    def score_multi_batch(
        self, items: Sequence[Item], processes: int | None = None
    ) -> list[Scores]:
        """``score_multi`` for every item, in order. A large batch is scored on rouge-score-rs's
        own threads (all cores, or ``RAYON_NUM_THREADS``) unless ``processes`` is 1."""
        processes = parallel.cpu_count() if processes is None else processes
        if processes < 1:
            raise ValueError(f"processes must be at least 1, got {processes}")
        size = sum(len(p) + sum(map(len, t)) for t, p in items)
        if processes == 1 or size < parallel.PARALLEL_CHARS:
            return self.score_serial(items)
        flat = iter(
            self._native_stemming.score_batch(
                [t for targets, _ in items for t in targets],
                [p for targets, p in items for _ in targets],
            )
        )
        results: list[Scores] = []
        for targets, _ in items:
            found = [convert(next(flat), self.types) for _ in targets]
            results.append(found[0] if len(found) == 1 else best(found, self.types))
        return results

    def checked_paths(self) -> list[Callable[[str, str], Scores]]:
        """Every way this engine computes a pair's scores; each must equal rouge-score's."""

        def whole_batch(target: str, prediction: str) -> Scores:
            [found] = self._native_stemming.score_batch([target], [prediction])
            return convert(found, self.types)

        return [self.score, whole_batch]

    def _prepared(self, item: Item) -> Item:
        """The texts rouge-score-rs is given: stemmed (targets from the cache) when stemming."""
        if self._stemmer is None:
            return item
        stems = self._shared_stems(self._stemmer)
        targets, prediction = item
        return [self._target(t, stems) for t in targets], stems.text(prediction)

    def _shared_stems(self, stemmer: Stemmer) -> Stems:
        if not _STEMS or _STEMS[0].words() > MAX_WORDS:
            _STEMS[:] = [Stems(stemmer)]
        if _STEMS[0] is not self._stems:
            self._stems = _STEMS[0]
            self._targets.clear()
        return _STEMS[0]

    def _target(self, text: str, stems: Stems) -> str:
        found = self._targets.get(text)
        if found is None:
            if len(self._targets) >= CACHED_TEXTS:
                for old in list(islice(self._targets, CACHED_TEXTS // 2)):
                    del self._targets[old]
            found = self._targets[text] = stems.text(text)
        return found
