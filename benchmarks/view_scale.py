"""Scale benchmark of the results site: a synthetic 100,000-item results folder, its site built
by ``sumbench view`` in a child process, then opened in headless Chromium.

    python benchmarks/view_scale.py                      # 100,000 items (20,000 tasks x 5 systems)
    python benchmarks/view_scale.py --items 10000        # a quicker check

The folder is what ``sumbench run`` writes: run.json, tasks.jsonl (hashes of the task set, a
JSONL table beside it), outputs.jsonl (summaries of 3 sentences; 0.5% of the items failed),
scores.csv (5 metrics), facts.csv (5 key facts per summary), claims.csv (one claim per summary
sentence), problems.jsonl and table.md. Sources are one ~10-sentence article per task, with
words drawn as in ``scale.py`` (a Zipf law over a generated vocabulary).

Measured: the build's wall time and peak RSS (``ru_maxrss`` of the child, the kernel's
high-water mark), then in the browser the time from navigation to the rendered table
(``performance.mark`` set by the page once the table is in the DOM) and the JS heap in use
(CDP ``Performance.getMetrics``, after a forced garbage collection) on the table and after
opening, in the same page, a distribution over every item, an item, a task and the task list.
Targets: the table in under 2 s and the heap under 300 MB throughout.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import _sentences, _vocabulary  # a sibling script's word generator

TARGET_RENDER_S = 2.0
TARGET_HEAP_MB = 300.0
FACTS = 5
CLAIM_COLUMNS = ["task_id", "system", "sample", "sentence", "claim", "verdict", "score"]
CLAIM_COLUMNS += ["evidence_doc", "evidence", "backend"]
METRICS = [
    ("rouge", "rouge1_f", "R-1", True, 100.0, 1),
    ("rouge", "rouge2_f", "R-2", True, 100.0, 1),
    ("keyfacts", "kf_recall", "KF", True, 100.0, 1),
    ("faithfulness", "faithful", "Faith", True, 100.0, 1),
    ("stats", "words", "Words", None, 1.0, 0),
]


def _task(rng: Any, pool: list[str], index: int) -> Any:
    from bench.task import Document, KeyFact, Reference, Task

    chosen = [pool[i] for i in rng.integers(0, len(pool), size=10).tolist()]
    text = "\n\n".join(" ".join(chosen[i : i + 3]) for i in range(0, 10, 3))
    return Task(
        id=f"task-{index:06d}",
        title=" ".join(pool[index % len(pool)].split()[:8]).rstrip("."),
        documents=[Document(id="d1", text=text)],
        instructions="Summarize the article.",
        budget=60,
        references=[Reference(id="r1", text=" ".join(chosen[:3]))],
        keyfacts=[KeyFact(id=f"k{k}", text=chosen[k], weight=1 + k % 3) for k in range(FACTS)],
    )


def _run_json(tasks_file: Path, systems: list[str]) -> dict[str, Any]:
    scorers: dict[str, list[dict[str, Any]]] = {}
    for scorer, name, label, higher, scale, digits in METRICS:
        metric = {"name": name, "label": label, "higher_is_better": higher, "scale": scale}
        scorers.setdefault(scorer, []).append({**metric, "digits": digits, "shown": True})
    return {
        "sumbench": "benchmark",
        "status": "complete",
        "started": "2026-01-01T00:00:00+00:00",
        "config": {"tasks": str(tasks_file), "selection": {}, "references": None},
        "systems": [
            {"name": s, "adapter": "precomputed", "params": {}, "bound": False} for s in systems
        ],
        "scorers": [
            {"name": n, "scorer": n, "signature": f"{n}:synthetic", "metrics": m}
            for n, m in scorers.items()
        ],
        "signatures": {n: f"{n}:synthetic" for n in scorers},
    }


def make_run(folder: Path, tasks: int, systems: int, seed: int) -> Path:
    """Write the synthetic task set and results folder; returns the results folder."""
    import numpy as np

    from bench.report.build import build_report
    from bench.run.provenance import gold_hash
    from bench.store import FACT_COLUMNS, SCORE_COLUMNS, Store
    from bench.tasksets.rows import task_to_row
    from bench.text import split_sentences

    rng = np.random.default_rng(seed)
    pool = _sentences(rng, _vocabulary(rng, 20_000), 200_000)
    run = folder / "run"
    run.mkdir(parents=True)
    names = [f"system-{k}" for k in range(systems)]
    (run / "run.json").write_text(json.dumps(_run_json(folder / "tasks.jsonl", names)))
    names_of_files = ["outputs.jsonl", "scores.csv", "facts.csv", "claims.csv"]
    names_of_files += ["problems.jsonl", "tasks.jsonl"]
    files = {n: (run / n).open("w", encoding="utf-8", newline="") for n in names_of_files}
    writers = {n: csv.writer(files[f"{n}.csv"]) for n in ("scores", "facts", "claims")}
    writers["scores"].writerow(SCORE_COLUMNS)
    writers["facts"].writerow(FACT_COLUMNS)
    writers["claims"].writerow(CLAIM_COLUMNS)
    with (folder / "tasks.jsonl").open("w", encoding="utf-8") as table:
        for index in range(tasks):
            task = _task(rng, pool, index)
            table.write(_line(task_to_row(task)))
            documents = [{"id": "d1", "hash": task.documents[0].content_hash}]
            listed = {"id": task.id, "gold": gold_hash(task), "documents": documents}
            files["tasks.jsonl"].write(_line({**listed, "references": 1, "keyfacts": FACTS}))
            source = split_sentences(task.documents[0].text)
            for system in names:
                _item(rng, pool, (task.id, system), source, files, writers)
    for handle in files.values():
        handle.close()
    build_report(Store(run), charts=False)
    return run


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record) + "\n"


def _item(
    rng: Any,
    pool: list[str],
    item: tuple[str, str],
    source: list[str],
    files: dict[str, Any],
    writers: dict[str, Any],
) -> None:
    """One (task, system) item: its summary (or failure), scores, facts and claims."""
    task_id, system = item
    if rng.random() < 0.005:
        error = {"task_id": task_id, "system": system, "message": "TimeoutError: no answer"}
        failed = {"sample": "", "summary": None, "error": error["message"], "attempts": 5}
        files["outputs.jsonl"].write(_line({**error, **failed}))
        files["problems.jsonl"].write(_line({"kind": "error", **error, "attempts": 5}))
        return
    picks = rng.integers(0, len(source), size=3).tolist()
    own = [source[i] if rng.random() < 0.6 else pool[int(rng.integers(len(pool)))] for i in picks]
    meta = {"latency_s": round(float(rng.random()), 3), "prompt_tokens": 400}
    meta |= {"completion_tokens": 70, "finish_reason": "stop", "attempts": 1}
    record = {"task_id": task_id, "system": system, "sample": "", "summary": " ".join(own)}
    files["outputs.jsonl"].write(_line({**record, "reference_id": None, "meta": meta, "key": "k"}))
    for (scorer, name, *_), value in zip(METRICS, rng.random(len(METRICS)), strict=True):
        value = float(value) * (60 if name == "words" else 1)
        writers["scores"].writerow([task_id, system, scorer, name, repr(value)])
    for k in range(FACTS):
        present = bool(rng.random() < 0.4)
        evidence = own[0] if present else ""
        score = round(float(rng.random()), 3)
        row = [task_id, system, "", f"k{k}", 1 + k % 3, present, evidence, "lexical-v2", score]
        writers["facts"].writerow(row)
    for n, i in enumerate(picks):
        verdict = ("supported", "contradicted", "not mentioned")[int(rng.integers(3))]
        where = i if verdict != "not mentioned" else ""
        score = round(float(rng.random()), 3)
        row = [task_id, system, "", n, own[n][:80], verdict, score, "d1", where, "lexical-v1"]
        writers["claims"].writerow(row)


def build(run: Path, site: Path) -> dict[str, float]:
    """``sumbench view`` in a child process: wall seconds and peak RSS (MB)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.cli", "view", str(run), "--out", str(site)],
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"sumbench view failed ({status})")
    return {"seconds": time.perf_counter() - start, "rss_mb": usage.ru_maxrss / 1024}


def _heap_mb(cdp: Any) -> float:
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return float(metrics["JSHeapUsedSize"]) / 2**20


def browse(site: Path, first_task: str) -> list[tuple[str, float, float]]:
    """(page, seconds to render, JS heap MB) for the table, then pages opened in the same tab."""
    from playwright.sync_api import sync_playwright

    from bench.report.view.browser import launch

    found = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto((site / "index.html").as_uri())
        page.wait_for_selector("body[data-ready]", timeout=120_000)
        ready = page.evaluate("performance.getEntriesByName('sumbench-ready')[0].startTime")
        found.append(("table (first render)", ready / 1000, _heap_mb(cdp)))
        routes = [
            ("distribution of every item", "#/dist/system-0/rouge1_f", "dist] tbody tr"),
            ("one item", f"#/item/{first_task}/system-1", "item] .summary .s"),
            ("one task", f"#/task/{first_task}", "task] .card"),
            ("task list", "#/tasks", "tasks] table tr td"),
            ("worst of another metric", "#/dist/system-2/faithful?order=worst", "dist] tbody tr"),
        ]
        for label, route, selector in routes:
            start = time.perf_counter()
            page.evaluate(f"location.hash = {json.dumps(route)}")
            page.wait_for_selector(f"body[data-page={selector}", timeout=120_000)
            found.append((label, time.perf_counter() - start, _heap_mb(cdp)))
        browser.close()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--systems", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dir", type=Path, help="keep the run and site here (default: temp)")
    parser.add_argument("--make-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="sumbench-view-scale-"))
    tasks = args.items // args.systems
    if args.make_only:  # in a child: this process stays lean, so the build's RSS is its own
        make_run(folder, tasks, args.systems, args.seed)
        return 0
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--make-only", "--dir", str(folder),
                    "--items", str(args.items), "--systems", str(args.systems),
                    "--seed", str(args.seed)], check=True)  # fmt: skip
    run = folder / "run"
    items = f"{tasks:,} tasks x {args.systems} systems = {tasks * args.systems:,} items"
    print(f"{items} written in {time.perf_counter() - start:.0f} s: {run}")
    sizes = {p.name: p.stat().st_size / 2**20 for p in run.iterdir() if p.is_file()}
    print("store: " + ", ".join(f"{n} {s:.0f} MB" for n, s in sorted(sizes.items()) if s >= 1))
    built = build(run, folder / "site")
    total = sum(p.stat().st_size for p in (folder / "site").rglob("*") if p.is_file()) / 2**20
    files = sum(1 for _ in (folder / "site" / "data").rglob("*.js"))
    print(f"build: {built['seconds']:.1f} s, peak RSS {built['rss_mb']:.0f} MB", end="; ")
    print(f"site {total:.0f} MB in {files} data files")
    from bench.report.view.browser import unavailable

    reason = unavailable()
    if reason:
        print(f"browser part skipped: {reason}")
        return 1
    return _report(browse(folder / "site", "task-000000"))


def _report(found: list[tuple[str, float, float]]) -> int:
    print(f"{'page':32} {'seconds':>8} {'heap MB':>8}")
    for label, seconds, heap in found:
        print(f"{label:32} {seconds:8.2f} {heap:8.1f}")
    render = found[0][1]
    heap = max(h for _, _, h in found)
    print(f"first render {render:.2f} s: {render / TARGET_RENDER_S:.2f} x the 2 s target")
    print(f"largest JS heap {heap:.1f} MB: {heap / TARGET_HEAP_MB:.2f} x the 300 MB target")
    ok = render < TARGET_RENDER_S and heap < TARGET_HEAP_MB
    print("OK" if ok else "ABOVE TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
