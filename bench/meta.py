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

Correlations (:func:`bench.stats.correlate`) are at summary and system level as in Deutsch et
al. (2021); ``bench.report.meta`` renders the report.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.scorers.base import FactDecision
from bench.scorers.matchers.base import Matcher, Pair, Undecided, match_all
from bench.stats import Correlation, correlate
from bench.task import KeyFact
from bench.text import split_sentences

FloatArray = npt.NDArray[np.float64]


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
            for k, (fid, text) in enumerate(
                zip(record["key_fact_ids"], record["key_facts"], strict=True)
            )
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
    for line, text in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
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
            "pairs": self.pairs,
            "summaries": self.summaries,
            "systems": self.systems,
            "documents": self.documents,
            "pairwise_agreement": self.pairwise,
            "signature": self.signature,
            "labels": {k: vars(v) for k, v in self.labels.items()},
            "seconds": self.seconds,
            "undecided": self.undecided,
            "correlations": [vars(c) for c in self.correlations],
        }
        return json.dumps(data, indent=2) + "\n"


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
    report = MetaReport(
        len(gold),
        len(judgments),
        len(systems),
        len(docs),
        pairwise=pairwise_agreement(judgments),
        signature=f"meta:v1|gold:majority-ties-absent|ci:percentile|"
        f"resamples:{resamples}|level:{level:g}|seed:{seed}|"
        f"unit:system+document",
    )
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
            report.correlations += correlate(
                m, h, names=(metric_name, human_name), resamples=resamples, level=level, seed=seed
            )
    return report


# ------------------------------------------------------------------------------- from a run


def run_decisions(facts: Any, judgments: Sequence[Judgment]) -> list[FactDecision | None]:
    """A stored run's decisions (``facts.csv`` rows as a DataFrame) aligned with the judged
    pairs by (task_id = doc_id, system, fact_id); ``None`` for pairs the run lacks."""
    found: dict[tuple[str, str, str], FactDecision] = {}
    for row in facts.itertuples(index=False):
        key = (str(row.task_id), str(row.system), str(row.fact_id))
        if key not in found:  # the first sample of a sampled system stands for it
            score = getattr(row, "score", None)
            found[key] = FactDecision(
                key[2],
                float(row.weight),
                bool(row.present),
                str(row.evidence),
                str(row.matcher),
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
