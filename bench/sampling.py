"""Which tasks a run takes: the first N, a stable sample, one shard of several.

Sample and shard depend only on task ids and the seed (SHA-256, not Python's salted ``hash``),
so every run on every machine picks the same tasks whatever the input order. :func:`select`
applies limit, then sample, then shard: the shards of a sample partition that sample.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Protocol, TypeVar


class HasId(Protocol):
    """Anything with a task id, e.g. :class:`~bench.task.Task`."""

    @property
    def id(self) -> str: ...


T = TypeVar("T", bound="str | HasId")

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1 or not 1 <= self.index <= self.count:
            raise ValueError(
                f"shard {self.index}/{self.count} does not exist; "
                f"expected I/N with 1 <= I <= N, e.g. 2/4"
            )

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, task_id: str) -> bool:
        """True when ``task_id`` belongs to this shard."""
        return shard_of(task_id, self.count) == self.index


def parse_shard(text: str) -> Shard:
    """Parse ``I/N`` (1 <= I <= N), e.g. ``2/4``."""
    match = _SHARD.fullmatch(text)
    if match is None:
        raise ValueError(f"bad shard {text!r}; expected I/N with 1 <= I <= N, e.g. 2/4")
    return Shard(int(match[1]), int(match[2]))


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def shard_of(task_id: str, count: int) -> int:
    """The shard (1-based) of ``count`` that ``task_id`` falls in."""
    return _digest(task_id) % count + 1


def sample_key(task_id: str, seed: int = 0) -> int:
    """Rank of ``task_id`` in the sample order of ``seed``: a sample keeps the smallest keys."""
    return _digest(f"{seed}:{task_id}")


def _id(item: str | HasId) -> str:
    return item if isinstance(item, str) else item.id


def take_sample(items: Iterable[T], size: int, seed: int = 0) -> list[T]:
    """The ``size`` items with the smallest :func:`sample_key`, in input order.

    Streams with a heap of ``size`` entries; independent of input order.
    """
    if size < 0:
        raise ValueError(f"sample size must be >= 0 (got {size})")
    heap: list[tuple[int, int, int, T]] = []  # (-key, -position, position, item): a max-heap
    for position, item in enumerate(items):
        entry = (-sample_key(_id(item), seed), -position, position, item)
        if len(heap) < size:
            heapq.heappush(heap, entry)
        elif size and entry[:2] > heap[0][:2]:
            heapq.heapreplace(heap, entry)
    return [entry[3] for entry in sorted(heap, key=lambda e: e[2])]


def select(
    items: Iterable[T],
    *,
    limit: int | None = None,
    sample: int | None = None,
    seed: int = 0,
    shard: Shard | str | None = None,
) -> Iterator[T]:
    """Task ids or tasks for ``--limit N``, ``--sample N --seed S`` and ``--shard I/N``.

    Lazy except for a sample, which reads the whole input (keeping ``N`` items) before yielding.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0 (got {limit})")
    chosen: Iterable[T] = items
    if limit is not None:
        chosen = islice(chosen, limit)
    if sample is not None:
        chosen = take_sample(chosen, sample, seed)
    if shard is not None:
        part = parse_shard(shard) if isinstance(shard, str) else shard
        chosen = (item for item in chosen if part.holds(_id(item)))
    return iter(chosen)
