"""Reproduce the faithfulness figures on the dev data (issue 17): FRANK's validation split.

    python benchmarks/faithfulness_meta.py [../shared/data/faithfulness-dev] [--boot 1000]
        [--backend lexical | llm:model=M,base_url=URL,cache=PATH | nli:model=PATH] [--articles N]

``--articles N`` takes the first N/2 cnndm and N/2 xsum articles in sorted article_id order (all
their summaries, asked article by article so a server's prompt cache reuses each article). A
backend other than lexical is printed beside lexical on the same rows; summaries it leaves
undecided are counted and left out of every row's figures.

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

from bench.run.systems import parse_spec
from bench.scorers import CannotScore
from bench.scorers.faithfulness import judge_summary, summary_values
from bench.support import SupportBackend, backends
from bench.task import Document, Task

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "faithfulness-dev"
METRICS = ("faithful", "mean_support")


def load(folder: Path) -> list[dict[str, Any]]:
    """The judged rows of ``judgments.jsonl``."""
    with (folder / "judgments.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def select(rows: list[dict[str, Any]], articles: int | None) -> list[dict[str, Any]]:
    """The rows of the first ``articles``/2 cnndm and xsum articles (sorted article_id order),
    ordered article by article (all of them when ``articles`` is None)."""
    if articles is not None:
        chosen = set()
        for dataset in ("cnndm", "xsum"):
            ids = sorted({r["article_id"] for r in rows if r["dataset"] == dataset})
            chosen.update(ids[: articles // 2])
        rows = [r for r in rows if r["article_id"] in chosen]
    rank = {
        a: i
        for dataset in ("cnndm", "xsum")
        for i, a in enumerate(sorted({r["article_id"] for r in rows if r["dataset"] == dataset}))
    }
    # Article by article, alternating cnndm and xsum: a run stopped early still has both.
    return sorted(rows, key=lambda r: (rank[r["article_id"]], r["dataset"], r["system"]))


def score_rows(
    rows: Sequence[dict[str, Any]], backend: SupportBackend
) -> tuple[dict[str, np.ndarray], float, int, list[str]]:
    """Each row's metrics (NaN where the backend reached no verdict), the seconds and
    summary-sentences they took, and why each undecided row was left out."""
    found: dict[str, list[float]] = {m: [] for m in (*METRICS, "faithful_all")}
    sentences = 0
    undecided: list[str] = []
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
        sentences += len(claims)
        try:
            verdicts = judge_summary(backend, task, claims)
        except CannotScore as error:
            undecided.append(f"{row['id']}: {error}")
            for column in found.values():
                column.append(np.nan)
            continue
        values = summary_values(task, " ".join(claims), verdicts)
        found["faithful"].append(values["faithful"])
        found["faithful_all"].append(values["faithful_all"])
        found["mean_support"].append(float(np.mean([v.score for v in verdicts])))
    seconds = time.perf_counter() - start
    return {k: np.array(v) for k, v in found.items()}, seconds, sentences, undecided


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


def report(
    rows: Sequence[dict[str, Any]], runs: dict[str, dict[str, np.ndarray]], boot: int
) -> None:
    """Print every figure, each backend's and FactCC's, overall and per dataset."""
    human = np.array([r["factuality"] for r in rows])
    systems = np.array([r["system"] for r in rows])
    datasets = np.array([r["dataset"] for r in rows])
    factcc = np.array([r["published_metrics"].get("FactCC", np.nan) for r in rows], dtype=float)
    columns: dict[str, np.ndarray] = {}
    for name, scores in runs.items():
        columns[f"faithfulness ({name}): faithful"] = scores["faithful"]
        columns[f"faithfulness ({name}): mean support score"] = scores["mean_support"]
    columns["FactCC (FRANK's release)"] = factcc
    width = max(len(label) for label in columns)
    print(f"{'metric':{width}} {'subset':7} {'n':>4} {'pPearson':>9} {'pSpearman':>10}  95% CI")
    for label, values in columns.items():
        for subset in ("all", "cnndm", "xsum"):
            at = np.ones(len(rows), bool) if subset == "all" else datasets == subset
            at &= ~np.isnan(values)
            pp, ps = partial(values[at], human[at], systems[at])
            chosen = [r for r, keep in zip(rows, at, strict=True) if keep]
            low, high = bootstrap(chosen, values[at], boot) if subset == "all" else (np.nan,) * 2
            interval = f"[{low:.3f}, {high:.3f}]" if subset == "all" else ""
            print(f"{label:{width}} {subset:7} {at.sum():4d} {pp:9.3f} {ps:10.3f}  {interval}")
    truth = np.array([r["all_factual"] for r in rows])
    print()
    for name, scores in runs.items():
        print(
            f"balanced accuracy of faithful_all vs all_factual, {name}: "
            f"{balanced_accuracy(scores['faithful_all'], truth):.3f} "
            f"(all: {len(rows)} rows, {int(truth.sum())} all-factual)"
        )
    for label, values in columns.items():
        ok = ~np.isnan(values)
        tau = system_tau(values[ok], human[ok], systems[ok])
        print(f"system-level Kendall tau, {label}: {tau:.3f}")


def main() -> None:
    """Score the dev split (or ``--articles`` of it) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--boot", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--backend", default="lexical", help="NAME[:key=value,...]")
    parser.add_argument("--articles", type=int, help="first N/2 cnndm and N/2 xsum articles")
    args = parser.parse_args()
    rows = select(load(args.data), args.articles)
    name, params, _ = parse_spec(args.backend)
    backend = backends.create(name, **params)
    scores, seconds, sentences, undecided = score_rows(rows, backend)
    runs = {backend.name: scores}
    if name != "lexical":
        runs["lexical-v1"] = score_rows(rows, backends.create("lexical"))[0]
    kept = ~np.isnan(scores["faithful"])
    for reason in undecided:
        print(f"undecided: {reason[:300]}")
    print(
        f"{backend.name}: {int(kept.sum())} of {len(rows)} summaries scored, {len(undecided)} "
        f"undecided (left out of every row below)\n"
    )
    chosen = [r for r, keep in zip(rows, kept, strict=True) if keep]
    report(chosen, {n: {k: v[kept] for k, v in s.items()} for n, s in runs.items()}, args.boot)
    load_avg = os.getloadavg()[0]
    usage = getattr(backend, "usage", None)
    if usage is not None:
        print(f"\n{usage()}")
    print(
        f"\n{1000 * seconds / sentences:.2f} ms per summary-sentence, {seconds / len(rows):.2f} s "
        f"per summary ({backend.name}; {sentences} sentences, {len(rows)} summaries, first pass "
        f"incl. splitting each article once; 1-min load average {load_avg:.2f} on "
        f"{os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
