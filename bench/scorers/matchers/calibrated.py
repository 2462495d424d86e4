"""A calibrated matcher: logistic regression over named features of a (summary, fact) pair,
fitted on labelled judgments by :func:`fit` (``sumbench calibrate``); the shipped calibrations
``bench/data/calibration-v1.json`` (``calibrated``, ``calibrated-embed``) and
``calibration-v2.json`` (``calibrated-v2``, ``calibrated-embed-v2``: more features, see
:mod:`bench.scorers.matchers._features`) were fitted on the key-fact development data only."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bench.scorers.base import FactDecision
from bench.scorers.matchers._features import EXTRA_FEATURES, lexical_features_v2
from bench.scorers.matchers.base import Pair, Undecided, decision, match_one, register_matcher
from bench.scorers.matchers.lexical import LexicalMatcher
from bench.task import KeyFact

SHIPPED = "calibration-v1.json"
SHIPPED_V2 = "calibration-v2.json"
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
LEXICAL_FEATURES_V2 = (
    *(f for f in LEXICAL_FEATURES if f != "numbers_missing"),
    *EXTRA_FEATURES,
)
EMBEDDING_FEATURES_V2 = (
    *EMBEDDING_FEATURES,
    "sentence_soft_coverage",
    "strict_soft_coverage",
    "word_min",
)
VETO_V2 = ("numbers_missing_v2", "contradiction")
"""The v2 vetoes: as :data:`VETO`, but a bare "one" of the fact is not a number to find."""

PairFeatures = Callable[
    [KeyFact, Sequence[str], Sequence[KeyFact]], tuple[dict[str, float], list[int]]
]
"""Named lexical features of one pair and the sentences supporting it."""


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


def load_calibrations(path: Path | None = None, shipped: str = SHIPPED) -> dict[str, Calibration]:
    """Calibrations by matcher name, from ``path`` or the ``shipped`` file."""
    if path is None:
        text = resources.files("bench.data").joinpath(shipped).read_text(encoding="utf-8")
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
    veto: Sequence[str] = (),
) -> Calibration:
    """Fit an L2-penalised logistic regression by Newton's method; the threshold is chosen to
    maximise accuracy on the same data (a grid of 0.30..0.70), counting rows where a ``veto``
    feature fires as absent whatever their probability (as the matcher decides them)."""
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
    vetoed = np.array([any(row[v] for v in veto) for row in rows], dtype=bool)
    grid = np.round(np.arange(0.30, 0.701, 0.01), 2)
    accuracy = [float(np.mean(((p >= t) & ~vetoed) == (y == 1))) for t in grid]
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
    veto feature (false number, contradiction) fires.

    ``version`` 2 adds :data:`EXTRA_FEATURES`, vetoes by :data:`VETO_V2` and scores a vetoed
    pair 0 (its score is then the probability of credit, fit to average into a soft recall).
    """

    def __init__(
        self,
        calibration: Calibration,
        name: str,
        extra: FeatureSource | None = None,
        version: int = 1,
    ) -> None:
        self.calibration = calibration
        self.name = name
        self.extra = extra
        self.light = extra is None
        """Light without extra features (the embedding features hold a model)."""
        self.version = version
        self.lexical = LexicalMatcher()
        self.features: PairFeatures = self.lexical.features if version == 1 else lexical_features_v2
        self.veto = VETO if version == 1 else VETO_V2

    def match(
        self, fact: KeyFact, sentences: Sequence[str], siblings: Sequence[KeyFact] = ()
    ) -> FactDecision:
        """The calibrated decision for one pair."""
        return match_one(self.match_many, fact, sentences, siblings)

    def match_many(self, pairs: Sequence[Pair]) -> list[FactDecision | Undecided]:
        """Decisions for many pairs (extra features are computed in one batch)."""
        lexical = [self.features(p.fact, p.sentences, p.siblings) for p in pairs]
        extra = self.extra.features_many(pairs) if self.extra is not None else [{}] * len(pairs)
        found: list[FactDecision | Undecided] = []
        for pair, (values, support), more in zip(pairs, lexical, extra, strict=True):
            merged = {**values, **more}
            score = self.calibration.probability(merged)
            vetoed = any(merged[v] for v in self.veto)
            present = score >= self.calibration.threshold and not vetoed
            if vetoed and self.version > 1:
                score = 0.0
            found.append(decision(pair.fact, pair.sentences, support, present, score, self.name))
        return found


def pair_features(
    pairs: Sequence[Pair], extra: FeatureSource | None = None, version: int = 1
) -> list[dict[str, float]]:
    """Every feature the calibrated matchers of ``version`` use, for fitting (version 2 rows
    hold the version 1 features too)."""
    features = LexicalMatcher().features if version == 1 else lexical_features_v2
    rows = [features(p.fact, p.sentences, p.siblings)[0] for p in pairs]
    if extra is not None:
        for row, more in zip(rows, extra.features_many(pairs), strict=True):
            row.update(more)
    return rows


def _version(name: str, calibration: str | None, version: int = 1) -> str:
    """``name-vN``, or with the calibration file's hash when it is not the shipped one."""
    if not calibration:
        return f"{name}-v{version}"
    digest = hashlib.sha256(Path(calibration).read_bytes()).hexdigest()[:8]
    return f"{name}-v{version}+{digest}"


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


def _v2(name: str, calibration: str | None) -> Calibration:
    return load_calibrations(Path(calibration) if calibration else None, SHIPPED_V2)[name]


@register_matcher("calibrated-v2")
def calibrated_v2(calibration: str | None = None) -> CalibratedMatcher:
    """``calibrated`` with window, prefix, number-agreement and missing-word features and
    soft scores (no extras)."""
    found = _v2("calibrated-v2", calibration)
    return CalibratedMatcher(found, _version("calibrated", calibration, 2), version=2)


@register_matcher("calibrated-embed-v2")
def calibrated_embed_v2(calibration: str | None = None) -> CalibratedMatcher:
    """``calibrated-v2`` with embedding features, including soft coverage within the best
    sentence (needs ``sumbench[embed]``)."""
    from bench.scorers.matchers.embedding import DetailedFeatures

    found = _v2("calibrated-embed-v2", calibration)
    return CalibratedMatcher(
        found, _version("calibrated-embed", calibration, 2), DetailedFeatures(), version=2
    )
