"""``sumbench meta`` and ``sumbench calibrate``: matchers and metrics against human judgments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bench import meta
from bench.cli import faithmeta as faith_cli
from bench.cli.errors import fail
from bench.registry import UnknownNameError
from bench.report import meta as meta_report
from bench.run import RunError, parse_spec
from bench.scorers.matchers import MatcherFailed, Pair, matchers
from bench.scorers.matchers.calibrated import (
    EMBEDDING_FEATURES,
    EMBEDDING_FEATURES_V2,
    LEXICAL_FEATURES,
    LEXICAL_FEATURES_V2,
    VETO,
    VETO_V2,
    FeatureSource,
    fit,
    pair_features,
)
from bench.store import Store, StoreError

DEFAULT_MATCHERS = ["lexical-v1", "lexical", "calibrated-v2"]
JUDGMENTS_FILE = "judgments.jsonl"
DOCUMENTS_FILE = "documents.jsonl"


def read_judgments(path: Path) -> list[meta.Judgment]:
    """Judgments from a file, or from a folder in the dev data's layout (``judgments.jsonl``
    with ``documents.jsonl`` beside it for the references)."""
    try:
        if path.is_dir():
            records = meta.read_jsonl(path / JUDGMENTS_FILE)
            documents = path / DOCUMENTS_FILE
            docs = meta.read_jsonl(documents) if documents.is_file() else []
            return meta.convert_keyfacts_dev(records, docs)
        return meta.load_judgments(path)
    except (OSError, meta.JudgmentError, KeyError) as error:
        raise fail(f"cannot read judgments from {path}: {error}") from None


def _matcher_runs(specs: list[str], pairs: list[Pair]) -> list[meta.MatcherRun]:
    runs = []
    for spec in specs:
        try:
            base, params, _ = parse_spec(spec)
            matcher = matchers.create(base, **params)
        except (RunError, UnknownNameError, TypeError, ValueError, ImportError) as error:
            raise fail(f"matcher {spec!r}: {error}") from None
        typer.echo(f"matching {len(pairs)} pairs with {matcher.name} ...", err=True)
        try:
            runs.append(meta.run_matcher(matcher, pairs))
        except MatcherFailed as error:
            raise fail(f"matcher {spec!r}: {error}") from None
        usage = getattr(matcher, "usage", None)
        if callable(usage):  # a judge: its requests, cached replies and requests/s
            typer.echo(usage(), err=True)
    return runs


def _stored_run(
    path: Path, judgments: list[meta.Judgment]
) -> tuple[list[meta.MatcherRun], dict[str, dict[tuple[str, str], float]]]:
    try:
        store = Store(path)
        facts, scores = store.facts(), store.scores()
    except StoreError as error:
        raise fail(str(error)) from None
    decisions = meta.run_decisions(facts, judgments)
    missing = sum(d is None for d in decisions)
    names = sorted({d.matcher for d in decisions if d is not None})
    name = f"run {path.name} ({', '.join(names) or 'no decisions'})"
    runs = [
        meta.MatcherRun(
            name,
            decisions,
            float("nan"),
            missing,
            [f"{missing} judged pairs have no decision in the run"],
        )
    ]
    return ([] if missing == len(decisions) else runs), meta.run_metrics(scores)


def meta_command(
    judgments: Annotated[
        Path,
        typer.Argument(
            help="Judgments JSONL (documented format or the dev data's), or the dev data folder."
        ),
    ],
    matcher: Annotated[
        list[str] | None,
        typer.Option(
            "--matcher",
            "-m",
            help="Matcher NAME[:key=value,...] to run on every judged pair; "
            "repeat. Default without --run: lexical-v1, lexical, calibrated-v2.",
        ),
    ] = None,
    run: Annotated[
        Path | None,
        typer.Option(
            "--run",
            help="A results folder: its facts.csv decisions and scores.csv metrics "
            "(task ids must be the judgments' doc ids).",
        ),
    ] = None,
    rouge: Annotated[
        bool,
        typer.Option(
            help="Correlate ROUGE of each summary with its reference (when judgments have one)."
        ),
    ] = True,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for meta.md, meta.tex, meta.json and meta.png."),
    ] = None,
    resamples: Annotated[
        int, typer.Option("--resamples", "--boot", help="Bootstrap resamples.")
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the resampling.")] = 0,
    level: Annotated[float, typer.Option(help="Confidence level of intervals.")] = 0.95,
    soft: Annotated[
        bool,
        typer.Option(help="Also correlate each matcher's mean score per summary (a soft recall)."),
    ] = False,
    scorer: Annotated[
        str,
        typer.Option(
            help="Faithfulness judgments: the scorer and backend to evaluate, e.g. "
            "faithfulness:backend=lexical,threshold=0.6."
        ),
    ] = faith_cli.DEFAULT_SCORER,
    field: Annotated[
        list[str] | None,
        typer.Option(
            help="Faithfulness judgments: read FIELD from another name in the file, e.g. "
            "score=my_score; repeat."
        ),
    ] = None,
    metric: Annotated[
        list[str] | None,
        typer.Option(
            help="Faithfulness judgments: another metric of the rows' `metrics` to report beside "
            "the scorer's (default: all); repeat."
        ),
    ] = None,
) -> None:
    """Agreement of key-fact matchers and metrics with human judgments.

    Judgments are JSON Lines, one object per judged summary:

    \b
    {"doc_id": "d1", "system": "s1", "summary": "text ...",
     "facts": [{"id": "f1", "text": "The UK sent troops.", "labels": [1, 0, 1]}],
     "scores": {"litepyramid_recall": 0.5},
     "reference": "optional reference summary, for ROUGE without --run"}

    labels: one 0/1 per annotator (the gold label is their majority, ties absent); scores: any
    per-summary human scores; facts or scores may be empty. The key-fact dev data folder
    (REALSumm format) is read as it is.

    Faithfulness judgments (rows with a source `document`) are scored by --scorer instead:

    \b
    {"doc_id": "a1", "system": "s1", "document": "source ...", "summary": "text ...",
     "sentences": ["unit 1", "unit 2"], "score": 0.5, "label": 0, "sentence_labels": [1, 0],
     "subset": "news", "metrics": {"FactCC": 0.61}}

    score, label or sentence_labels is required; FRANK's fields (article_id, article,
    summary_sentences, factuality, all_factual, dataset, published_metrics) are read as they
    are, other names through --field.
    """
    fields = faith_cli.field_mapping(field or [])
    faith_file = faith_cli.faithfulness_file(judgments, fields)
    if faith_file is not None:
        if matcher or run is not None:
            raise fail("--matcher and --run apply to key-fact judgments, not faithfulness ones")
        faith_cli.run_meta(
            faith_file,
            fields=fields,
            scorer_spec=scorer,
            metrics=metric,
            resamples=resamples,
            level=level,
            seed=seed,
            out=out,
        )
        return
    found = read_judgments(judgments)
    if not found:
        raise fail(f"{judgments}: no judgments")
    runs: list[meta.MatcherRun] = []
    metrics: dict[str, dict[tuple[str, str], float]] = {}
    if run is not None:
        runs, metrics = _stored_run(run, found)
    specs = matcher if matcher is not None else ([] if run is not None else DEFAULT_MATCHERS)
    if specs:
        runs += _matcher_runs(specs, meta.judged_pairs(found))
    if rouge and run is None:
        metrics.update(meta.rouge_per_summary(found))
    _warn_undecided(runs)
    report = meta.evaluate(
        found, runs, metrics, resamples=resamples, level=level, seed=seed, soft=soft
    )
    markdown = meta_report.to_markdown(report)
    typer.echo(markdown)
    if out is not None:
        _write_meta(report, markdown, out)


def _warn_undecided(runs: list[meta.MatcherRun]) -> None:
    for r in runs:
        if r.undecided:
            typer.echo(
                f"warning: {r.name}: {r.undecided} pair(s) undecided, left out; "
                f"e.g. {r.reasons[0] if r.reasons else ''}",
                err=True,
            )


def _write_meta(report: meta.MetaReport, markdown: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "meta.md").write_text(markdown, encoding="utf-8")
    (out / "meta.tex").write_text(meta_report.to_latex(report), encoding="utf-8")
    (out / "meta.json").write_text(report.to_json(), encoding="utf-8")
    meta_report.write_chart(report, out / "meta.png")
    typer.echo(f"wrote {out}/meta.md, meta.tex, meta.json, meta.png", err=True)


def calibrate_command(
    judgments: Annotated[
        Path,
        typer.Argument(
            help="Labelled judgments JSONL (documented format or the dev data's), or its folder."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Calibration JSON to write.")] = Path(
        "calibration.json"
    ),
    embed: Annotated[
        bool, typer.Option(help="Also fit calibrated-embed (needs sumbench[embed]).")
    ] = False,
    l2: Annotated[float, typer.Option(help="L2 penalty of the logistic regression.")] = 1.0,
    version: Annotated[
        int,
        typer.Option(
            min=1,
            max=2,
            help="Matcher version to fit: 1 (calibrated, calibrated-embed) or 2 "
            "(calibrated-v2, calibrated-embed-v2).",
        ),
    ] = 1,
    field: Annotated[
        list[str] | None,
        typer.Option(help="Faithfulness judgments: read FIELD from another name; repeat."),
    ] = None,
    objective: Annotated[
        str,
        typer.Option(
            help="Faithfulness judgments: maximise 'spearman' (partial Spearman of faithful "
            "with the human score) or 'balanced-accuracy' (of faithful_all vs the label)."
        ),
    ] = "spearman",
    folds: Annotated[
        int, typer.Option(min=2, help="Faithfulness judgments: cross-validation folds.")
    ] = 5,
) -> None:
    """Fit the calibrated matchers on labelled judgments; use the file with
    ``--scorers keyfacts:calibration=FILE`` (and ``matcher=`` the fitted matcher).

    On faithfulness judgments (see ``sumbench meta --help``) it fits the lexical faithfulness
    backend's threshold, novel and order knobs instead, with cross-validation by article, and
    writes a YAML (default faithfulness-calibration.yaml) with the --scorers spec to use.
    """
    fields = faith_cli.field_mapping(field or [])
    faith_file = faith_cli.faithfulness_file(judgments, fields)
    if faith_file is not None:
        target = Path(faith_cli.DEFAULT_CALIBRATION) if out == Path("calibration.json") else out
        faith_cli.run_calibrate(
            faith_file, fields=fields, objective=objective, folds=folds, out=target
        )
        return
    found = read_judgments(judgments)
    pairs = meta.judged_pairs(found)
    gold = meta.gold_labels(found)
    if not pairs or len(set(gold)) < 2:
        raise fail("need labelled pairs of both classes (present and absent) to calibrate")
    source = f"{judgments.name}: {len(pairs)} pairs, {len(found)} summaries"
    extra: FeatureSource | None = None
    if embed:
        from bench.scorers.matchers.embedding import DetailedFeatures, EmbeddingMatcher

        try:
            matcher = EmbeddingMatcher()
            matcher.model  # noqa: B018 - load now, so a missing extra fails before the work
        except ImportError as error:
            raise fail(str(error)) from None
        extra = matcher if version == 1 else DetailedFeatures(matcher)
    rows = pair_features(pairs, extra, version)
    lexical, embedding, veto, suffix = (
        (LEXICAL_FEATURES, EMBEDDING_FEATURES, VETO, "")
        if version == 1
        else (LEXICAL_FEATURES_V2, EMBEDDING_FEATURES_V2, VETO_V2, "-v2")
    )
    # Version 1 keeps its threshold rule (vetoes ignored) so its shipped fit reproduces.
    rule = () if version == 1 else veto
    fitted = {f"calibrated{suffix}": fit(rows, gold, lexical, l2=l2, fitted_on=source, veto=rule)}
    if embed:
        fitted[f"calibrated-embed{suffix}"] = fit(
            rows, gold, lexical + embedding, l2=l2, fitted_on=source, veto=rule
        )
    out.write_text(
        json.dumps({k: v.to_dict() for k, v in fitted.items()}, indent=2) + "\n", encoding="utf-8"
    )
    for name, calibration in fitted.items():
        rows_present = [
            calibration.probability(r) >= calibration.threshold and not any(r[v] for v in veto)
            for r in rows
        ]
        accuracy = meta.agreement(rows_present, gold).accuracy
        typer.echo(
            f"{name}: threshold {calibration.threshold:.2f}, "
            f"accuracy on these judgments {accuracy:.3f} (in-sample)"
        )
    typer.echo(f"wrote {out}", err=True)
