"""Scoring in worker processes against scoring in the calling thread, on one run's items.

    python benchmarks/score_workers.py [--tasks 2000] [--systems 3]

Tasks are the first ``--tasks`` rows of the generated CNN/DailyMail-like set of
``benchmarks/scale.py`` (made on first use); each system is a ``precomputed`` file of the first
40-100 words of every article in 2-5 sentences, so generation costs nothing and the time is the
harness's scoring: ``rouge`` (rouge-score-rs when installed, rougeLsum sentences split with
Punkt) and ``stats``. The same run goes into two fresh folders, with ``score_workers=1`` and
with one process per core, alternating which goes first; the stored scores must be identical.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import PRESET, dataset

from bench.presets import get_preset
from bench.run import Run, build_scorers, build_systems
from bench.sampling import select
from bench.scorers.rouge_engine.parallel import cpu_count
from bench.store import Store
from bench.tasksets import iter_tasks

SCORERS = ["rouge", "stats"]


def outputs(tasks: list, systems: int, folder: Path) -> list[str]:
    """One precomputed file per system: the first 40 + 20 k words of each article."""
    specs = []
    for k in range(systems):
        path = folder / f"system{k}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for task in tasks:
                words = task.documents[0].text.split()[: 40 + 20 * k]
                handle.write(
                    json.dumps({"task_id": task.id, "system": f"s{k}", "summary": " ".join(words)})
                    + "\n"
                )
        specs.append(f"precomputed:path={path},name=s{k}")
    return specs


def timed(tasks: list, specs: list[str], out: Path, workers: int) -> float:
    run = Run(
        tasks, build_systems(specs), build_scorers(SCORERS), Store(out), score_workers=workers
    )
    start = time.perf_counter()
    stats = run.execute()
    assert not stats.errors, stats.errors[:3]
    return time.perf_counter() - start


def stored(folder: Path) -> pd.DataFrame:
    scores = Store(folder).scores()
    return scores.sort_values(["task_id", "system", "scorer", "metric"]).reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--systems", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    path = dataset(Path(tempfile.gettempdir()), 20_000, 0)
    tasks = list(select(iter_tasks(path, **get_preset(PRESET).task_options()), limit=args.tasks))
    cores = cpu_count()
    items = len(tasks) * args.systems
    seconds = {1: 0.0, cores: 0.0}
    with tempfile.TemporaryDirectory(prefix="sumbench-workers-") as tmp:
        specs = outputs(tasks, args.systems, Path(tmp))
        for round_ in range(args.rounds):
            order = [1, cores] if round_ % 2 == 0 else [cores, 1]
            for workers in order:
                out = Path(tmp) / f"run-{round_}-{workers}"
                seconds[workers] += timed(tasks, specs, out, workers)
        same = stored(Path(tmp) / "run-0-1").equals(stored(Path(tmp) / f"run-0-{cores}"))
    print(
        f"{len(tasks):,} tasks x {args.systems} systems = {items:,} items, scorers "
        f"{', '.join(SCORERS)}; {args.rounds} rounds each; identical scores: {same}"
    )
    for workers, total in seconds.items():
        each = total / args.rounds
        print(f"  score_workers={workers}: {each:6.1f} s per run, {items / each:7.1f} items/s")
    print(f"  ratio: {seconds[1] / seconds[cores]:.2f}x with {cores} processes")
    if not same:
        raise SystemExit("scores differ")


if __name__ == "__main__":
    main()
