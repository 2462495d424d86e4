"""Fit the lexical support backend's knobs (``threshold``, ``novel``, ``order``) on human
faithfulness judgments, with cross-validation grouped by article.

Every point of a small grid is scored once (the lexical judge caches its alignments, so a grid
point costs little more than applying the thresholds); the objective is FRANK's partial Spearman
of ``faithful`` with the human score (or the balanced accuracy of ``faithful_all`` against the
binary label). Cross-validation keeps all summaries of an article in one fold, picks the best
grid point on the other folds and measures it on the held-out one; the default knobs are
measured on the same folds, so the two figures compare.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from bench.correlation import balanced_accuracy, partial_correlation
from bench.faithjudgments import FaithJudgment
from bench.faithmeta import score_judgments
from bench.scorers.faithfulness import Faithfulness
from bench.support.lexical import Knobs

OBJECTIVES = ("spearman", "balanced-accuracy")
GRID: dict[str, tuple[float, ...]] = {
    "threshold": tuple(round(0.3 + 0.05 * k, 2) for k in range(11)),
    "novel": (0, 1, 2),
    "order": (0.0, 0.5, 1.0),
}
"""The knobs tried; the defaults (threshold 0.5, novel 0, order 1) are on the grid."""
DEFAULTS = {"threshold": Knobs().threshold, "novel": Knobs().novel, "order": Knobs().order}


class CalibrationError(ValueError):
    """Judgments that cannot be fitted on (too few articles, no human score or label)."""


@dataclass(frozen=True)
class Point:
    """One grid point's per-summary values (``nan`` where the summary could not be scored)."""

    params: Mapping[str, float]
    faithful: np.ndarray
    faithful_all: np.ndarray


@dataclass
class Calibration:
    """The fitted knobs with in-sample and cross-validated figures beside the defaults'."""

    params: dict[str, float]
    objective: str
    in_sample: float
    default_in_sample: float
    cross_validated: float
    """Mean over folds of the held-out objective of the knobs fitted on the other folds."""
    default_cross_validated: float
    """Mean over the same folds of the defaults' held-out objective."""
    folds: list[tuple[dict[str, float], float, float]] = field(default_factory=list)
    """Per fold: the knobs fitted without it, their held-out figure, the defaults'."""
    fitted_on: str = ""

    @property
    def spec(self) -> str:
        """The scorer spec to pass back with ``--scorers``."""
        params = ",".join(f"{k}={_number(v)}" for k, v in self.params.items())
        return f"faithfulness:backend=lexical,{params}"

    def to_yaml(self) -> str:
        """A ``sumbench run --config`` fragment with the fitted scorer and how it was fitted."""
        params = ", ".join(f"{k}: {_number(v)}" for k, v in self.params.items())
        lines = [
            f"# sumbench calibrate: lexical faithfulness knobs fitted on {self.fitted_on}",
            f"# objective: {describe(self.objective)}",
            f"# in-sample {self.in_sample:.3f} (defaults {self.default_in_sample:.3f}); "
            f"{len(self.folds)}-fold cross-validated by article {self.cross_validated:.3f} "
            f"(defaults {self.default_cross_validated:.3f})",
            f"# command line: --scorers {self.spec}",
            "scorers:",
            "  - scorer: faithfulness",
            f"    params: {{backend: lexical, {params}}}",
        ]
        return "\n".join(lines) + "\n"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def describe(objective: str) -> str:
    """What an objective measures, in words."""
    if objective == "spearman":
        return "partial Spearman of `faithful` with the human score, controlling for the system"
    return "balanced accuracy of `faithful_all` against the binary label"


def grid_points(grid: Mapping[str, Sequence[float]] = GRID) -> list[dict[str, float]]:
    """Every combination of the grid, the defaults first (ties keep the defaults)."""
    names = list(grid)
    found = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]
    defaults = {k: DEFAULTS[k] for k in names}
    return [defaults, *(p for p in found if p != defaults)]


def score_grid(
    judgments: Sequence[FaithJudgment],
    grid: Mapping[str, Sequence[float]] = GRID,
    progress: Callable[[int, int], None] | None = None,
) -> list[Point]:
    """Score every judged summary at every grid point."""
    points = grid_points(grid)
    found = []
    for k, params in enumerate(points, 1):
        scorer = Faithfulness("lexical", **{n: str(_number(v)) for n, v in params.items()})
        run = score_judgments(scorer, judgments)
        values = [s.values for s in run.items]
        found.append(
            Point(
                params,
                np.array([v.get("faithful", math.nan) for v in values], dtype=float),
                np.array([v.get("faithful_all", math.nan) for v in values], dtype=float),
            )
        )
        if progress is not None:
            progress(k, len(points))
    return found


def objective_value(
    point: Point, judgments: Sequence[FaithJudgment], rows: np.ndarray, objective: str
) -> float:
    """The objective of ``point`` on ``rows`` (scored rows with a human judgment only)."""
    if objective == "spearman":
        human = np.array([_or_nan(judgments[i].score) for i in rows], dtype=float)
        values = point.faithful[rows]
        ok = ~np.isnan(values) & ~np.isnan(human)
        systems = np.array([judgments[i].system for i in rows], dtype=object)
        if ok.sum() < 3:
            return math.nan
        return partial_correlation(values[ok], human[ok], systems[ok], "spearman")
    label = np.array([_or_nan(judgments[i].label) for i in rows], dtype=float)
    values = point.faithful_all[rows]
    ok = ~np.isnan(values) & ~np.isnan(label)
    return balanced_accuracy(values[ok], label[ok])


def _mean(values: Sequence[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return sum(kept) / len(kept) if kept else math.nan


def _or_nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def folds(judgments: Sequence[FaithJudgment], k: int, seed: int = 0) -> list[np.ndarray]:
    """Held-out row indexes of ``k`` folds, every summary of an article in the same fold."""
    articles = sorted({j.doc_id for j in judgments})
    if k < 2 or len(articles) < k:
        raise CalibrationError(
            f"{k}-fold cross-validation needs at least {max(k, 2)} articles; got {len(articles)}"
        )
    order = np.random.default_rng(seed).permutation(len(articles))
    fold_of = {articles[a]: n % k for n, a in enumerate(order)}
    doc = np.array([fold_of[j.doc_id] for j in judgments])
    return [np.flatnonzero(doc == f) for f in range(k)]


def best(
    points: Sequence[Point], judgments: Sequence[FaithJudgment], rows: np.ndarray, objective: str
) -> tuple[Point, float]:
    """The grid point with the highest objective on ``rows`` (the first of ties)."""
    scores = [objective_value(p, judgments, rows, objective) for p in points]
    finite = [s if not math.isnan(s) else -math.inf for s in scores]
    k = int(np.argmax(finite))
    return points[k], scores[k]


def calibrate(
    judgments: Sequence[FaithJudgment],
    *,
    objective: str = "spearman",
    k: int = 5,
    seed: int = 0,
    grid: Mapping[str, Sequence[float]] = GRID,
    progress: Callable[[int, int], None] | None = None,
) -> Calibration:
    """Fit the knobs on every judgment, and cross-validate the fitting by article."""
    if objective not in OBJECTIVES:
        raise CalibrationError(f"objective {objective!r}: expected one of {', '.join(OBJECTIVES)}")
    needed = "score" if objective == "spearman" else "label"
    if all(getattr(j, needed) is None for j in judgments):
        raise CalibrationError(f"objective {objective!r} needs judgments with a `{needed}`")
    held_out = folds(judgments, k, seed)
    points = score_grid(judgments, grid, progress)
    everything = np.arange(len(judgments))
    fitted, in_sample = best(points, judgments, everything, objective)
    default = points[0]
    per_fold = []
    for rows in held_out:
        train = np.setdiff1d(everything, rows)
        chosen, _ = best(points, judgments, train, objective)
        per_fold.append(
            (
                dict(chosen.params),
                objective_value(chosen, judgments, rows, objective),
                objective_value(default, judgments, rows, objective),
            )
        )
    return Calibration(
        params=dict(fitted.params),
        objective=objective,
        in_sample=in_sample,
        default_in_sample=objective_value(default, judgments, everything, objective),
        cross_validated=_mean([f[1] for f in per_fold]),
        default_cross_validated=_mean([f[2] for f in per_fold]),
        folds=per_fold,
        fitted_on=f"{len(judgments)} summaries of {len({j.doc_id for j in judgments})} articles",
    )
