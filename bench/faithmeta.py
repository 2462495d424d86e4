"""Meta-evaluation of the ``faithfulness`` scorer: how well its per-summary scores agree with
human faithfulness judgments (:mod:`bench.faithjudgments` reads them), with bootstrap intervals
that resample articles.

The figures are FRANK's (Pagnoni et al., 2021): partial Pearson and Spearman with the human
score controlling for the system (each system's mean subtracted from both), per subset and
pooled; balanced accuracy of a binary metric (``faithful_all``) against ``label``; Kendall tau
of system means; per-sentence agreement where ``sentence_labels`` exist. ``bench.report.
faith_meta`` renders them.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from bench.correlation import (
    balanced_accuracy,
    cluster_resamples,
    correlation,
    partial_correlation,
    percentile_interval,
)
from bench.faithjudgments import FIELDS as FIELDS
from bench.faithjudgments import FaithJudgment as FaithJudgment
from bench.faithjudgments import is_faithfulness as is_faithfulness
from bench.faithjudgments import load_faith_judgments as load_faith_judgments
from bench.meta import Agreement, agreement
from bench.scorers.base import CannotScore
from bench.scorers.faithfulness import Faithfulness
from bench.support.base import SUPPORTED
from bench.support.sources import SentenceVerdict
from bench.task import Document, Task

SCORER_METRICS = ("faithful", "support", "faithful_all", "contradicted", "unsupported_entities")
"""Per-summary values correlated with the human score; ``support`` is the mean sentence support
score (the backend's degree of support, 0 for a contradicted sentence)."""
ALL = "all"


# -------------------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Scored:
    """The scorer's values and verdicts for one judged summary; ``reason`` when it could not
    score it (empty summary, unreadable script, a judge that reached no verdict)."""

    judgment: FaithJudgment
    values: Mapping[str, float]
    verdicts: tuple[SentenceVerdict, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class ScoredRun:
    """Every judged summary scored by one scorer, and the time it took."""

    scorer: str
    """The scorer's signature (backend and parameters)."""
    items: list[Scored]
    seconds: float
    sentences: int


def task_of(judgment: FaithJudgment, index: int) -> Task:
    """The judged article(s) as a task the scorer reads."""
    documents = [Document(id=f"d{k + 1}", text=t) for k, t in enumerate(judgment.documents)]
    return Task(id=f"j{index}", title="", documents=documents, instructions="", budget=100)


def score_judgments(
    scorer: Faithfulness,
    judgments: Sequence[FaithJudgment],
    progress: Callable[[int, int], None] | None = None,
) -> ScoredRun:
    """Score every judged summary, article by article (a judge caching prompt prefixes reads
    each article once); summaries it cannot score are kept with the reason, never dropped."""
    order = sorted(range(len(judgments)), key=lambda i: judgments[i].doc_id)
    found: dict[int, Scored] = {}
    sentences = 0
    start = time.perf_counter()
    for done, index in enumerate(order, 1):
        j = judgments[index]
        try:
            item = scorer.judge(task_of(j, index), j.summary, j.sentences)
        except CannotScore as error:
            found[index] = Scored(j, {}, (), str(error))
        else:
            verdicts = tuple(item.claims)
            found[index] = Scored(j, dict(item.values), verdicts)
            sentences += len(verdicts)
        if progress is not None:
            progress(done, len(order))
    seconds = time.perf_counter() - start
    return ScoredRun(
        scorer.signature(), [found[i] for i in range(len(judgments))], seconds, sentences
    )


# --------------------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Estimate:
    """A figure with its bootstrap interval (``nan`` bounds when it cannot be resampled)."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class MetricRow:
    """One metric on one subset: FRANK's measure, system-level tau, and balanced accuracy
    against the binary label for a binary metric."""

    metric: str
    subset: str
    n: int
    systems: int
    pearson: Estimate
    spearman: Estimate
    tau: Estimate
    balanced: Estimate | None = None


@dataclass(frozen=True)
class SentenceRow:
    """Per-sentence agreement of "supported" with the annotators' 0/1 labels (1 = faithful)."""

    subset: str
    agreement: Agreement
    balanced: Estimate


@dataclass
class FaithMetaReport:
    """Everything ``sumbench meta`` reports on faithfulness judgments."""

    scorer: str
    human: str
    """The human column correlated: ``score``, or ``label`` when no row has a score."""
    summaries: int
    articles: int
    systems: int
    subsets: dict[str, int]
    unscored: list[tuple[str, str]]
    """(judgment id, reason) of every summary the scorer could not score."""
    seconds: float
    sentences: int
    rows: list[MetricRow] = field(default_factory=list)
    sentence_rows: list[SentenceRow] = field(default_factory=list)
    signature: str = ""

    def to_json(self) -> str:
        """Everything, as JSON (``nan`` as null)."""
        return json.dumps(_nan_to_none(asdict(self)), indent=2) + "\n"


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nan_to_none(v) for v in value]
    return value


def signature(resamples: int, level: float, seed: int) -> str:
    """How the figures were computed, e.g. ``faithmeta:v1|partial:system|...``."""
    return (
        f"faithmeta:v1|partial:system|ci:percentile|unit:article|resamples:{resamples}|"
        f"level:{level:g}|seed:{seed}"
    )


def evaluate(
    run: ScoredRun,
    *,
    metrics: Sequence[str] | None = None,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> FaithMetaReport:
    """Every figure for the scored summaries, pooled and per subset; ``metrics`` picks the
    judgments' own metrics to report beside the scorer's (default: all of them)."""
    judgments = [s.judgment for s in run.items]
    scored = [s for s in run.items if not s.reason]
    human_name = "score" if any(j.score is not None for j in judgments) else "label"
    subsets = np.array([s.judgment.subset for s in scored], dtype=object)
    counts = {str(k): int(v) for k, v in zip(*np.unique(subsets, return_counts=True), strict=True)}
    report = FaithMetaReport(
        scorer=run.scorer,
        human=human_name,
        summaries=len(judgments),
        articles=len({j.doc_id for j in judgments}),
        systems=len({j.system for j in judgments}),
        subsets=counts if len(counts) > 1 or "" not in counts else {},
        unscored=[(s.judgment.id, s.reason) for s in run.items if s.reason],
        seconds=run.seconds,
        sentences=run.sentences,
        signature=signature(resamples, level, seed),
    )
    columns = _columns(scored, metrics)
    human = np.array([_human(s.judgment, human_name) for s in scored], dtype=float)
    label = np.array([_human(s.judgment, "label") for s in scored], dtype=float)
    systems = np.array([s.judgment.system for s in scored], dtype=object)
    docs = np.array([s.judgment.doc_id for s in scored], dtype=object)
    for subset in [ALL, *sorted(report.subsets)]:
        at = np.arange(len(scored)) if subset == ALL else np.flatnonzero(subsets == subset)
        draws = cluster_resamples(docs[at], resamples, seed)
        for name, values in columns.items():
            found = Columns(values[at], human[at], label[at], systems[at])
            report.rows.append(_metric_row(name, subset, found, draws, level))
    report.sentence_rows = _sentence_rows(scored, resamples, level, seed)
    return report


def _human(judgment: FaithJudgment, name: str) -> float:
    value = judgment.score if name == "score" else judgment.label
    return math.nan if value is None else float(value)


def _columns(scored: Sequence[Scored], metrics: Sequence[str] | None) -> dict[str, np.ndarray]:
    """The scorer's metrics, then the judgments' own (``nan`` where a row lacks one)."""
    own = sorted({m for s in scored for m in s.judgment.metrics}) if metrics is None else metrics
    found = {m: np.array([s.values[m] for s in scored], dtype=float) for m in SCORER_METRICS}
    for name in own:
        found[name] = np.array([s.judgment.metrics.get(name, math.nan) for s in scored], float)
    return found


@dataclass(frozen=True)
class Columns:
    """One metric's values with the human score, label and system of the same rows."""

    values: np.ndarray
    human: np.ndarray
    label: np.ndarray
    systems: np.ndarray

    def figures(self, rows: np.ndarray, binary: bool) -> tuple[float, float, float, float]:
        """Partial Pearson, partial Spearman, system tau and balanced accuracy on ``rows``."""
        ok = rows[~np.isnan(self.values[rows]) & ~np.isnan(self.human[rows])]
        v, h, s = self.values[ok], self.human[ok], self.systems[ok]
        pearson = partial_correlation(v, h, s, "pearson") if ok.size > 2 else math.nan
        spearman = partial_correlation(v, h, s, "spearman") if ok.size > 2 else math.nan
        balanced = math.nan
        if binary:
            labelled = rows[~np.isnan(self.values[rows]) & ~np.isnan(self.label[rows])]
            balanced = balanced_accuracy(self.values[labelled], self.label[labelled])
        return pearson, spearman, system_tau(v, h, s), balanced


def system_tau(values: np.ndarray, human: np.ndarray, systems: np.ndarray) -> float:
    """Kendall tau (b) between the systems' mean metric and mean human score."""
    names = sorted(set(systems.tolist()))
    if len(names) < 2:
        return math.nan
    ours = np.array([values[systems == n].mean() for n in names])
    theirs = np.array([human[systems == n].mean() for n in names])
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(correlation(ours, theirs, "kendall"))


def _metric_row(
    name: str, subset: str, found: Columns, draws: list[np.ndarray], level: float
) -> MetricRow:
    known = found.values[~np.isnan(found.values)]
    binary = bool(known.size) and bool(np.isin(known, (0.0, 1.0)).all())
    binary = binary and bool((~np.isnan(found.label)).any())
    point = found.figures(np.arange(found.values.size), binary)
    resampled = np.array([found.figures(d, binary) for d in draws]).reshape(-1, 4)
    estimates = [Estimate(point[k], *percentile_interval(resampled[:, k], level)) for k in range(4)]
    ok = ~np.isnan(found.values) & ~np.isnan(found.human)
    return MetricRow(
        name,
        subset,
        int(ok.sum()),
        len(set(found.systems[ok].tolist())),
        estimates[0],
        estimates[1],
        estimates[2],
        estimates[3] if binary else None,
    )


def _sentence_rows(
    scored: Sequence[Scored], resamples: int, level: float, seed: int
) -> list[SentenceRow]:
    """Per-sentence agreement, pooled and per subset, for judgments with sentence labels."""
    predicted: list[bool] = []
    gold: list[bool] = []
    docs: list[str] = []
    subsets: list[str] = []
    for s in scored:
        j = s.judgment
        if not j.sentence_labels:
            continue
        labels = [lab for u, lab in zip(j.sentences, j.sentence_labels, strict=True) if u.strip()]
        for verdict, lab in zip(s.verdicts, labels, strict=False):
            predicted.append(verdict.verdict == SUPPORTED)
            gold.append(bool(lab))
            docs.append(j.doc_id)
            subsets.append(j.subset)
    if not gold:
        return []
    p, g, d, sub = np.array(predicted), np.array(gold), np.array(docs), np.array(subsets)
    names = sorted(set(subsets))
    found = []
    for subset in [ALL, *(names if len(names) > 1 else [])]:
        at = np.arange(g.size) if subset == ALL else np.flatnonzero(sub == subset)
        draws = cluster_resamples(d[at], resamples, seed)
        pa, ga = p[at], g[at]
        spread = [balanced_accuracy(pa[k], ga[k]) for k in draws]
        value = balanced_accuracy(pa, ga)
        found.append(
            SentenceRow(
                subset,
                agreement(pa.tolist(), ga.tolist()),
                Estimate(value, *percentile_interval(spread, level)),
            )
        )
    return found
