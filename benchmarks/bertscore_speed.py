"""BERTScore on the bundled tasks with a real encoder: sumbench's ``bertscore`` scorer against
``bert_score.score`` called directly with the same settings (same numbers, pairs per second).

    python benchmarks/bertscore_speed.py --model /path/to/all-mpnet-base-v2 --layers 9

Opt-in: it needs ``pip install 'sumbench[bertscore]'`` and an encoder on disk (a folder, or a
hub id already in the local Hugging Face cache); nothing is downloaded. The summaries are the
bundled run's systems (lead, random, textrank, lexrank, oracle, human) on the bundled tasks;
a pair is one (summary, reference). Three ways are timed in one process, in rotating order:
the scorer one item at a time (what a run does), the scorer on all items in one batch
(``BertScore.score_items``), ``bert_score.BERTScorer.score`` on all items with its model
loaded once (the peer) and ``bert_score.score`` (which loads the model at every call). Every
F1 is compared with the peer's (max |diff|).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SYSTEMS = ["lead", "random", "textrank", "lexrank", "oracle", "human"]


def summaries() -> list[tuple[object, object]]:
    """(task, summary) of every bundled task and system, from a run without scorers' models."""
    from bench.request import Summary
    from bench.run import Run, build_scorers, build_systems
    from bench.store import Store
    from bench.task import load_tasks

    tasks = load_tasks(REPO / "tasks")
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "run")
        Run(tasks, build_systems(SYSTEMS), build_scorers(["stats"]), store).execute()
        outputs = store.outputs()
    by_id = {t.id: t for t in tasks}
    return [
        (by_id[o["task_id"]], Summary(text=o["summary"], reference_id=o.get("reference_id")))
        for o in outputs
        if o.get("summary")
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="Encoder folder or cached hub id.")
    parser.add_argument("--layers", type=int, help="Layer (required unless bert_score knows it).")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import bert_score
    import torch

    from bench.scorers.bertscore import BertScore

    torch.set_num_threads(os.cpu_count() or 1)
    items = summaries()
    scorer = BertScore(model=args.model, layers=args.layers, batch_size=args.batch_size)
    scorer.model.load()
    cands = [s.text for _, s in items]  # type: ignore[attr-defined]
    refs = [[r.text for r in t.references_for(s)] for t, s in items]  # type: ignore[attr-defined]
    pairs = sum(len(r) for r in refs)
    print(
        f"{len(items)} summaries x their references = {pairs} pairs; model {scorer.model.label}, "
        f"layer {scorer.model.layers}, device {scorer.model.device}, torch threads "
        f"{torch.get_num_threads()}, load average {os.getloadavg()[0]:.1f}"
    )

    kept = bert_score.BERTScorer(
        model_type=scorer.model.source,
        num_layers=scorer.model.layers,
        batch_size=args.batch_size,
        device=scorer.model.device,
    )

    def peer() -> list[float]:
        return [float(x) for x in kept.score(cands, refs, batch_size=args.batch_size)[2]]

    def peer_loading() -> list[float]:
        _, _, f = bert_score.score(
            cands,
            refs,
            model_type=scorer.model.source,
            num_layers=scorer.model.layers,
            batch_size=args.batch_size,
            device=scorer.model.device,
        )
        return [float(x) for x in f]

    ways = {
        "bert_score.BERTScorer.score (all items, the peer)": peer,
        "bert_score.score (all items, loads the model)": peer_loading,
        "sumbench bertscore, score_items (all items)": lambda: [
            s.values["bertscore_f"]
            for s in scorer.score_items(items)  # type: ignore[arg-type]
        ],
        "sumbench bertscore, one item at a time (a run)": lambda: [
            scorer.score(t, s).values["bertscore_f"]  # type: ignore[arg-type]
            for t, s in items
        ],
    }
    names = list(ways)
    seconds = {name: 0.0 for name in names}
    results: dict[str, list[float]] = {}
    for round_ in range(args.rounds):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            start = time.perf_counter()
            results[name] = ways[name]()
            seconds[name] += time.perf_counter() - start
    reference = results[names[0]]
    print(f"{'way':50} {'pairs/s':>9} {'x peer':>7} {'max |diff| F1':>14}")
    for name in names:
        rate = pairs * args.rounds / seconds[name]
        diff = max(abs(a - b) for a, b in zip(results[name], reference, strict=True))
        ratio = seconds[names[0]] / seconds[name]
        print(f"{name:50} {rate:9.1f} {ratio:6.2f}x {diff:14.2e}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    sys.exit(0)


if __name__ == "__main__":
    main()
