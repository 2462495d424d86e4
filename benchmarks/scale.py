"""Scale benchmark: 100,000 CNN/DailyMail-like tasks in Parquet, loaded, then run with ``lead``
and the scorers ``rouge``, ``keyfacts`` and ``stats`` at 10,000 and 100,000 tasks, then the
100,000-task folder resumed (every item already done).

    python benchmarks/scale.py            # full: load 100k, run 10k and 100k
    python benchmarks/scale.py --quick    # smoke: load 20k, run 2k and 20k

The set is generated once per (size, seed) under ``--data`` (default: the system temp folder).
Words follow a Zipf law (exponent 1.1) over 40,000 generated word types with the most frequent
English function words first; sentences have 6-50 words (mean ~22); an article has ~32 of them
(~700 words) in paragraphs of 1-4 sentences, drawn from a pool of 400,000 sentences; the
highlights are 3-4 article sentences shortened to ~15 words each (~55 words), one per line.

Each measurement runs in a fresh child process, so its peak RSS (``resource.getrusage``
``ru_maxrss``, the kernel's high-water mark of resident memory) is that phase's alone.
Targets: loading 100,000 tasks < 30 s; peak RSS < 1 GB (runs and the resume); time(100k) /
time(10k) within 10-12. (``faithfulness`` and ``bertscore`` have their own speed figures:
``benchmarks/faithfulness_meta.py``, ``benchmarks/bertscore_speed.py``.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# fmt: off
FUNCTION_WORDS = [
    "the", "of", "to", "and", "a", "in", "that", "is", "for", "on", "it", "with", "as", "was",
    "said", "he", "at", "by", "from", "his", "be", "have", "has", "an", "are", "but", "not",
    "they", "this", "who", "were", "had", "been", "will", "their", "its", "after", "more", "one",
    "would", "which", "also", "we", "about",
]
# fmt: on
PRESET = "cnn_dailymail"
SYSTEM = "lead"
TARGET_LOAD_S = 30.0
SCORERS = ("rouge", "keyfacts", "stats")
TARGET_RSS_MB = 1024.0
TARGET_RATIO = (10.0, 12.0)


# ------------------------------------------------------------------------------------ data


def _vocabulary(rng: Any, size: int) -> list[str]:
    letters = list("etaoinshrdlcumwfgypbvkjxqz")
    weights = [12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2,
               2.0, 2.0, 1.9, 1.5, 1.0, 0.8, 0.2, 0.2, 0.1, 0.1]  # fmt: skip
    probabilities = [w / sum(weights) for w in weights]
    words = list(FUNCTION_WORDS)
    seen = set(words)
    while len(words) < size:
        length = int(rng.integers(3, 11))
        word = "".join(rng.choice(letters, size=length, p=probabilities))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def _sentences(rng: Any, vocabulary: list[str], count: int) -> list[str]:
    import numpy as np

    ranks = np.arange(1, len(vocabulary) + 1)
    weights = 1.0 / ranks**1.1
    lengths = np.clip(rng.normal(22, 7, size=count).astype(int), 6, 50)
    picks = rng.choice(len(vocabulary), size=int(lengths.sum()), p=weights / weights.sum())
    words = [vocabulary[i] for i in picks.tolist()]
    sentences, start = [], 0
    for length in lengths.tolist():
        chunk = words[start : start + length]
        start += length
        sentences.append(" ".join(chunk).capitalize() + ".")
    return sentences


def generate(path: Path, count: int, seed: int) -> None:
    """Write ``count`` CNN/DailyMail-like rows (article, highlights, id) to ``path``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    pool = _sentences(rng, _vocabulary(rng, 40_000), 400_000)
    schema = pa.schema([("article", pa.string()), ("highlights", pa.string()), ("id", pa.string())])
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema) as writer:
        for start in range(0, count, 5_000):
            rows: dict[str, list[str]] = {"article": [], "highlights": [], "id": []}
            for index in range(start, min(count, start + 5_000)):
                chosen = rng.integers(0, len(pool), size=int(rng.integers(28, 37))).tolist()
                sentences = [pool[i] for i in chosen]
                paragraphs, i = [], 0
                while i < len(sentences):
                    step = int(rng.integers(1, 5))
                    paragraphs.append(" ".join(sentences[i : i + step]))
                    i += step
                highlights = [
                    " ".join(s.split()[:15]).rstrip(".") + " ."
                    for s in sentences[: int(rng.integers(3, 5))]
                ]
                rows["article"].append("\n\n".join(paragraphs))
                rows["highlights"].append("\n".join(highlights))
                rows["id"].append(hashlib.sha1(f"{seed}:{index}".encode()).hexdigest())
            writer.write_table(pa.table(rows, schema=schema), row_group_size=1_000)
    tmp.replace(path)


def dataset(folder: Path, count: int, seed: int) -> Path:
    """The generated set for (count, seed), made on first use."""
    path = folder / f"sumbench-scale-{count}-{seed}.parquet"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        generate(path, count, seed)
        print(f"generated {count:,} tasks in {time.perf_counter() - start:.0f} s: {path}")
    return path


# ---------------------------------------------------------------------------------- phases


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its finished children (scoring workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def phase_load(path: Path) -> dict[str, Any]:
    """Make every task of the set, keeping none."""
    from bench.presets import get_preset
    from bench.tasksets import iter_tasks

    start = time.perf_counter()
    count = sum(1 for _ in iter_tasks(path, **get_preset(PRESET).task_options()))
    return {"tasks": count, "seconds": time.perf_counter() - start, "rss_mb": _peak_rss_mb()}


def phase_run(path: Path, count: int, out: Path) -> dict[str, Any]:
    """Run ``lead`` and :data:`SCORERS` on the first ``count`` tasks, streamed (a folder that
    already holds them is resumed: nothing left to do but read what it holds)."""
    from bench.presets import get_preset
    from bench.run import Run, build_scorers, build_systems
    from bench.sampling import select
    from bench.store import Store
    from bench.tasksets import iter_tasks

    tasks = select(iter_tasks(path, **get_preset(PRESET).task_options()), limit=count)
    run = Run(tasks, build_systems([SYSTEM]), build_scorers(list(SCORERS)), Store(out))
    start, cpu = time.perf_counter(), _cpu_seconds()
    load_before = os.getloadavg()[0]
    stats = run.execute()
    seconds = time.perf_counter() - start
    return {
        "tasks": count,
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "load": (load_before, os.getloadavg()[0]),
        "rss_mb": _peak_rss_mb(),
        "scorers": list(SCORERS),
        "generated": stats.generated,
        "reused": stats.reused,
        "scored": stats.scored,
        "errors": len(stats.errors),
    }


def _child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--phase", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"phase {args[0]} failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 tasks; runs of 2k and 20k")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        if name == "load":
            result = phase_load(Path(rest[0]))
        else:
            result = phase_run(Path(rest[0]), int(rest[1]), Path(rest[2]))
        print(json.dumps(result))
        return 0

    total = 20_000 if args.quick else 100_000
    small = total // 10
    path = dataset(args.data, total, args.seed)
    load = _child("load", str(path))
    print(
        f"load {load['tasks']:,} tasks: {load['seconds']:.1f} s "
        f"({load['tasks'] / load['seconds']:,.0f} tasks/s), peak RSS {load['rss_mb']:,.0f} MB "
        f"[target < {TARGET_LOAD_S:.0f} s at 100,000]"
    )
    runs = []
    with tempfile.TemporaryDirectory(prefix="sumbench-scale-") as tmp:
        for count in (small, total):
            result = _child("run", str(path), str(count), str(Path(tmp) / f"run-{count}"))
            runs.append(result)
            print(
                f"run {SYSTEM} + {'/'.join(result['scorers'])} on {count:,} tasks: "
                f"{result['seconds']:.1f} s ({count / result['seconds']:,.1f} tasks/s), "
                f"peak RSS {result['rss_mb']:,.0f} MB, errors {result['errors']}; "
                f"CPU {result['cpu_seconds']:.1f} s; load average "
                f"{result['load'][0]:.1f} at start, {result['load'][1]:.1f} at end"
            )
        resumed = _child("run", str(path), str(total), str(Path(tmp) / f"run-{total}"))
        print(
            f"resume the {total:,}-task folder (every item done): {resumed['seconds']:.1f} s, "
            f"peak RSS {resumed['rss_mb']:,.0f} MB, generated {resumed['generated']}, "
            f"scored {resumed['scored']}, reused {resumed['reused']:,}"
        )
        runs.append(resumed)
    ratio = runs[1]["seconds"] / runs[0]["seconds"]
    print(
        f"time ratio {total:,} / {small:,} tasks: {ratio:.2f} "
        f"[target {TARGET_RATIO[0]:.0f}-{TARGET_RATIO[1]:.0f}]; "
        f"peak RSS {max(r['rss_mb'] for r in runs):,.0f} MB [target < {TARGET_RSS_MB:,.0f} MB]"
    )
    cpu_ratio = runs[1]["cpu_seconds"] / runs[0]["cpu_seconds"]
    print(
        f"CPU-time ratio {total:,} / {small:,} tasks: {cpu_ratio:.2f} "
        "(user + system time of the run and its workers: what the machine's other load moves least)"
    )
    if ratio < TARGET_RATIO[0]:
        print("(a ratio under 10 means the small run paid fixed costs or more machine load)")
    ok = (
        (args.quick or load["seconds"] < TARGET_LOAD_S)
        and ratio <= TARGET_RATIO[1]
        and max(r["rss_mb"] for r in runs) < TARGET_RSS_MB
        and runs[2]["generated"] == 0
    )
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
