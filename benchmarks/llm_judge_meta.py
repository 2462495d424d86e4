"""The ``llm`` key-fact judge on a real model against human judgments, beside the offline
matchers on the same pairs, and the judge's score as one more feature of the calibrated matcher.

    # a llama.cpp server (see benchmarks/README.md), then:
    python benchmarks/llm_judge_meta.py --base-url http://127.0.0.1:8765/v1 --cache FILE
    python benchmarks/llm_judge_meta.py --cache FILE --replay      # from the verdict cache only

The subset: every ``--every``-th document of the key-fact dev data in sorted order (default:
every third, 10 of the 30 documents; ``--max-docs N``: the first N of them), with the
summaries of ``--systems`` (default all 23; ``abstractive``: REALSumm's 13 abstractive
systems). Each prompt of ``--prompts`` is run on it; ``--compare`` prompts run on the first
``--compare-docs`` documents of the subset only (they are slower or known to be weaker) and
are compared there with the first prompt.
Printed: requests, wall time and requests/s of every judge run (replies already cached cost
nothing and are counted apart); accuracy, F1 and kappa against the majority label; system-level
Kendall τ of key-fact recall and of soft recall (mean score) against LitePyramid; and, decided
by document-grouped 5-fold cross-validation over 8 random groupings, lexical-v2 (threshold
refit), calibrated-v2 (refit), the judge alone (its threshold refit) and calibrated-v2 with the
judge's score as a feature.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from keyfacts_meta import DEFAULT_DATA, cv_run, grouped_cv, lexical_cv

from bench import meta
from bench.cli.meta import read_judgments
from bench.scorers.base import FactDecision
from bench.scorers.matchers import Pair, matchers
from bench.scorers.matchers.calibrated import LEXICAL_FEATURES_V2, VETO_V2, pair_features

JUDGE = "judge_logit"
"""The judge's score as a feature: the log-odds of its P(yes), clipped to ±10."""


ABSTRACTIVE = (
    "bottom_up_out",
    "fast_abs_rl_out_rerank",
    "presumm_out_abs",
    "presumm_out_ext_abs",
    "presumm_out_trans_abs",
    "ptr_generator_out_pointer_gen_cov",
    "semsim_out",
    "t5_out_11B",
    "t5_out_base",
    "t5_out_large",
    "two_stage_rl_out",
    "unilm_out_v1",
    "unilm_out_v2",
)
"""REALSumm's 13 abstractive systems (the other 10 are extractive)."""


def subset(
    judgments: list[meta.Judgment],
    every: int,
    offset: int,
    systems: str = "all",
    most: int | None = None,
) -> list[meta.Judgment]:
    """Every ``every``-th document (sorted ids, from ``offset``; the first ``most`` of them),
    with the summaries of ``systems``: ``all``, ``abstractive`` or a comma-separated list."""
    docs = sorted({j.doc_id for j in judgments})[offset::every][:most]
    kept = [j for j in judgments if j.doc_id in docs]
    if systems == "all":
        return kept
    names = set(ABSTRACTIVE if systems == "abstractive" else systems.split(","))
    unknown = names - {j.system for j in kept}
    if unknown:
        raise SystemExit(f"--systems: no summaries of {', '.join(sorted(unknown))}")
    return [j for j in kept if j.system in names]


def judge_run(spec: str, pairs: Sequence[Pair]) -> meta.MatcherRun:
    """Run one judge and print its requests, cached replies and requests/s."""
    matcher = matchers.create("llm", **dict(p.split("=", 1) for p in spec.split(",")))
    print(f"judging {len(pairs)} pairs with {matcher.name} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    run = meta.run_matcher(matcher, pairs)
    wall = time.perf_counter() - started
    usage = getattr(matcher, "usage", lambda: "")()
    per_pair = wall / len(pairs) if pairs else math.nan
    print(f"{usage}; {len(pairs)} pairs, {wall:.1f} s wall, {per_pair:.2f} s per pair")
    return run


def logit(score: float | None) -> float:
    """Log-odds of a probability, clipped to ±10 (0 for a pair without a score)."""
    if score is None:
        return 0.0
    p = min(max(score, 1e-5), 1 - 1e-5)
    return max(-10.0, min(10.0, math.log(p / (1 - p))))


def cv_rows(
    pairs: Sequence[Pair], judge: meta.MatcherRun, gold: list[bool], docs: list[str], repeats: int
) -> tuple[list[meta.MatcherRun], dict[str, list[float]]]:
    """Grouped-CV runs (sorted folds) and accuracies over ``repeats`` random groupings, on the
    pairs the judge decided."""
    kept = [i for i, d in enumerate(judge.decisions) if d is not None]
    rows = pair_features([pairs[i] for i in kept], None, version=2)
    for row, i in zip(rows, kept, strict=True):
        decision = judge.decisions[i]
        row[JUDGE] = logit(decision.score if decision is not None else None)
    y = [gold[i] for i in kept]
    d = [docs[i] for i in kept]
    plans = {
        "calibrated-v2": (LEXICAL_FEATURES_V2, VETO_V2, VETO_V2),
        f"{judge.name} alone": ((JUDGE,), (), ()),
        f"calibrated-v2 + {judge.name}": ((*LEXICAL_FEATURES_V2, JUDGE), VETO_V2, VETO_V2),
    }
    runs = []
    spread: dict[str, list[float]] = {
        "lexical-v2 (threshold refit per fold)": [
            lexical_cv(rows, y, d, seed) for seed in range(repeats)
        ]
    }
    chosen = [pairs[i] for i in kept]
    for name, (features, veto, rule) in plans.items():
        predicted, scores = grouped_cv(rows, y, d, features, veto, rule)
        run = cv_run(name, chosen, predicted, scores)
        decisions: list[FactDecision | None] = [None] * len(pairs)
        for i, decision in zip(kept, run.decisions, strict=True):
            decisions[i] = decision
        runs.append(meta.MatcherRun(run.name, decisions, math.nan, 0, []))
        spread[name] = [
            float(
                np.mean(
                    np.array(grouped_cv(rows, y, d, features, veto, rule, seed=s)[0]) == np.array(y)
                )
            )
            for s in range(repeats)
        ]
    return runs, spread


def table(report: meta.MetaReport, runs: Sequence[meta.MatcherRun]) -> str:
    """Markdown rows: agreement with the majority label and system-level Kendall τ."""
    tau = {
        c.metric: c.value
        for c in report.correlations
        if c.level == "system" and c.kind == "kendall"
    }
    lines = [
        "| matcher | pairs decided | accuracy | precision | recall | F1 | kappa | system τ | "
        "system τ, soft | s per pair |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        a = report.labels[run.name]
        seconds = run.seconds / a.n if a.n and not math.isnan(run.seconds) else math.nan
        lines.append(
            f"| {run.name} | {a.n} | {a.accuracy:.3f} | {a.precision:.3f} | {a.recall:.3f} | "
            f"{a.f1:.3f} | {a.kappa:.3f} | {tau.get(f'KF recall ({run.name})', math.nan):.3f} | "
            f"{tau.get(f'KF soft recall ({run.name})', math.nan):.3f} | {seconds:.2f} |"
        )
    return "\n".join(lines)


def evaluate(
    judgments: list[meta.Judgment], runs: list[meta.MatcherRun], resamples: int
) -> meta.MetaReport:
    """The meta-evaluation report of ``runs`` (ROUGE alongside)."""
    return meta.evaluate(
        judgments, runs, meta.rouge_per_summary(judgments), resamples=resamples, soft=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--base-url", default="http://127.0.0.1:8765/v1")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--cache", required=True, help="The judge's verdict cache (JSONL).")
    parser.add_argument("--replay", action="store_true", help="Answer from the cache only.")
    parser.add_argument("--every", type=int, default=3)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--max-docs", type=int, help="Only the first N documents of the subset.")
    parser.add_argument(
        "--systems", default="all", help="all (default), abstractive, or a comma-separated list"
    )
    parser.add_argument("--prompts", nargs="+", default=["yesno-v1"])
    parser.add_argument("--compare", nargs="*", default=["facts-v1", "finesure-v1"])
    parser.add_argument("--compare-docs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=8)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()

    judgments = subset(
        read_judgments(args.data), args.every, args.offset, args.systems, args.max_docs
    )
    docs_all = sorted({j.doc_id for j in judgments})
    pairs = meta.judged_pairs(judgments)
    gold = meta.gold_labels(judgments)
    docs = [j.doc_id for j in judgments for _ in j.facts]
    print(
        f"subset: every {args.every}th document from {args.offset} ({len(docs_all)}: "
        f"{', '.join(docs_all)}), systems: {args.systems} "
        f"({len({j.system for j in judgments})}), {len(judgments)} summaries, {len(pairs)} pairs"
    )
    base = (
        f"model={args.model},base_url={args.base_url},api_key_env=none,concurrency=1,"
        f"timeout=900,cache={args.cache},replay={str(args.replay).lower()}"
    )
    judges = [judge_run(f"{base},prompt={p}", pairs) for p in args.prompts]
    offline = [meta.run_matcher(matchers.create(n), pairs) for n in ("lexical", "calibrated-v2")]
    decided = {d for d, j in zip(docs, judges[0].decisions, strict=True) if j is not None}
    cv: list[meta.MatcherRun] = []
    spread: dict[str, list[float]] = {}
    if len(decided) >= 5:
        cv, spread = cv_rows(pairs, judges[0], gold, docs, args.repeats)
    else:
        print(f"(no cross-validation: the judge decided pairs of {len(decided)} documents, < 5)")
    runs = [*judges, *offline, *cv]
    report = evaluate(judgments, runs, args.resamples)
    print(f"\nAll {len(pairs)} pairs of the subset:\n")
    print(table(report, runs))
    print(f"\nGrouped 5-fold CV accuracy over {args.repeats} random document groupings:")
    for name, values in spread.items():
        print(f"  {name}: {np.mean(values):.4f} ± {np.std(values):.4f}")

    if args.compare:
        small = [j for j in judgments if j.doc_id in docs_all[: args.compare_docs]]
        small_pairs = meta.judged_pairs(small)
        print(
            f"\nPrompts compared on the first {args.compare_docs} documents of the subset "
            f"({len(small)} summaries, {len(small_pairs)} pairs):\n"
        )
        compared = [judge_run(f"{base},prompt={p}", small_pairs) for p in args.prompts[:1]]
        compared += [judge_run(f"{base},prompt={p}", small_pairs) for p in args.compare]
        compared += [meta.run_matcher(matchers.create("lexical"), small_pairs)]
        print(table(evaluate(small, compared, args.resamples), compared))


if __name__ == "__main__":
    main()
