"""Spreading a large batch over worker processes: items grouped by target, results in order."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from bench.scorers.rouge_engine.score import Score, Scores

if TYPE_CHECKING:
    from bench.scorers.rouge_engine.base import BatchEngine, Item

PARALLEL_CHARS = 300_000
"""Batches with fewer characters than this are scored in-process: workers would cost more."""
CHUNKS_PER_PROCESS = 4

Spec = tuple[type["BatchEngine"], tuple[str, ...], bool]
_ENGINES: dict[Spec, BatchEngine] = {}
"""Engines by spec: a forked worker inherits the parent's (warm caches), other workers make one."""


def cpu_count() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def score_in_processes(
    engine: BatchEngine, items: Sequence[Item], processes: int | None
) -> list[Scores]:
    """``engine.score_serial(items)``, computed by up to ``processes`` workers when large."""
    if processes is None:
        processes = cpu_count()
    if processes < 1:
        raise ValueError(f"processes must be at least 1, got {processes}")
    groups: dict[tuple[str, ...], list[int]] = {}
    size = 0
    for index, (targets, prediction) in enumerate(items):
        key = tuple(targets)
        groups.setdefault(key, []).append(index)
        size += len(prediction)
    size += sum(sum(map(len, key)) * len(indices) for key, indices in groups.items())
    if processes == 1 or size < PARALLEL_CHARS or len(items) < 2:
        return engine.score_serial(items)
    chunks = _chunks(list(groups.values()), processes * CHUNKS_PER_PROCESS)
    spec: Spec = (type(engine), engine.types, engine.use_stemmer)
    _ENGINES[spec] = engine
    results: list[Scores | None] = [None] * len(items)
    types = engine.types
    try:
        with ProcessPoolExecutor(
            max_workers=min(processes, len(chunks)), mp_context=multiprocessing.get_context()
        ) as pool:
            work = [[items[i] for i in chunk] for chunk in chunks]
            done = pool.map(_score_chunk, [spec] * len(work), work)
            for chunk, values in zip(chunks, done, strict=True):
                for index, flat in zip(chunk, values, strict=True):
                    results[index] = {
                        t: Score(flat[3 * k], flat[3 * k + 1], flat[3 * k + 2])
                        for k, t in enumerate(types)
                    }
    finally:
        del _ENGINES[spec]
    return [r for r in results if r is not None]


def _chunks(groups: list[list[int]], count: int) -> list[list[int]]:
    """Groups joined (or a large group split) into about ``count`` chunks of similar sizes."""
    target = max(1, -(-sum(map(len, groups)) // count))
    chunks: list[list[int]] = [[]]
    for group in groups:
        for start in range(0, len(group), target):
            if len(chunks[-1]) >= target:
                chunks.append([])
            chunks[-1].extend(group[start : start + target])
    return chunks


def _score_chunk(spec: Spec, items: list[Item]) -> list[list[float]]:
    engine = _ENGINES.get(spec)
    if engine is None:
        cls, types, use_stemmer = spec
        engine = _ENGINES[spec] = cls(types, use_stemmer)
    flat: list[list[float]] = []
    for scores in engine.score_serial(items):
        values: list[Any] = []
        for rouge_type in spec[1]:
            values.extend(scores[rouge_type])
        flat.append(values)
    return flat
