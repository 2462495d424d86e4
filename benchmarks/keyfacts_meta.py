"""Reproduce the key-fact matcher figures on the dev data (issue 6).

    python benchmarks/keyfacts_meta.py [../shared/data/keyfacts-dev] [--no-embed] [--out DIR]

Prints the agreement of every matcher with the majority label, its time on the 7,314 pairs,
the system- and summary-level correlations with the human LitePyramid score (ROUGE alongside),
both of each matcher's recall (hard decisions) and of its mean score per summary (soft recall),
and the same figures for document-grouped 5-fold cross-validation of the calibrated matchers
(rows "... (grouped 5-fold CV)"): the shipped calibrations were fitted on all of this data, so
their own rows are in-sample and the CV rows are the ones that say how they generalise.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench import meta
from bench.cli.meta import read_judgments
from bench.report import meta as meta_report
from bench.scorers.base import FactDecision
from bench.scorers.matchers import Pair, matchers
from bench.scorers.matchers.calibrated import (
    EMBEDDING_FEATURES,
    EMBEDDING_FEATURES_V2,
    LEXICAL_FEATURES,
    LEXICAL_FEATURES_V2,
    SHIPPED_V2,
    VETO,
    VETO_V2,
    CalibratedMatcher,
    fit,
    load_calibrations,
    pair_features,
)
from bench.text import split_sentences

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "keyfacts-dev"


def grouped_cv(
    rows: list[dict[str, float]],
    gold: list[bool],
    docs: list[str],
    features: tuple[str, ...],
    veto: tuple[str, ...] = VETO,
    threshold_veto: tuple[str, ...] = (),
    folds: int = 5,
    seed: int | None = None,
) -> tuple[list[bool], list[float]]:
    """Decisions and scores when each fifth of the documents (every fifth in sorted order, or
    in a random order drawn from ``seed``) is decided by a fit on the other four; a vetoed pair
    is absent and scores 0."""
    names = sorted(set(docs))
    if seed is not None:
        names = [str(n) for n in np.random.default_rng(seed).permutation(names)]
    doc = np.array(docs)
    y = np.array(gold)
    predicted = [False] * len(y)
    scores = [0.0] * len(y)
    for k in range(folds):
        test = np.isin(doc, names[k::folds])
        calibration = fit(
            [r for r, t in zip(rows, test, strict=True) if not t],
            y[~test].tolist(),
            features,
            veto=threshold_veto,
        )
        for i in np.flatnonzero(test):
            vetoed = any(rows[i][v] for v in veto)
            scores[i] = 0.0 if vetoed else calibration.probability(rows[i])
            predicted[i] = scores[i] >= calibration.threshold and not vetoed
    return predicted, scores


def lexical_cv(
    rows: list[dict[str, float]], gold: list[bool], docs: list[str], seed: int, folds: int = 5
) -> float:
    """Accuracy of lexical-v2 when its one parameter, the coverage threshold, is refit on four
    fifths of the documents (random order from ``seed``) and applied to the fifth."""
    names = np.random.default_rng(seed).permutation(sorted(set(docs)))
    doc = np.array(docs)
    y = np.array(gold)
    vetoed = np.array(
        [bool(r["numbers_missing"] or r["dates_missing"] or r["contradiction"]) for r in rows]
    )
    score = np.where(vetoed, 0.0, [r["coverage"] for r in rows])
    grid = np.round(np.arange(0.30, 0.80, 0.005), 3)
    predicted = np.zeros(len(y), dtype=bool)
    for k in range(folds):
        test = np.isin(doc, names[k::folds])
        accuracy = [np.mean((score[~test] >= t) == y[~test]) for t in grid]
        predicted[test] = score[test] >= grid[int(np.argmax(accuracy))]
    return float(np.mean(predicted == y))


def cv_run(
    name: str, pairs: Sequence[Pair], predicted: list[bool], scores: list[float]
) -> meta.MatcherRun:
    """Cross-validated decisions as a matcher run, so the report treats them like any other."""
    decisions: list[FactDecision | None] = [
        FactDecision(p.fact.id, p.fact.weight, present, "", name, score)
        for p, present, score in zip(pairs, predicted, scores, strict=True)
    ]
    return meta.MatcherRun(f"{name} (grouped 5-fold CV)", decisions, math.nan, 0, [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--no-embed", action="store_true", help="Skip the [embed] matchers.")
    parser.add_argument("--out", type=Path, help="Write meta.md/tex/json/png here.")
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument(
        "--repeats",
        type=int,
        default=8,
        help="Random document groupings for the CV mean and spread.",
    )
    args = parser.parse_args()

    judgments = read_judgments(args.data)
    start = time.perf_counter()
    pairs = meta.judged_pairs(judgments)
    split = time.perf_counter() - start
    gold = meta.gold_labels(judgments)
    docs = [j.doc_id for j in judgments for _ in j.facts]
    print(f"{len(pairs)} pairs; sentence splitting {split:.2f} s")

    built = [
        matchers.create("lexical-v1"),
        matchers.create("lexical"),
        matchers.create("calibrated"),
        matchers.create("calibrated-v2"),
    ]
    detailed = None
    if not args.no_embed:
        try:
            from bench.scorers.matchers.embedding import DetailedFeatures, EmbeddingMatcher

            embedder = matchers.create("embedding")
            assert isinstance(embedder, EmbeddingMatcher)
            detailed = DetailedFeatures(embedder)  # one model and text cache for all
            built.append(embedder)
            shipped = load_calibrations()["calibrated-embed"]
            built.append(CalibratedMatcher(shipped, "calibrated-embed-v1", embedder))
            shipped = load_calibrations(shipped=SHIPPED_V2)["calibrated-embed-v2"]
            built.append(CalibratedMatcher(shipped, "calibrated-embed-v2", detailed, version=2))
        except ImportError as error:
            print(f"skipping embedding matchers: {error}")
    runs = [meta.run_matcher(m, pairs) for m in built]

    # Version 2 rows hold every feature of both versions.
    rows = pair_features(pairs, detailed, version=2)
    plans = [
        ("calibrated-v1", LEXICAL_FEATURES, VETO, ()),
        ("calibrated-v2", LEXICAL_FEATURES_V2, VETO_V2, VETO_V2),
    ]
    if detailed is not None:
        plans += [
            ("calibrated-embed-v1", LEXICAL_FEATURES + EMBEDDING_FEATURES, VETO, ()),
            ("calibrated-embed-v2", LEXICAL_FEATURES_V2 + EMBEDDING_FEATURES_V2, VETO_V2, VETO_V2),
        ]
    for name, features, veto, rule in plans:
        predicted, scores = grouped_cv(rows, gold, docs, features, veto, rule)
        runs.append(cv_run(name, pairs, predicted, scores))
    # The fold assignment alone moves CV accuracy by about half a point: repeat it.
    spread = {
        "lexical-v2 (threshold refit per fold)": [
            lexical_cv(rows, gold, docs, seed) for seed in range(args.repeats)
        ]
    }
    for name, features, veto, rule in plans:
        spread[name] = [
            float(
                np.mean(
                    np.array(grouped_cv(rows, gold, docs, features, veto, rule, seed=seed)[0])
                    == np.array(gold)
                )
            )
            for seed in range(args.repeats)
        ]

    report = meta.evaluate(
        judgments, runs, meta.rouge_per_summary(judgments), resamples=args.resamples, soft=True
    )
    print(meta_report.to_markdown(report))
    system = {
        c.metric: c.value
        for c in report.correlations
        if c.level == "system" and c.kind == "kendall"
    }
    print("| matcher | accuracy | F1 | kappa | system τ (recall) | system τ (soft recall) |")
    print("|---|---|---|---|---|---|")
    for run in runs:
        a = report.labels[run.name]
        print(
            f"| {run.name} | {a.accuracy:.3f} | {a.f1:.3f} | {a.kappa:.3f} | "
            f"{system.get(f'KF recall ({run.name})', math.nan):.3f} | "
            f"{system.get(f'KF soft recall ({run.name})', math.nan):.3f} |"
        )
    print(
        f"\nGrouped 5-fold CV accuracy over {args.repeats} random document groupings (mean ± sd):"
    )
    for name, values in spread.items():
        print(f"  {name}: {np.mean(values):.4f} ± {np.std(values):.4f}")
    lexical = runs[1]
    fresh = [matchers.create("lexical"), matchers.create("calibrated-v2")]
    start = time.perf_counter()
    for j in judgments:
        split_sentences(j.summary + " ")  # not cached: what a run pays
    cold_split = time.perf_counter() - start
    repeat = [meta.run_matcher(m, pairs) for m in fresh]
    print(
        f"lexical-v2 on {len(pairs)} pairs: {lexical.seconds:.2f} s (first), "
        f"{repeat[0].seconds:.2f} s (fresh matcher, warm stem cache); calibrated-v2: "
        f"{runs[3].seconds:.2f} s (first), {repeat[1].seconds:.2f} s (fresh); "
        f"splitting the summaries into sentences: {cold_split:.2f} s"
    )
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "meta.md").write_text(meta_report.to_markdown(report), encoding="utf-8")
        (args.out / "meta.tex").write_text(meta_report.to_latex(report), encoding="utf-8")
        (args.out / "meta.json").write_text(report.to_json(), encoding="utf-8")
        meta_report.write_chart(report, args.out / "meta.png")


if __name__ == "__main__":
    main()
