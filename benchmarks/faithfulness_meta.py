"""Reproduce the faithfulness figures on the dev data (issue 17): FRANK's validation split.

    python benchmarks/faithfulness_meta.py [../shared/data/faithfulness-dev] [--boot 1000]

For the ``faithfulness`` scorer's lexical backend (defaults, nothing fitted on this data) and,
side by side on the same rows, FactCC as FRANK ships it: FRANK's measure (partial Pearson and
Spearman with the human ``factuality``, controlling for the system: each system's mean is
subtracted from both), per dataset (cnndm, xsum); balanced accuracy of ``faithful_all`` against
``all_factual``; system-level Kendall tau; 95% bootstrap intervals over articles; and the time
per summary-sentence. Nothing is fitted, so there is no in-sample / cross-validated split to
report: the figures are the untuned default's.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from bench.scorers.faithfulness import judge_summary, summary_values
from bench.support import backends
from bench.task import Document, Task

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "faithfulness-dev"
METRICS = ("faithful", "mean_support")


def load(folder: Path) -> list[dict[str, Any]]:
    """The judged rows of ``judgments.jsonl``."""
    with (folder / "judgments.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score_rows(rows: Sequence[dict[str, Any]]) -> tuple[dict[str, np.ndarray], float, int]:
    """Each row's metrics, and the seconds and summary-sentences they took."""
    backend = backends.create("lexical")
    found: dict[str, list[float]] = {m: [] for m in (*METRICS, "faithful_all")}
    sentences = 0
    start = time.perf_counter()
    for row in rows:
        task = Task(
            id=row["id"].replace(":", "-"),
            title="",
            documents=[Document(id="article", text=row["article"])],
            instructions="",
            budget=100,
        )
        claims = [s for s in row["summary_sentences"] if s.strip()] or [row["summary"]]
        verdicts = judge_summary(backend, task, claims)
        values = summary_values(task, " ".join(claims), verdicts)
        found["faithful"].append(values["faithful"])
        found["faithful_all"].append(values["faithful_all"])
        found["mean_support"].append(float(np.mean([v.score for v in verdicts])))
        sentences += len(claims)
    return {k: np.array(v) for k, v in found.items()}, time.perf_counter() - start, sentences


def partial(metric: np.ndarray, human: np.ndarray, systems: np.ndarray) -> tuple[float, float]:
    """FRANK's partial Pearson and Spearman, controlling for the system."""
    m, h = metric.astype(float).copy(), human.astype(float).copy()
    for system in np.unique(systems):
        at = systems == system
        m[at] -= m[at].mean()
        h[at] -= h[at].mean()
    return float(stats.pearsonr(m, h)[0]), float(stats.spearmanr(m, h)[0])


def balanced_accuracy(predicted: np.ndarray, truth: np.ndarray) -> float:
    """Mean of the recall of each class."""
    pos, neg = truth == 1, truth == 0
    return float(((predicted[pos] == 1).mean() + (predicted[neg] == 0).mean()) / 2)


def system_tau(metric: np.ndarray, human: np.ndarray, systems: np.ndarray) -> float:
    """Kendall tau between system means (systems of both datasets together)."""
    names = np.unique(systems)
    ours = [metric[systems == s].mean() for s in names]
    theirs = [human[systems == s].mean() for s in names]
    return float(stats.kendalltau(ours, theirs)[0])


def bootstrap(
    rows: Sequence[dict[str, Any]], metric: np.ndarray, boot: int, seed: int = 0
) -> tuple[float, float]:
    """95% interval of the partial Spearman, resampling articles."""
    articles = np.array([r["article_id"] for r in rows])
    human = np.array([r["factuality"] for r in rows])
    systems = np.array([r["system"] for r in rows])
    groups = [np.flatnonzero(articles == a) for a in np.unique(articles)]
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(boot):
        picked = np.concatenate([groups[i] for i in rng.integers(0, len(groups), len(groups))])
        found.append(partial(metric[picked], human[picked], systems[picked])[1])
    low, high = np.percentile(found, [2.5, 97.5])
    return float(low), float(high)


def report(rows: Sequence[dict[str, Any]], scores: dict[str, np.ndarray], boot: int) -> None:
    """Print every figure, ours and FactCC's, overall and per dataset."""
    human = np.array([r["factuality"] for r in rows])
    systems = np.array([r["system"] for r in rows])
    datasets = np.array([r["dataset"] for r in rows])
    factcc = np.array([r["published_metrics"].get("FactCC", np.nan) for r in rows], dtype=float)
    columns = {
        "faithfulness (lexical-v1): faithful": scores["faithful"],
        "faithfulness (lexical-v1): mean support score": scores["mean_support"],
        "FactCC (FRANK's release)": factcc,
    }
    print(f"{'metric':48} {'subset':7} {'n':>4} {'pPearson':>9} {'pSpearman':>10}  95% CI")
    for label, values in columns.items():
        for subset in ("all", "cnndm", "xsum"):
            at = np.ones(len(rows), bool) if subset == "all" else datasets == subset
            at &= ~np.isnan(values)
            pp, ps = partial(values[at], human[at], systems[at])
            chosen = [r for r, keep in zip(rows, at, strict=True) if keep]
            low, high = bootstrap(chosen, values[at], boot) if subset == "all" else (np.nan,) * 2
            interval = f"[{low:.3f}, {high:.3f}]" if subset == "all" else ""
            print(f"{label:48} {subset:7} {at.sum():4d} {pp:9.3f} {ps:10.3f}  {interval}")
    truth = np.array([r["all_factual"] for r in rows])
    print(
        f"\nbalanced accuracy of faithful_all vs all_factual: "
        f"{balanced_accuracy(scores['faithful_all'], truth):.3f} "
        f"(all: {len(rows)} rows, {int(truth.sum())} all-factual)"
    )
    for label, values in columns.items():
        ok = ~np.isnan(values)
        tau = system_tau(values[ok], human[ok], systems[ok])
        print(f"system-level Kendall tau, {label}: {tau:.3f}")


def main() -> None:
    """Score the dev split and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--boot", type=int, default=1000, help="bootstrap resamples")
    args = parser.parse_args()
    rows = load(args.data)
    scores, seconds, sentences = score_rows(rows)
    report(rows, scores, args.boot)
    load_avg = os.getloadavg()[0]
    print(
        f"\n{1000 * seconds / sentences:.2f} ms per summary-sentence ({sentences} sentences, "
        f"{len(rows)} summaries, first pass incl. splitting each article once; "
        f"1-min load average {load_avg:.2f} on {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
