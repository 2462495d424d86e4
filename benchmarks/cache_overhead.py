"""Harness overhead per cached item: a run served entirely from the generation cache.

Builds N small tasks in memory, fills the cache with an instant Python summarizer, then times a
second run into a new results folder that finds every item in the cache, with no scorer, so the
time is the harness's own: cache lookup, key hashing, appending outputs (flushed and fsynced).
Prints microseconds per item against the 1 ms target.

    python benchmarks/cache_overhead.py [--tasks 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.adapters.python import PythonFunction
from bench.cache import GenerationCache
from bench.request import SummaryRequest
from bench.run import Run, System
from bench.store import Store
from bench.task import Document, Reference, Task


def first_words(request: SummaryRequest) -> str:
    """An instant summarizer."""
    return " ".join(request.documents[0].text.split()[:40])


def make_tasks(count: int) -> list[Task]:
    text = " ".join(
        f"Sentence {i} says something about the council and the bridge." for i in range(40)
    )
    return [
        Task(
            id=f"t{i:06d}",
            title="t",
            instructions="Summarize.",
            budget=50,
            documents=[Document(id="d1", text=f"{text} Task {i}.")],
            references=[Reference(id="r1", text="The council approved the bridge.")],
        )
        for i in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000)
    args = parser.parse_args()
    tasks = make_tasks(args.tasks)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        cache = GenerationCache(root / "cache")

        def system() -> System:
            return System(
                "fn",
                "python",
                {"function": "bench:first_words"},
                PythonFunction(first_words),
                "builtin",
            )

        start = time.perf_counter()
        fill = Run(tasks, [system()], [], Store(root / "fill"), cache=cache).execute()
        filled = time.perf_counter() - start
        start = time.perf_counter()
        served = Run(tasks, [system()], [], Store(root / "served"), cache=cache).execute()
        elapsed = time.perf_counter() - start
    assert fill.generated == args.tasks and served.cached == args.tasks
    per_item = elapsed / args.tasks * 1e6
    print(
        f"{args.tasks} tasks; generating (instant model) {filled / args.tasks * 1e6:.0f} us/item; "
        f"served from the cache {per_item:.0f} us/item; target < 1000 us: "
        f"{'OK' if per_item < 1000 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
