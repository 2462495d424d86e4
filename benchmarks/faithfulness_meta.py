"""Reproduce the faithfulness figures on the dev data (issue 17): FRANK's validation split.

    python benchmarks/faithfulness_meta.py [../shared/data/faithfulness-dev] [--boot 1000]
        [--backend lexical] [--articles N]

The same library path as ``sumbench meta DATA --metric FactCC --metric "BertScore P Art"``:
the ``faithfulness`` scorer with the backend of ``--backend`` (a support backend name and its
key=value parameters, e.g. ``llm:model=qwen,base_url=http://127.0.0.1:8765/v1,cache=PATH``;
default ``lexical`` with its defaults) and, side by side on the same rows, FactCC and BERTScore
precision as FRANK ships them: FRANK's measure (partial Pearson and Spearman with the human
``factuality``, controlling for the system), per dataset (cnndm, xsum) and pooled; balanced
accuracy of ``faithful_all`` against ``all_factual``; system-level Kendall tau; 95% bootstrap
intervals over articles; and the time per summary-sentence. ``--articles N`` keeps the first N/2
cnndm and N/2 xsum articles in sorted article_id order (all their summaries).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from bench import faithmeta
from bench.faithjudgments import FaithJudgment
from bench.report.faith_meta import estimate
from bench.run import parse_spec
from bench.scorers.faithfulness import Faithfulness

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "faithfulness-dev"
PUBLISHED = {"FactCC": "FactCC (FRANK's release)", "BertScore P Art": "BERTScore P (FRANK's)"}


def first_articles(judgments: Sequence[FaithJudgment], n: int) -> list[FaithJudgment]:
    """Every summary of the first N/2 cnndm and N/2 xsum articles in sorted article_id order
    (cnndm takes the odd one)."""
    keep: set[str] = set()
    for subset, count in (("cnndm", n - n // 2), ("xsum", n // 2)):
        keep |= set(sorted({j.doc_id for j in judgments if j.subset == subset})[:count])
    return [j for j in judgments if j.doc_id in keep]


def scorer_of(spec: str) -> Faithfulness:
    """The faithfulness scorer over the backend ``NAME[:key=value,...]``."""
    name, params, _ = parse_spec(spec)
    return Faithfulness(name, **params)


def report(found: faithmeta.FaithMetaReport, backend: str) -> None:
    """Print every figure, ours and the published metrics', overall and per dataset."""
    labels = {
        "faithful": f"faithfulness ({backend}): faithful",
        "support": f"faithfulness ({backend}): mean support score",
        **PUBLISHED,
    }
    print(f"{'metric':48} {'subset':7} {'n':>4} {'pPearson':>9} {'pSpearman':>22}")
    for subset in ("all", "cnndm", "xsum"):
        for row in (r for r in found.rows if r.subset == subset and r.metric in labels):
            print(
                f"{labels[row.metric]:48} {subset:7} {row.n:4d} {row.pearson.value:9.3f} "
                f"{estimate(row.spearman):>22}"
            )
    for row in (r for r in found.rows if r.metric == "faithful_all" and r.balanced):
        print(
            f"\nbalanced accuracy of faithful_all vs all_factual, {row.subset}: "
            f"{estimate(row.balanced)} ({row.n} rows)",
            end="",
        )
    print("\n")
    for row in (r for r in found.rows if r.subset == "all" and r.metric in labels):
        print(f"system-level Kendall tau, {labels[row.metric]}: {estimate(row.tau)}")
    if found.unscored:
        print(f"\ncould not score {len(found.unscored)} summaries, e.g. {found.unscored[0]}")


def main() -> None:
    """Score the dev split and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--boot", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--backend", default="lexical", help="NAME[:key=value,...]")
    parser.add_argument("--articles", type=int, default=None, help="first N/2 cnndm + N/2 xsum")
    args = parser.parse_args()
    judgments = faithmeta.load_faith_judgments(args.data / "judgments.jsonl")
    if args.articles is not None:
        judgments = first_articles(judgments, args.articles)
    scorer = scorer_of(args.backend)
    run = faithmeta.score_judgments(scorer, judgments)
    metrics = list(PUBLISHED)
    found = faithmeta.evaluate(run, metrics=metrics, resamples=args.boot)
    report(found, scorer.backend.name)
    print(
        f"\n{1000 * run.seconds / max(run.sentences, 1):.2f} ms per summary-sentence "
        f"({run.sentences} sentences, {len(judgments)} summaries of "
        f"{len({j.doc_id for j in judgments})} articles, {run.seconds:.1f} s, first pass incl. "
        f"splitting each article once; 1-min load average {os.getloadavg()[0]:.2f} on "
        f"{os.cpu_count()} cores)"
    )
    print(f"{found.scorer} · {found.signature}")


if __name__ == "__main__":
    main()
