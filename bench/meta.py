"""Meta-evaluation: how well key-fact decisions and metric scores agree with human judgments.

Judgments file (JSON Lines, one object per judged summary)::

    {"doc_id": "d1", "system": "s1", "summary": "text ...",
     "facts": [{"id": "f1", "text": "The UK sent troops.", "labels": [1, 0, 1]}],
     "scores": {"litepyramid_recall": 0.5},
     "reference": "optional reference summary, for ROUGE without a run"}

``labels`` holds one 0/1 per annotator; the gold label is their majority (ties count as absent).
``scores`` holds per-summary human scores (any names). ``facts`` or ``scores`` may be empty.
The key-fact development data (REALSumm format: ``worker_labels``, ``majority_labels``,
``litepyramid_recall``) is converted by :func:`convert_keyfacts_dev`.

Correlations follow Deutsch et al. (2021): summary level is the correlation across systems
within each document, averaged over documents; system level correlates the per-system means.
Their intervals resample systems and documents together (percentile bootstrap, seeded).
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench import stats
from bench.scorers.base import FactDecision
from bench.scorers.matchers.base import Matcher, Pair, Undecided, match_all
from bench.task import KeyFact
from bench.text import split_sentences

FloatArray = npt.NDArray[np.float64]
CORRELATIONS = ("pearson", "spearman", "kendall")
LEVELS = ("summary", "system")


# ------------------------------------------------------------------------------------- judgments


@dataclass(frozen=True)
class FactLabel:
    """Annotators' present (1) / absent (0) labels of one key fact in one summary."""

    id: str
    text: str
    labels: tuple[int, ...]

    @property
    def majority(self) -> bool:
        """Present when more than half the annotators say so (ties count as absent)."""
        return 2 * sum(self.labels) > len(self.labels)


@dataclass(frozen=True)
class Judgment:
    """Human judgments of one summary of one document by one system."""

    doc_id: str
    system: str
    summary: str
    facts: tuple[FactLabel, ...] = ()
    scores: Mapping[str, float] = field(default_factory=dict)
    reference: str | None = None

    def keyfacts(self) -> tuple[KeyFact, ...]:
        """The judged facts as :class:`KeyFact` objects (weight 1)."""
        return tuple(KeyFact(id=f.id, text=f.text) for f in self.facts)


class JudgmentError(ValueError):
    """A judgments file that cannot be read: names the line and the problem."""


def load_judgments(path: Path) -> list[Judgment]:
    """Judgments from a JSON Lines file in the documented format or the dev data's format."""
    records = read_jsonl(path)
    if records and "worker_labels" in records[0]:
        return convert_keyfacts_dev(records)
    found = []
    for line, record in enumerate(records, 1):
        try:
            facts = tuple(
                FactLabel(str(f["id"]), str(f["text"]), tuple(int(v) for v in f["labels"]))
                for f in record.get("facts", [])
            )
            found.append(
                Judgment(
                    doc_id=str(record["doc_id"]),
                    system=str(record["system"]),
                    summary=str(record["summary"]),
                    facts=facts,
                    scores={k: float(v) for k, v in record.get("scores", {}).items()},
                    reference=record.get("reference"),
                )
            )
        except (KeyError, TypeError, ValueError) as error:
            raise JudgmentError(f"{path}:{line}: {type(error).__name__}: {error}") from None
    return found


def convert_keyfacts_dev(
    records: Iterable[Mapping[str, Any]], documents: Iterable[Mapping[str, Any]] = ()
) -> list[Judgment]:
    """Judgments from the dev data's records (``judgments.jsonl``; ``documents.jsonl`` adds
    the reference summaries)."""
    references = {str(d["doc_id"]): str(d["reference"]) for d in documents}
    found = []
    for record in records:
        workers = record["worker_labels"]
        facts = tuple(
            FactLabel(str(fid), str(text), tuple(int(w[k]) for w in workers))
            for k, (fid, text) in enumerate(zip(record["key_fact_ids"], record["key_facts"],
                                                strict=True))
        )
        doc_id = str(record["doc_id"])
        found.append(
            Judgment(
                doc_id=doc_id,
                system=str(record["system"]),
                summary=str(record["summary"]),
                facts=facts,
                scores={"litepyramid_recall": float(record["litepyramid_recall"])},
                reference=references.get(doc_id),
            )
        )
    return found


def write_judgments(judgments: Iterable[Judgment], path: Path) -> None:
    """Write judgments in the documented format."""
    lines = []
    for j in judgments:
        record: dict[str, Any] = {
            "doc_id": j.doc_id,
            "system": j.system,
            "summary": j.summary,
            "facts": [{"id": f.id, "text": f.text, "labels": list(f.labels)} for f in j.facts],
            "scores": dict(j.scores),
        }
        if j.reference is not None:
            record["reference"] = j.reference
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    found = []
    for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not text.strip():
            continue
        try:
            found.append(json.loads(text))
        except json.JSONDecodeError as error:
            raise JudgmentError(f"{path}:{line}: invalid JSON ({error.msg})") from None
    return found


# ------------------------------------------------------------------------------------ agreement


@dataclass(frozen=True)
class Agreement:
    """Agreement of binary decisions with gold labels (present is the positive class)."""

    n: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    kappa: float


def agreement(predicted: Sequence[bool], gold: Sequence[bool]) -> Agreement:
    """Accuracy, precision, recall, F1 and Cohen's kappa of ``predicted`` against ``gold``."""
    if len(predicted) != len(gold):
        raise ValueError(f"{len(predicted)} decisions for {len(gold)} labels")
    p = np.asarray(predicted, dtype=bool)
    g = np.asarray(gold, dtype=bool)
    n = p.size
    if n == 0:
        nan = math.nan
        return Agreement(0, nan, nan, nan, nan, nan)
    tp = float(np.sum(p & g))
    accuracy = float(np.mean(p == g))
    precision = tp / p.sum() if p.any() else math.nan
    recall = tp / g.sum() if g.any() else math.nan
    f1 = 2 * tp / (p.sum() + g.sum()) if (p.any() or g.any()) else math.nan
    chance = float(p.mean() * g.mean() + (1 - p.mean()) * (1 - g.mean()))
    kappa = (accuracy - chance) / (1 - chance) if chance < 1 else math.nan
    return Agreement(n, accuracy, float(precision), float(recall), float(f1), kappa)


def gold_labels(judgments: Sequence[Judgment]) -> list[bool]:
    """Majority labels of every (summary, fact) pair, in file order."""
    return [f.majority for j in judgments for f in j.facts]


def human_ceiling(judgments: Sequence[Judgment]) -> Agreement:
    """Each annotator against each other annotator of the same pair, pooled: how well one
    reader agrees with another (accuracy equals :func:`pairwise_agreement`)."""
    predicted: list[bool] = []
    gold: list[bool] = []
    for f in (f for j in judgments for f in j.facts):
        for a, mine in enumerate(f.labels):
            for b, theirs in enumerate(f.labels):
                if a != b:
                    predicted.append(bool(mine))
                    gold.append(bool(theirs))
    return agreement(predicted, gold)


def pairwise_agreement(judgments: Sequence[Judgment]) -> float:
    """Share of annotator pairs that agree on a (summary, fact) pair."""
    agree = total = 0
    for f in (f for j in judgments for f in j.facts):
        for a in range(len(f.labels)):
            for b in range(a + 1, len(f.labels)):
                agree += f.labels[a] == f.labels[b]
                total += 1
    return agree / total if total else math.nan


# ------------------------------------------------------------------------------ matcher runs


@dataclass(frozen=True)
class MatcherRun:
    """A matcher's decisions on every judged pair (``None`` where it reached no verdict)."""

    name: str
    decisions: list[FactDecision | None]
    seconds: float
    """Time of the matcher alone (sentences are split beforehand)."""
    undecided: int
    reasons: list[str]
    """Why pairs were undecided (first few), e.g. an unparsable judge reply."""


def judged_pairs(judgments: Sequence[Judgment], language: str = "en") -> list[Pair]:
    """The (summary sentences, fact, siblings) questions of every judged pair, in file order."""
    pairs: list[Pair] = []
    for j in judgments:
        sentences = tuple(split_sentences(j.summary, language))
        siblings = j.keyfacts()
        pairs.extend(Pair(fact, sentences, siblings) for fact in siblings)
    return pairs


def run_matcher(matcher: Matcher, pairs: Sequence[Pair]) -> MatcherRun:
    """Time ``matcher`` on ``pairs`` and keep every decision."""
    start = time.perf_counter()
    results = match_all(matcher, pairs)
    seconds = time.perf_counter() - start
    decisions = [r if isinstance(r, FactDecision) else None for r in results]
    reasons = [str(r) for r in results if isinstance(r, Undecided)]
    return MatcherRun(matcher.name, decisions, seconds, len(reasons), reasons[:5])


def decided_agreement(run: MatcherRun, gold: Sequence[bool]) -> Agreement:
    """Agreement over the pairs the matcher decided."""
    kept = [(d.present, g) for d, g in zip(run.decisions, gold, strict=True) if d is not None]
    return agreement([p for p, _ in kept], [g for _, g in kept])


def recall_per_summary(
    judgments: Sequence[Judgment], present: Sequence[float | None]
) -> dict[tuple[str, str], float]:
    """Key-fact recall of each (doc_id, system) from per-pair decisions (undecided left out),
    or from per-pair scores (a soft recall)."""
    found: dict[tuple[str, str], float] = {}
    index = 0
    for j in judgments:
        chunk = [p for p in present[index : index + len(j.facts)] if p is not None]
        index += len(j.facts)
        found[(j.doc_id, j.system)] = sum(chunk) / len(chunk) if chunk else math.nan
    return found


def soft_recall_per_summary(
    judgments: Sequence[Judgment], decisions: Sequence[FactDecision | None]
) -> dict[tuple[str, str], float] | None:
    """Mean matcher score of each (doc_id, system) (undecided left out): a soft key-fact
    recall; ``None`` when some decided pair has no score."""
    scores = [None if d is None else d.score for d in decisions]
    if any(d is not None and d.score is None for d in decisions):
        return None
    return recall_per_summary(judgments, scores)


def rouge_per_summary(judgments: Sequence[Judgment]) -> dict[str, dict[tuple[str, str], float]]:
    """ROUGE-1/2/L recall and F of each judged summary against its reference (rouge-score,
    Porter stemming); empty when no judgment has a reference."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    found: dict[str, dict[tuple[str, str], float]] = {}
    for j in judgments:
        if j.reference is None:
            continue
        for kind, score in scorer.score(j.reference, j.summary).items():
            short = kind.replace("rouge", "R-")
            found.setdefault(f"{short} recall", {})[(j.doc_id, j.system)] = score.recall
            found.setdefault(f"{short} F", {})[(j.doc_id, j.system)] = score.fmeasure
    return found


def human_scores(judgments: Sequence[Judgment]) -> dict[str, dict[tuple[str, str], float]]:
    """Every human score by name, per (doc_id, system)."""
    found: dict[str, dict[tuple[str, str], float]] = {}
    for j in judgments:
        for name, value in j.scores.items():
            found.setdefault(name, {})[(j.doc_id, j.system)] = value
    return found


# ---------------------------------------------------------------------------------- correlation


@dataclass(frozen=True)
class Correlation:
    """One correlation of a metric with a human score, with its bootstrap interval."""

    metric: str
    human: str
    level: str
    kind: str
    value: float
    low: float
    high: float


def score_matrix(
    values: Mapping[tuple[str, str], float], systems: Sequence[str], docs: Sequence[str]
) -> FloatArray:
    """Systems x documents, ``nan`` where a summary has no value."""
    matrix = np.full((len(systems), len(docs)), np.nan)
    row = {s: i for i, s in enumerate(systems)}
    col = {d: k for k, d in enumerate(docs)}
    for (doc, system), value in values.items():
        if doc in col and system in row:
            matrix[row[system], col[doc]] = value
    return matrix


def _ranks(x: FloatArray) -> FloatArray:
    from scipy.stats import rankdata

    ranked: FloatArray = rankdata(x, axis=-1)
    return ranked


def _pearson(x: FloatArray, y: FloatArray) -> FloatArray:
    xc = x - x.mean(axis=-1, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = (xc * yc).sum(-1) / np.sqrt((xc**2).sum(-1) * (yc**2).sum(-1))
    return result


def _kendall(x: FloatArray, y: FloatArray) -> FloatArray:
    i, j = np.triu_indices(x.shape[-1], 1)
    sx = np.sign(x[..., i] - x[..., j])
    sy = np.sign(y[..., i] - y[..., j])
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = (sx * sy).sum(-1) / np.sqrt((sx**2).sum(-1) * (sy**2).sum(-1))
    return result


_CORRELATE: dict[str, Callable[[FloatArray, FloatArray], FloatArray]] = {
    "pearson": _pearson,
    "spearman": lambda x, y: _pearson(_ranks(x), _ranks(y)),
    "kendall": _kendall,
}


def _level_values(metric: FloatArray, human: FloatArray, level: str, kind: str) -> FloatArray:
    """The correlation of systems x docs matrices, batched over leading axes: at system level
    of the document means, at summary level the mean over documents of per-document values."""
    correlate = _CORRELATE[kind]
    # A metric with no value for some system or document (a matcher that left every pair
    # undecided) gives NaN there, which the report shows as "–"; numpy's warning adds nothing.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if level == "system":
            return correlate(np.nanmean(metric, axis=-1), np.nanmean(human, axis=-1))
        per_doc = correlate(np.swapaxes(metric, -1, -2), np.swapaxes(human, -1, -2))
        result: FloatArray = np.nanmean(per_doc, axis=-1)
    return result


def correlate(
    metric: FloatArray,
    human: FloatArray,
    *,
    names: tuple[str, str] = ("metric", "human"),
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> list[Correlation]:
    """Summary- and system-level Pearson, Spearman and Kendall of two systems x documents
    matrices, each with a percentile interval from resampling systems and documents."""
    keep = ~(np.isnan(metric) | np.isnan(human))
    metric = np.where(keep, metric, np.nan)
    human = np.where(keep, human, np.nan)
    n_sys, n_docs = metric.shape
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, n_sys, size=(resamples, n_sys))
    cols = rng.integers(0, n_docs, size=(resamples, n_docs))
    m_boot = metric[rows[:, :, None], cols[:, None, :]]
    h_boot = human[rows[:, :, None], cols[:, None, :]]
    tail = (1 - level) / 2
    found = []
    import warnings

    for lvl in LEVELS:
        for kind in CORRELATIONS:
            value = float(_level_values(metric, human, lvl, kind))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                draws = _level_values(m_boot, h_boot, lvl, kind)
            draws = draws[~np.isnan(draws)]
            low, high = (
                (float(np.quantile(draws, tail)), float(np.quantile(draws, 1 - tail)))
                if draws.size else (math.nan, math.nan)
            )
            found.append(Correlation(names[0], names[1], lvl, kind, value, low, high))
    return found


def check_against_scipy(metric: FloatArray, human: FloatArray) -> dict[str, float]:
    """System-level correlations by :func:`bench.stats.correlations` (scipy), for checking."""
    return stats.correlations(np.nanmean(metric, axis=1), np.nanmean(human, axis=1))


# ------------------------------------------------------------------------------------- report


@dataclass
class MetaReport:
    """Label agreement per matcher and correlations of metrics with human scores."""

    pairs: int
    summaries: int
    systems: int
    documents: int
    labels: dict[str, Agreement] = field(default_factory=dict)
    """Matcher (or "human ceiling") -> agreement with the majority label."""
    seconds: dict[str, float] = field(default_factory=dict)
    undecided: dict[str, int] = field(default_factory=dict)
    correlations: list[Correlation] = field(default_factory=list)
    pairwise: float = math.nan
    signature: str = ""

    def to_json(self) -> str:
        """Everything, as JSON."""
        data = {
            "pairs": self.pairs, "summaries": self.summaries, "systems": self.systems,
            "documents": self.documents, "pairwise_agreement": self.pairwise,
            "signature": self.signature,
            "labels": {k: vars(v) for k, v in self.labels.items()},
            "seconds": self.seconds, "undecided": self.undecided,
            "correlations": [vars(c) for c in self.correlations],
        }
        return json.dumps(data, indent=2) + "\n"


def _fmt(value: float, digits: int = 3) -> str:
    return "–" if math.isnan(value) else f"{value:.{digits}f}"


def label_rows(report: MetaReport) -> list[list[str]]:
    """Rows of the label-agreement table: name, n, accuracy, P, R, F1, kappa, seconds, undecided."""
    rows = []
    for name, a in report.labels.items():
        seconds = report.seconds.get(name)
        rows.append([
            name, str(a.n), _fmt(a.accuracy), _fmt(a.precision), _fmt(a.recall), _fmt(a.f1),
            _fmt(a.kappa), "" if seconds is None or math.isnan(seconds) else f"{seconds:.2f}",
            str(report.undecided.get(name, "")),
        ])
    return rows


LABEL_HEADER = ["matcher", "pairs", "accuracy", "precision", "recall", "F1", "kappa", "seconds",
                "undecided"]


def correlation_rows(report: MetaReport, level: str) -> list[list[str]]:
    """Rows of one level's correlation table: metric, human score, r, rho, tau (with CIs)."""
    cells: dict[tuple[str, str], dict[str, Correlation]] = {}
    for c in report.correlations:
        if c.level == level:
            cells.setdefault((c.metric, c.human), {})[c.kind] = c
    return [
        [metric, human] + [
            f"{_fmt(k[kind].value)} [{_fmt(k[kind].low, 2)}, {_fmt(k[kind].high, 2)}]"
            for kind in CORRELATIONS
        ]
        for (metric, human), k in cells.items()
    ]


CORRELATION_HEADER = ["metric", "human score", "Pearson r", "Spearman ρ", "Kendall τ"]


def to_markdown(report: MetaReport) -> str:
    """Markdown tables: label agreement, then summary- and system-level correlations."""
    def table(header: list[str], rows: list[list[str]]) -> list[str]:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return lines + ["| " + " | ".join(r) + " |" for r in rows]

    out = [
        f"Judgments: {report.pairs} (summary, fact) pairs, {report.summaries} summaries, "
        f"{report.systems} systems, {report.documents} documents; "
        f"annotator pairs agree on {_fmt(report.pairwise)}.",
        "",
    ]
    if report.labels:
        out += [f"Key-fact decisions against the majority label ({HUMAN!r}: each annotator "
                "against each other one):", ""]
        out += [*table(LABEL_HEADER, label_rows(report)), ""]
    for level in LEVELS:
        rows = correlation_rows(report, level)
        if rows:
            out += [f"{level.capitalize()}-level correlations (95% bootstrap intervals over "
                    "systems and documents):", ""]
            out += [*table(CORRELATION_HEADER, rows), ""]
    if report.signature:
        out.append(f"`{report.signature}`")
    return "\n".join(out).rstrip() + "\n"


def to_latex(report: MetaReport) -> str:
    """LaTeX tabulars (booktabs) of the same tables."""
    from bench.report.tables import tex_escape

    def table(header: list[str], rows: list[list[str]]) -> list[str]:
        spec = "l" + "r" * (len(header) - 1)
        return [rf"\begin{{tabular}}{{{spec}}}", r"\toprule",
                " & ".join(tex_escape(h) for h in header) + r" \\", r"\midrule",
                *(" & ".join(tex_escape(c) for c in r) + r" \\" for r in rows),
                r"\bottomrule", r"\end{tabular}", ""]

    out: list[str] = []
    if report.labels:
        out += table(LABEL_HEADER, label_rows(report))
    for level in LEVELS:
        rows = correlation_rows(report, level)
        if rows:
            out += [f"% {level}-level correlations"]
            out += table([h.replace("ρ", "rho").replace("τ", "tau") for h in CORRELATION_HEADER],
                         rows)
    return "\n".join(out)


def write_chart(report: MetaReport, path: Path, kind: str = "kendall") -> Path:
    """Bar chart: each metric's system-level correlation with its interval, beside label
    accuracy per matcher against the human ceiling."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    system = [c for c in report.correlations if c.level == "system" and c.kind == kind]
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.45 * max(len(system), len(report.labels), 4)
                                            + 1.5))
    ax = axes[0]
    labels = [f"{c.metric} vs {c.human}" for c in system]
    values = [c.value for c in system]
    errors = np.array([[c.value - c.low for c in system], [c.high - c.value for c in system]])
    ax.barh(range(len(system)), values, xerr=errors if system else None, color="#4c72b0",
            capsize=3)
    ax.set_yticks(range(len(system)), labels=labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(min(0.0, *values, 0.0) if values else 0.0, 1.0)
    ax.set_title(f"System-level {kind} (95% CI)")
    ax = axes[1]
    names = list(report.labels)
    accuracy = [report.labels[n].accuracy for n in names]
    colours = ["#999999" if n == HUMAN else "#55a868" for n in names]
    ax.barh(range(len(names)), accuracy, color=colours)
    ax.set_yticks(range(len(names)), labels=names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0.5, 1.0)
    ax.set_title("Accuracy vs majority label (grey: human vs human)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)
    return path


HUMAN = "one human vs another"
"""Name of the row that scores each annotator against the others."""


def evaluate(
    judgments: Sequence[Judgment],
    runs: Sequence[MatcherRun] = (),
    metrics: Mapping[str, Mapping[tuple[str, str], float]] | None = None,
    *,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
    soft: bool = False,
) -> MetaReport:
    """The full report: label agreement of each matcher run (and the human ceiling), and
    correlations of each metric (plus each run's recall) with each human score; ``soft`` adds
    each run's mean score per summary ("KF soft recall") where every decision has a score."""
    gold = gold_labels(judgments)
    systems = sorted({j.system for j in judgments})
    docs = sorted({j.doc_id for j in judgments})
    report = MetaReport(len(gold), len(judgments), len(systems), len(docs),
                        pairwise=pairwise_agreement(judgments),
                        signature=f"meta:v1|gold:majority-ties-absent|ci:percentile|"
                                  f"resamples:{resamples}|level:{level:g}|seed:{seed}|"
                                  f"unit:system+document")
    if any(len(f.labels) > 1 for j in judgments for f in j.facts):
        report.labels[HUMAN] = human_ceiling(judgments)
    all_metrics: dict[str, Mapping[tuple[str, str], float]] = {}
    for run in runs:
        report.labels[run.name] = decided_agreement(run, gold)
        report.seconds[run.name] = run.seconds
        report.undecided[run.name] = run.undecided
        present = [None if d is None else d.present for d in run.decisions]
        all_metrics[f"KF recall ({run.name})"] = recall_per_summary(judgments, present)
        mean_score = soft_recall_per_summary(judgments, run.decisions) if soft else None
        if mean_score is not None:
            all_metrics[f"KF soft recall ({run.name})"] = mean_score
    all_metrics.update(metrics or {})
    for human_name, human_values in human_scores(judgments).items():
        h = score_matrix(human_values, systems, docs)
        for metric_name, values in all_metrics.items():
            m = score_matrix(values, systems, docs)
            report.correlations += correlate(m, h, names=(metric_name, human_name),
                                             resamples=resamples, level=level, seed=seed)
    return report


# ------------------------------------------------------------------------------- from a run


def run_decisions(
    facts: Any, judgments: Sequence[Judgment]
) -> list[FactDecision | None]:
    """A stored run's decisions (``facts.csv`` rows as a DataFrame) aligned with the judged
    pairs by (task_id = doc_id, system, fact_id); ``None`` for pairs the run lacks."""
    found: dict[tuple[str, str, str], FactDecision] = {}
    for row in facts.itertuples(index=False):
        key = (str(row.task_id), str(row.system), str(row.fact_id))
        if key not in found:  # the first sample of a sampled system stands for it
            score = getattr(row, "score", None)
            found[key] = FactDecision(
                key[2], float(row.weight), bool(row.present), str(row.evidence), str(row.matcher),
                None if score is None or _isnan(score) else float(score),
            )
    return [found.get((j.doc_id, j.system, f.id)) for j in judgments for f in j.facts]


def _isnan(value: Any) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def run_metrics(scores: Any) -> dict[str, dict[tuple[str, str], float]]:
    """A stored run's per-summary metric values (``scores.csv`` rows as a DataFrame)."""
    found: dict[str, dict[tuple[str, str], float]] = {}
    for row in scores.itertuples(index=False):
        found.setdefault(str(row.metric), {})[(str(row.task_id), str(row.system))] = float(
            row.value
        )
    return found
