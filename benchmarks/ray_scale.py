"""Items/s of the local executor against the Ray executor on a local Ray cluster of 1 and 2
nodes (one CPU each), on the same generated task set, and the driver's own ceiling.

    python benchmarks/ray_scale.py [--items 400] [--delay 0.05]

Two systems (``python`` adapter, one call at a time, as a system without its own concurrency):
``pause`` waits ``--delay`` seconds per item (an API- or GPU-bound system: the wait is not
this machine's CPU), ``instant`` returns at once (so the run measures the driver: planning,
scoring with ROUGE, the recorder writing rows, and for Ray each unit's round trip). Each
configuration is a fresh run with no cache; the tables are checked equal to the local run's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from bench.request import SummaryRequest

HERE = Path(__file__).resolve().parent
DELAY = float(os.environ.get("SUMBENCH_BENCH_DELAY", "0.05"))


def pause(request: SummaryRequest) -> str:
    """The first budget words, after a wait (a remote model's latency)."""
    time.sleep(DELAY)
    return instant(request)


def instant(request: SummaryRequest) -> str:
    """The first budget words, at once."""
    return " ".join(request.documents[0].text.split()[: request.budget])


def tasks_file(path: Path, count: int) -> Path:
    """``count`` tasks of made-up text (eight sentences, two reference sentences)."""
    words = [
        "council",
        "bridge",
        "river",
        "mayor",
        "budget",
        "vote",
        "city",
        "plan",
        "road",
        "school",
        "water",
        "park",
    ]
    chance = random.Random(1)

    def sentence() -> str:
        return " ".join(chance.choice(words) for _ in range(10)).capitalize()

    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            row = {
                "id": f"task-{i:05d}",
                "documents": [". ".join(sentence() for _ in range(8)) + "."],
                "references": [". ".join(sentence() for _ in range(2)) + "."],
            }
            handle.write(json.dumps(row) + "\n")
    return path


def timed(tasks: Path, out: Path, function: str, executor: str) -> tuple[float, str]:
    """Seconds of one run (plan excluded) and its table."""
    from bench.report.build import build_report
    from bench.run import RunOptions, plan_run
    from bench.store import Store

    system = f"python:function=ray_scale:{function},name={function}"
    job = plan_run(
        RunOptions(
            tasks=str(tasks),
            out=out,
            systems=[system],
            scorers=["rouge"],
            no_cache=True,
            executor=executor,
        )
    )
    start = time.perf_counter()
    stats = job.execute()
    seconds = time.perf_counter() - start
    assert stats.errors.total == 0, stats.errors
    return seconds, build_report(Store(out), charts=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--delay", type=float, default=DELAY)
    args = parser.parse_args()
    os.environ["SUMBENCH_BENCH_DELAY"] = str(args.delay)
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parent / "tests"))
    from run.ray_cluster import NODE, local_cluster

    print(f"uptime: {os.popen('uptime').read().strip()}")
    root = Path(tempfile.mkdtemp())
    tasks = tasks_file(root / "tasks.jsonl", args.items)
    results: dict[tuple[str, str], float] = {}
    tables: dict[tuple[str, str], str] = {}
    for function in ("pause", "instant"):
        key = (function, "local")
        results[key], tables[key] = timed(tasks, root / f"{function}-local", function, "local")
    env = {"PYTHONPATH": str(HERE), "SUMBENCH_BENCH_DELAY": str(args.delay)}
    with local_cluster(1, env) as cluster:
        for nodes in (1, 2):
            if nodes == 2:
                cluster.add_node(**NODE)
                cluster.wait_for_nodes()
            for function in ("pause", "instant"):
                key = (function, f"ray-{nodes}")
                out = root / f"{function}-{key[1]}"
                results[key], tables[key] = timed(tasks, out, function, "ray")
                assert tables[key] == tables[(function, "local")], f"{key}: table differs"
    print(f"{args.items} items, one ROUGE scorer; pause = {args.delay * 1000:.0f} ms per item")
    print(f"{'system':8} {'executor':9} {'seconds':>8} {'items/s':>8} {'vs local':>8}")
    for (function, executor), seconds in results.items():
        ratio = results[(function, "local")] / seconds
        rate = args.items / seconds
        print(f"{function:8} {executor:9} {seconds:8.2f} {rate:8.1f} {ratio:8.2f}")
    print("tables equal to the local run's: yes")
    print(f"uptime: {os.popen('uptime').read().strip()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
