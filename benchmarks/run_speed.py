"""End-to-end speed of ``sumbench run`` on precomputed outputs, against a plain rouge-score loop.

    python benchmarks/run_speed.py            # 10 systems x 1,000 tasks (about a minute here)
    python benchmarks/run_speed.py --quick    # 10 systems x 200 tasks (smoke test)

The workload is generated from a fixed seed with the vocabulary and sentence pool of
``benchmarks/scale.py`` (Zipf words, sentences of 6-50 words): CNN/DailyMail-like tasks of
~700-word articles in paragraphs, 3-4 highlights of ~15 words as the reference, 8 key facts of
4-6 words (half from the highlights, half from elsewhere in the article) so ``keyfacts`` does
real work, and 10 systems' precomputed summaries of 3-6 sentences (~60-140 words) drawn from
the article's sentences with some words dropped or replaced.

What is timed is the whole command as a user runs it, in a fresh process: ``sumbench run
--tasks tasks.jsonl --map ... --systems precomputed:path=outputs.jsonl --scorers
rouge,keyfacts,stats --no-charts`` (start-up, reading tasks and outputs, scoring, storing,
the table), once with the ``auto`` ROUGE engine (rouge-score-rs when ``[fast]`` is installed)
and once with ``rouge:engine=python``. The peer is what a user would write: a loop of
``rouge_score.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)
.score_multi`` over the same (references, summary) pairs, with rougeLsum's sentences split by
the same splitter (sumbench's default, Punkt) each time; it is timed on a random sample of
pairs and its rate applied to all. The peer computes ROUGE only; sumbench also scores key
facts and statistics. Targets: >= 500 items/s with [fast], >= 300 without, >= 50x the loop.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

SYSTEMS = 10
TARGET_FAST = 500.0
TARGET_PYTHON = 300.0
TARGET_RATIO = 50.0
MAPPING = "id=id,documents=article,references=highlights,keyfacts=keyfacts"


def _perturb(rng: random.Random, sentence: str, vocabulary: list[str]) -> str:
    words = sentence.rstrip(".").split()
    kept = [w if rng.random() > 0.1 else rng.choice(vocabulary[:2000]) for w in words]
    kept = [w for w in kept if rng.random() > 0.1] or words[:3]
    return " ".join(kept).capitalize() + "."


def generate(folder: Path, tasks: int, seed: int) -> tuple[Path, Path]:
    """Write ``tasks.jsonl`` and ``outputs.jsonl`` (10 systems) under ``folder``."""
    import numpy as np
    from scale import _sentences, _vocabulary

    rng = np.random.default_rng(seed)
    vocabulary = _vocabulary(rng, 40_000)
    pool = _sentences(rng, vocabulary, 100_000)
    pick = random.Random(seed)
    task_rows, output_rows = [], []
    for index in range(tasks):
        sentences = [pool[i] for i in rng.integers(0, len(pool), size=pick.randint(28, 36))]
        paragraphs, i = [], 0
        while i < len(sentences):
            step = pick.randint(1, 4)
            paragraphs.append(" ".join(sentences[i : i + step]))
            i += step
        highlights = [" ".join(s.split()[:15]).rstrip(".") + " ." for s in sentences[:4]]
        facts = []
        for source in (*sentences[:4], *pick.sample(sentences[4:], 4)):
            words = source.rstrip(".").split()
            start = pick.randint(0, max(0, len(words) - 6))
            facts.append(" ".join(words[start : start + pick.randint(4, 6)]))
        task_id = f"cnndm-like-{seed}-{index:05d}"
        task_rows.append(
            {
                "id": task_id,
                "article": "\n\n".join(paragraphs),
                "highlights": "\n".join(highlights),
                "keyfacts": facts,
            }
        )
        for system in range(SYSTEMS):
            count = pick.randint(3, 6)
            start = pick.randint(0, 4) if system % 2 else 0
            chosen = sentences[start : start + count]
            summary = " ".join(_perturb(pick, s, vocabulary) for s in chosen)
            output_rows.append({"task_id": task_id, "system": f"sys{system}", "summary": summary})
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "tasks.jsonl", folder / "outputs.jsonl"
    for path, rows in zip(paths, (task_rows, output_rows), strict=True):
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return paths


def run_sumbench(
    tasks: Path, outputs: Path, out: Path, engine: str, workers: str = "auto"
) -> dict[str, Any]:
    """``sumbench run`` in a fresh process; wall and CPU seconds, and what it stored."""
    rouge = "rouge" if engine == "auto" else f"rouge:engine={engine}"
    command = [
        sys.executable,
        "-m",
        "bench.cli",
        "run",
        "--tasks",
        str(tasks),
        "--map",
        MAPPING,
        "--systems",
        f"precomputed:path={outputs}",
        "--scorers",
        rouge,
        "--scorers",
        "keyfacts",
        "--scorers",
        "stats",
        "--out",
        str(out),
        "--no-charts",
        "--no-cache",
        "--score-workers",
        workers,
    ]
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = os.times()
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"sumbench run failed (exit {done.returncode})")
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return {"seconds": seconds, "cpu": cpu, "info": info}


def _rouge_signature(info: dict[str, Any]) -> str:
    return next(v for k, v in info["signatures"].items() if k.startswith("rouge"))


def rouge_score_loop(tasks: Path, outputs: Path, sample: int, seed: int) -> dict[str, Any]:
    """The plain loop on ``sample`` random pairs: pairs/s, and its numbers for a check."""
    from rouge_score import rouge_scorer

    from bench.text import split_sentences

    references = {}
    for line in tasks.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        references[row["id"]] = row["highlights"]
    pairs = [json.loads(line) for line in outputs.read_text(encoding="utf-8").splitlines()]
    chosen = random.Random(seed).sample(pairs, min(sample, len(pairs)))
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)
    found = {}
    start, cpu = time.perf_counter(), time.process_time()
    for row in chosen:
        target, prediction = references[row["task_id"]], row["summary"]
        plain = scorer.score_multi([target], prediction)
        lsum = scorer.score_multi(
            ["\n".join(split_sentences(target + " "))],  # + " ": not served from a cache
            "\n".join(split_sentences(prediction + " ")),
        )
        found[(row["task_id"], row["system"])] = (plain["rouge1"].fmeasure, lsum["rougeLsum"])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "pairs": len(chosen),
        "rate": len(chosen) / seconds,
        "cpu_rate": len(chosen) / cpu,
        "found": found,
    }


def _stored_matches(out: Path, found: dict[tuple[str, str], Any]) -> bool:
    """sumbench's stored rouge1/rougeLsum F equal the loop's on the sampled pairs."""
    import pandas as pd

    scores = pd.read_csv(out / "scores.csv")
    rows = scores[scores.metric.isin(["rouge1_f", "rougeLsum_f"])]
    table = rows.pivot_table(index=["task_id", "system"], columns="metric", values="value")
    return all(
        table.loc[key, "rouge1_f"] == r1 and table.loc[key, "rougeLsum_f"] == lsum.fmeasure
        for key, (r1, lsum) in found.items()
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 tasks instead of 1,000")
    parser.add_argument("--tasks", type=int, default=None)
    parser.add_argument("--sample", type=int, default=300, help="pairs the rouge-score loop times")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    count = args.tasks or (200 if args.quick else 1000)
    items = count * SYSTEMS
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="sumbench-run-speed-") as tmp:
        tasks, outputs = generate(Path(tmp) / "data", count, args.seed)
        words = sum(len(json.loads(line)["summary"].split()) for line in outputs.open())
        print(
            f"{SYSTEMS} systems x {count:,} tasks = {items:,} items; summaries "
            f"{words / items:.0f} words on average; scorers rouge, keyfacts, stats"
        )
        runs = {}
        for name, engine, workers in (
            ("auto", "auto", "auto"),
            ("python", "python", "auto"),
            ("in-process", "auto", "1"),
        ):
            result = run_sumbench(tasks, outputs, Path(tmp) / f"run-{name}", engine, workers)
            signature = _rouge_signature(result["info"])
            runs[name] = result
            scoring = result["info"]["config"]["score_workers"]
            where = "in-process" if scoring == 1 else f"{scoring} scoring processes"
            print(
                f"  sumbench run ({signature.split('|')[1]}, {where}): {result['seconds']:.1f} s, "
                f"{items / result['seconds']:,.0f} items/s (CPU {result['cpu']:.1f} s: "
                f"{items / result['cpu']:,.0f} items per CPU second)"
            )
        loop = rouge_score_loop(tasks, outputs, args.sample, args.seed)
        same = _stored_matches(Path(tmp) / "run-auto", loop["found"])
    fast = items / runs["auto"]["seconds"]
    python = items / runs["python"]["seconds"]
    print(
        f"  rouge-score loop (per pair, Punkt splitting, sample of {loop['pairs']}): "
        f"{loop['rate']:,.1f} pairs/s ({loop['cpu_rate']:,.1f} per CPU second); stored numbers "
        f"equal the loop's on the sample: {same}"
    )
    print(
        f"ratio to the loop: {fast / loop['rate']:.1f}x (auto engine), "
        f"{python / loop['rate']:.1f}x (python engine) [target >= {TARGET_RATIO:.0f}x]; "
        "per CPU second (what a shared machine's load does not skew): "
        f"{items / runs['auto']['cpu'] / loop['cpu_rate']:.1f}x and "
        f"{items / runs['python']['cpu'] / loop['cpu_rate']:.1f}x"
    )
    print(
        "auto against in-process scoring: "
        f"{runs['in-process']['seconds'] / runs['auto']['seconds']:.2f}x faster, "
        f"{runs['auto']['cpu'] / runs['in-process']['cpu']:.2f}x the CPU time"
    )
    print(f"load average {os.getloadavg()[0]:.1f} at end")
    fast_engine = _rouge_signature(runs["auto"]["info"]).split("|")[1] == "engine:rs"
    checks = {
        f">= {TARGET_FAST:.0f} items/s with [fast]": fast >= TARGET_FAST or not fast_engine,
        f">= {TARGET_PYTHON:.0f} items/s without": python >= TARGET_PYTHON,
        f">= {TARGET_RATIO:.0f}x the loop": fast / loop["rate"] >= TARGET_RATIO,
        "numbers equal the loop's": same,
    }
    ok = all(checks.values())
    print("targets: " + "; ".join(f"{k}: {'met' if v else 'MISSED'}" for k, v in checks.items()))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
