"""Reproduce the key-fact matcher figures on the dev data (issue 6).

    python benchmarks/keyfacts_meta.py [../shared/data/keyfacts-dev] [--no-embed] [--out DIR]

Prints the agreement of every matcher with the majority label, its time on the 7,314 pairs,
the system- and summary-level correlations with the human LitePyramid score (ROUGE alongside),
and the document-grouped 5-fold cross-validated accuracy of the calibrated matchers (the shipped
calibration was fitted on all of this data, so its own figure here is in-sample).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from bench import meta
from bench.meta_cli import read_judgments
from bench.scorers.matchers import matchers
from bench.scorers.matchers.calibrated import (
    EMBEDDING_FEATURES,
    LEXICAL_FEATURES,
    VETO,
    CalibratedMatcher,
    fit,
    load_calibrations,
    pair_features,
)
from bench.text import split_sentences

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "keyfacts-dev"


def grouped_cv(rows: list[dict[str, float]], gold: list[bool], docs: list[str],
               features: tuple[str, ...], folds: int = 5) -> float:
    """Accuracy when each fifth of the documents is decided by a fit on the other four."""
    names = sorted(set(docs))
    doc = np.array(docs)
    y = np.array(gold)
    predicted = np.zeros(len(y), dtype=bool)
    for k in range(folds):
        test = np.isin(doc, names[k::folds])
        calibration = fit([r for r, t in zip(rows, test, strict=True) if not t], y[~test],
                          features)
        predicted[test] = [
            calibration.probability(r) >= calibration.threshold and not any(r[v] for v in VETO)
            for r, t in zip(rows, test, strict=True) if t
        ]
    return float(np.mean(predicted == y))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--no-embed", action="store_true", help="Skip the [embed] matchers.")
    parser.add_argument("--out", type=Path, help="Write meta.md/tex/json/png here.")
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()

    judgments = read_judgments(args.data)
    start = time.perf_counter()
    pairs = meta.judged_pairs(judgments)
    split = time.perf_counter() - start
    gold = meta.gold_labels(judgments)
    docs = [j.doc_id for j in judgments for _ in j.facts]
    print(f"{len(pairs)} pairs; sentence splitting {split:.2f} s")

    built = [matchers.create("lexical-v1"), matchers.create("lexical"),
             matchers.create("calibrated")]
    embedder = None
    if not args.no_embed:
        try:
            embedder = matchers.create("embedding")
            built.append(embedder)
            shipped = load_calibrations()["calibrated-embed"]
            built.append(CalibratedMatcher(shipped, "calibrated-embed-v1", embedder))  # type: ignore[arg-type]
        except ImportError as error:
            print(f"skipping embedding matchers: {error}")
    runs = [meta.run_matcher(m, pairs) for m in built]
    report = meta.evaluate(judgments, runs, meta.rouge_per_summary(judgments),
                           resamples=args.resamples)
    print(meta.to_markdown(report))
    lexical = runs[1]
    fresh = [matchers.create("lexical")]
    start = time.perf_counter()
    for j in judgments:
        split_sentences(j.summary + " ")  # not cached: what a run pays
    cold_split = time.perf_counter() - start
    repeat = meta.run_matcher(fresh[0], pairs)
    print(f"lexical-v2 on {len(pairs)} pairs: {lexical.seconds:.2f} s (first), "
          f"{repeat.seconds:.2f} s (fresh matcher, warm stem cache); "
          f"splitting the summaries into sentences: {cold_split:.2f} s")

    rows = pair_features(pairs, embedder)  # type: ignore[arg-type]
    cv = grouped_cv(rows, gold, docs, LEXICAL_FEATURES)
    print(f"calibrated: grouped 5-fold CV accuracy {cv:.4f}")
    if embedder is not None:
        cv = grouped_cv(rows, gold, docs, LEXICAL_FEATURES + EMBEDDING_FEATURES)
        print(f"calibrated-embed: grouped 5-fold CV accuracy {cv:.4f}")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "meta.md").write_text(meta.to_markdown(report), encoding="utf-8")
        (args.out / "meta.tex").write_text(meta.to_latex(report), encoding="utf-8")
        (args.out / "meta.json").write_text(report.to_json(), encoding="utf-8")
        meta.write_chart(report, args.out / "meta.png")


if __name__ == "__main__":
    main()
