"""``sumbench meta`` and ``sumbench calibrate`` on faithfulness judgments: the faithfulness
scorer against human faithfulness scores and labels (``bench.faithmeta``)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

import typer

from bench import faithmeta
from bench.cli.errors import fail
from bench.meta import JudgmentError
from bench.registry import UnknownNameError
from bench.report import faith_meta as faith_report
from bench.run import RunError, parse_spec
from bench.scorers.base import scorers
from bench.scorers.faithfulness import Faithfulness
from bench.support import JudgeFailed

DEFAULT_SCORER = "faithfulness:backend=lexical"
JUDGMENTS_FILE = "judgments.jsonl"


def field_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """``--field score=factuality`` options as {our field: the file's field}."""
    found = {}
    for pair in pairs:
        ours, eq, theirs = pair.partition("=")
        if not eq or ours.strip() not in faithmeta.FIELDS or not theirs.strip():
            raise fail(
                f"--field {pair!r}: expected FIELD=NAME_IN_FILE with FIELD one of "
                f"{', '.join(faithmeta.FIELDS)}"
            )
        found[ours.strip()] = theirs.strip()
    return found


def faithfulness_file(path: Path, fields: dict[str, str]) -> Path | None:
    """The judgments file when ``path`` (a file, or a folder with ``judgments.jsonl``) holds
    faithfulness judgments (its first record carries source documents), else None."""
    file = path / JUDGMENTS_FILE if path.is_dir() else path
    try:
        with file.open(encoding="utf-8") as handle:
            first = next((line for line in handle if line.strip()), "")
        record = json.loads(first) if first else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None  # the key-fact reader reports the problem with its own message
    return (
        file if isinstance(record, dict) and faithmeta.is_faithfulness([record], fields) else None
    )


def load(file: Path, fields: dict[str, str]) -> list[faithmeta.FaithJudgment]:
    """The judgments, or a clean error naming the line, field and what is expected."""
    try:
        found = faithmeta.load_faith_judgments(file, fields)
    except (OSError, JudgmentError) as error:
        raise fail(f"cannot read faithfulness judgments: {error}") from None
    if not found:
        raise fail(f"{file}: no judgments")
    return found


def make_scorer(spec: str) -> Faithfulness:
    """The faithfulness scorer of ``--scorer`` (``faithfulness:backend=NAME,key=value``)."""
    try:
        base, params, _ = parse_spec(spec)
        scorer = scorers.create(base, **params)
    except (RunError, UnknownNameError, TypeError, ValueError, ImportError) as error:
        raise fail(f"--scorer {spec!r}: {error}") from None
    if not isinstance(scorer, Faithfulness):
        raise fail(f"--scorer {spec!r}: expected faithfulness[:backend=NAME,key=value,...]")
    return scorer


def score(scorer: Faithfulness, judgments: list[faithmeta.FaithJudgment]) -> faithmeta.ScoredRun:
    """Score every judged summary, with progress on stderr."""
    typer.echo(f"scoring {len(judgments)} summaries with {scorer.signature()} ...", err=True)
    step = max(1, len(judgments) // 10)

    def progress(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            typer.echo(f"  {done}/{total}", err=True)

    try:
        return faithmeta.score_judgments(scorer, judgments, progress)
    except JudgeFailed as error:
        raise fail(f"{scorer.backend.name}: {error}") from None


def run_meta(
    file: Path,
    *,
    fields: dict[str, str],
    scorer_spec: str,
    metrics: list[str] | None,
    resamples: int,
    level: float,
    seed: int,
    out: Path | None,
) -> None:
    """Score the judgments, print the Markdown report, and write the files under ``out``."""
    judgments = load(file, fields)
    run = score(make_scorer(scorer_spec), judgments)
    if run.items and all(s.reason for s in run.items):
        typer.echo(f"warning: could not score any summary, e.g. {run.items[0].reason}", err=True)
    report = faithmeta.evaluate(run, metrics=metrics, resamples=resamples, level=level, seed=seed)
    markdown = faith_report.to_markdown(report)
    typer.echo(markdown)
    if out is not None:
        write(report, markdown, run, out)


def write(
    report: faithmeta.FaithMetaReport, markdown: str, run: faithmeta.ScoredRun, out: Path
) -> None:
    """``meta.md``, ``meta.json``, ``meta_summaries.csv`` (per summary values or the reason it
    was not scored) and ``meta_claims.csv`` (per sentence verdict, evidence and label)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "meta.md").write_text(markdown, encoding="utf-8")
    (out / "meta.json").write_text(report.to_json(), encoding="utf-8")
    with (out / "meta_summaries.csv").open("w", newline="", encoding="utf-8") as handle:
        columns = ["id", "doc_id", "system", "subset", "score", "label", "sentences"]
        writer = csv.writer(handle)
        writer.writerow([*columns, *faithmeta.SCORER_METRICS, "reason"])
        for s in run.items:
            j = s.judgment
            values = [s.values.get(m, "") for m in faithmeta.SCORER_METRICS]
            row = [j.id, j.doc_id, j.system, j.subset, j.score, j.label, len(s.verdicts)]
            writer.writerow([*("" if v is None else v for v in row), *values, s.reason])
    with (out / "meta_claims.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        header = ["id", "sentence", "claim", "verdict", "score", "document", "evidence", "reason"]
        writer.writerow([*header, "label"])
        for s in run.items:
            pairs = zip(s.judgment.sentences, s.judgment.sentence_labels, strict=False)
            labels = [lab for u, lab in pairs if u.strip()]
            for v in s.verdicts:
                label = labels[v.index] if v.index < len(labels) else ""
                cells = [v.index, v.sentence, v.verdict, v.score, v.document, v.evidence, v.reason]
                writer.writerow([s.judgment.id, *cells, label])
    typer.echo(f"wrote {out}/meta.md, meta.json, meta_summaries.csv, meta_claims.csv", err=True)


DEFAULT_CALIBRATION = "faithfulness-calibration.yaml"


def run_calibrate(
    file: Path, *, fields: dict[str, str], objective: str, folds: int, out: Path
) -> None:
    """Fit the lexical knobs, print in-sample and cross-validated figures, write the YAML."""
    from bench import faithcal

    judgments = load(file, fields)
    points = len(faithcal.grid_points())
    typer.echo(f"scoring {len(judgments)} summaries at {points} grid points ...", err=True)

    def progress(done: int, total: int) -> None:
        if done % 10 == 0 or done == total:
            typer.echo(f"  {done}/{total}", err=True)

    try:
        fitted = faithcal.calibrate(judgments, objective=objective, k=folds, progress=progress)
    except faithcal.CalibrationError as error:
        raise fail(f"cannot calibrate on {file}: {error}") from None
    typer.echo(f"objective: {faithcal.describe(objective)}")
    typer.echo(
        f"defaults {faithcal.DEFAULTS}: in-sample {fitted.default_in_sample:.3f}, "
        f"held-out mean over {folds} folds by article {fitted.default_cross_validated:.3f}"
    )
    typer.echo(
        f"fitted {fitted.params}: in-sample {fitted.in_sample:.3f}, cross-validated "
        f"{fitted.cross_validated:.3f} (knobs refitted without each held-out fold)"
    )
    for n, (params, held, default) in enumerate(fitted.folds, 1):
        typer.echo(f"  fold {n}: fitted {params} -> {held:.3f} held out (defaults {default:.3f})")
    out.write_text(fitted.to_yaml(), encoding="utf-8")
    typer.echo(f"use: --scorers {fitted.spec}  (or --config {out})")
    typer.echo(f"wrote {out}", err=True)
