"""ROUGE engines: rouge-score's exact numbers (bit for bit), computed fast.

    engine = make_engine("auto", types=("rouge1", "rougeLsum"), use_stemmer=True)
    engine.score(target, prediction)["rouge1"]        # Score(precision, recall, fmeasure)
    engine.score_multi([ref_a, ref_b], prediction)    # rouge-score's score_multi rule
    engine.score_batch(pairs)                         # grouped by target, parallel when large

Engines (``engine.name``): ``python`` (pure Python with rapidfuzz, always available), ``rs``
(rouge-score-rs, the ``[fast]`` extra, used only once verified identical in this process) and
``rouge-score`` (the reference package itself). ``auto`` picks the fastest verified one.
rougeLsum sentences are the ``\\n``-separated lines of each text, as in rouge-score.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from bench.scorers.rouge_engine import accelerated, python
from bench.scorers.rouge_engine.accelerated import EngineUnavailable, RsEngine, rs_version
from bench.scorers.rouge_engine.base import BatchEngine, Item
from bench.scorers.rouge_engine.checks import first_difference
from bench.scorers.rouge_engine.python import PythonEngine
from bench.scorers.rouge_engine.reference import RougeScoreEngine
from bench.scorers.rouge_engine.score import ROUGE_TYPES, Score, Scores

ENGINES: dict[str, type[BatchEngine]] = {
    "python": PythonEngine,
    "rs": RsEngine,
    "rouge-score": RougeScoreEngine,
}
"""Engine classes by name."""
ENGINE_NAMES = ("auto", *ENGINES)
_PREFERENCE = ("rs", "python")
"""``auto`` takes the first of these that is available and verified."""
_verdicts: dict[tuple[str, bool], str | None] = {}


class EngineWarning(UserWarning):
    """An installed accelerator was not used because it differs from rouge-score."""


def verify(engine: BatchEngine) -> str | None:
    """Why ``engine`` is not identical to rouge-score on the pairs of :mod:`.checks` (all four
    types, its stemming setting), or ``None``; computed once per process per engine and
    setting."""
    key = (engine.name, engine.use_stemmer)
    if key not in _verdicts:
        full = type(engine)(ROUGE_TYPES, engine.use_stemmer)
        reference = RougeScoreEngine(ROUGE_TYPES, engine.use_stemmer)
        paths = getattr(full, "checked_paths", lambda: [full.score])()
        _verdicts[key] = next(
            (p for p in (first_difference(path, reference.score) for path in paths) if p), None
        )
    return _verdicts[key]


def make_engine(
    name: str = "auto", *, types: Sequence[str] = ROUGE_TYPES, use_stemmer: bool = True
) -> BatchEngine:
    """An engine by name (``auto``, ``python``, ``rs``, ``rouge-score``).

    ``rs`` is checked against rouge-score first. ``auto`` falls back to ``python`` when it is
    not installed, or differs (with an :class:`EngineWarning`); an explicit ``rs`` then raises
    :class:`EngineUnavailable`.
    """
    key = name.strip().lower()
    if key not in ENGINE_NAMES:
        raise ValueError(f"unknown ROUGE engine {name!r}; allowed: {', '.join(ENGINE_NAMES)}")
    if key != "auto":
        engine = ENGINES[key](types, use_stemmer)
        if key == "rs" and (problem := verify(engine)) is not None:
            raise EngineUnavailable(
                f"rouge-score-rs {rs_version()} differs from rouge-score: {problem}"
            )
        return engine
    for candidate in _PREFERENCE:
        try:
            engine = ENGINES[candidate](types, use_stemmer)
        except EngineUnavailable:
            continue
        if candidate == "python":
            return engine
        problem = verify(engine)
        if problem is None:
            return engine
        warnings.warn(
            f"rouge-score-rs {rs_version()} is installed but not used: it differs from "
            f"rouge-score ({problem})",
            EngineWarning,
            stacklevel=2,
        )
    return PythonEngine(types, use_stemmer)


def clear_caches() -> None:
    """Forget the process's cached stems and tokens: engines start cold (for benchmarks)."""
    python._VOCABULARIES.clear()
    accelerated._STEMS.clear()


def available_engines() -> list[str]:
    """Names of the engines that can be created here (verified or not)."""
    found = []
    for name, cls in ENGINES.items():
        try:
            cls(("rouge1",), False)
        except EngineUnavailable:
            continue
        found.append(name)
    return found


__all__ = [
    "ENGINES",
    "ENGINE_NAMES",
    "ROUGE_TYPES",
    "BatchEngine",
    "EngineUnavailable",
    "EngineWarning",
    "Item",
    "PythonEngine",
    "RougeScoreEngine",
    "RsEngine",
    "Score",
    "Scores",
    "available_engines",
    "clear_caches",
    "make_engine",
    "verify",
]
