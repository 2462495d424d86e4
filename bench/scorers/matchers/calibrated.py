"""A calibrated matcher: logistic regression over named features of a (summary, fact) pair,
fitted on labelled judgments by :func:`fit` (``sumbench calibrate``); the shipped calibration
``bench/data/calibration-v1.json`` was fitted on the key-fact development data only."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bench.scorers.base import FactDecision
from bench.scorers.matchers.base import Pair, Undecided, decision, match_one, register_matcher
from bench.scorers.matchers.lexical import LexicalMatcher
from bench.task import KeyFact

SHIPPED = "calibration-v1.json"
LEXICAL_FEATURES = (
    "coverage",
    "sentence_coverage",
    "plain_coverage",
    "numbers_missing",
    "dates_missing",
    "names_found",
    "contradiction",
    "fact_words",
)
EMBEDDING_FEATURES = ("soft_coverage", "token_recall", "token_min", "sentence_cosine")
VETO = ("numbers_missing", "contradiction")
"""Features that make a fact absent whatever the model says: a false number or the opposite
statement never earns credit (the regression alone could outvote them)."""


class FeatureSource(Protocol):
    """Anything that gives named features for many pairs (the embedding matcher does)."""

    def features_many(self, pairs: Sequence[Pair]) -> list[dict[str, float]]:
        """Named features of each pair."""
        ...


@dataclass(frozen=True)
class Calibration:
    """A fitted logistic regression on standardised features."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float = 0.5
    fitted_on: str = ""

    def probability(self, values: Mapping[str, float]) -> float:
        """P(present) for one pair's features."""
        z = self.intercept + sum(
            c * (values[f] - m) / s
            for f, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True)
        )
        return 1 / (1 + math.exp(-z)) if z > -700 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        """Read the form :meth:`to_dict` writes."""
        return cls(
            features=tuple(data["features"]),
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            coef=tuple(data["coef"]),
            intercept=float(data["intercept"]),
            threshold=float(data.get("threshold", 0.5)),
            fitted_on=str(data.get("fitted_on", "")),
        )


def load_calibrations(path: Path | None = None) -> dict[str, Calibration]:
    """Calibrations by matcher name, from ``path`` or the shipped file."""
    if path is None:
        text = resources.files("bench.data").joinpath(SHIPPED).read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return {name: Calibration.from_dict(data) for name, data in json.loads(text).items()}


def fit(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[bool],
    features: Sequence[str],
    *,
    l2: float = 1.0,
    fitted_on: str = "",
) -> Calibration:
    """Fit an L2-penalised logistic regression by Newton's method; the threshold is chosen to
    maximise accuracy on the same data (a grid of 0.30..0.70)."""
    x = np.array([[row[f] for f in features] for row in rows], dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0  # the intercept is not shrunk
    for _ in range(100):
        p = 1 / (1 + np.exp(-(z @ w)))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    p = 1 / (1 + np.exp(-(z @ w)))
    grid = np.round(np.arange(0.30, 0.701, 0.01), 2)
    accuracy = [float(np.mean((p >= t) == (y == 1))) for t in grid]
    threshold = float(grid[int(np.argmax(accuracy))])
    return Calibration(
        tuple(features),
        tuple(map(float, mean)),
        tuple(map(float, scale)),
        tuple(map(float, w[1:])),
        float(w[0]),
        threshold,
        fitted_on,
    )


class CalibratedMatcher:
    """Present when the calibrated probability reaches the calibration's threshold and no
    veto feature (false number, contradiction) fires."""

    def __init__(
        self, calibration: Calibration, name: str, extra: FeatureSource | None = None
    ) -> None:
        self.calibration = calibration
        self.name = name
        self.extra = extra
        self.lexical = LexicalMatcher()

    def match(
        self, fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
    ) -> FactDecision:
        """The calibrated decision for one pair."""
        return match_one(self.match_many, fact, sentences, siblings)

    def match_many(self, pairs: Sequence[Pair]) -> list[FactDecision | Undecided]:
        """Decisions for many pairs (extra features are computed in one batch)."""
        lexical = [self.lexical.features(p.fact, p.sentences, p.siblings) for p in pairs]
        extra = self.extra.features_many(pairs) if self.extra is not None else [{}] * len(pairs)
        found: list[FactDecision | Undecided] = []
        for pair, (values, support), more in zip(pairs, lexical, extra, strict=True):
            merged = {**values, **more}
            score = self.calibration.probability(merged)
            present = score >= self.calibration.threshold and not any(merged[v] for v in VETO)
            found.append(decision(pair.fact, pair.sentences, support, present, score, self.name))
        return found


def pair_features(
    pairs: Sequence[Pair], extra: FeatureSource | None = None
) -> list[dict[str, float]]:
    """Every feature the calibrated matchers use, for fitting."""
    lexical = LexicalMatcher()
    rows = [lexical.features(p.fact, p.sentences, p.siblings)[0] for p in pairs]
    if extra is not None:
        for row, more in zip(rows, extra.features_many(pairs), strict=True):
            row.update(more)
    return rows


def _version(name: str, calibration: str | None) -> str:
    """``name-v1``, or with the calibration file's hash when it is not the shipped one."""
    if not calibration:
        return f"{name}-v1"
    digest = hashlib.sha256(Path(calibration).read_bytes()).hexdigest()[:8]
    return f"{name}-v1+{digest}"


@register_matcher("calibrated")
def calibrated(calibration: str | None = None) -> CalibratedMatcher:
    """Logistic regression over lexical, number, date, name and polarity features (no extras)."""
    found = load_calibrations(Path(calibration) if calibration else None)["calibrated"]
    return CalibratedMatcher(found, _version("calibrated", calibration))


@register_matcher("calibrated-embed")
def calibrated_embed(calibration: str | None = None) -> CalibratedMatcher:
    """The calibrated matcher with embedding features too (needs ``sumbench[embed]``)."""
    from bench.scorers.matchers.embedding import EmbeddingMatcher

    found = load_calibrations(Path(calibration) if calibration else None)["calibrated-embed"]
    return CalibratedMatcher(found, _version("calibrated-embed", calibration), EmbeddingMatcher())
