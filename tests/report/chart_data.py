"""Scores and fact decisions the chart tests draw, and checks of the images they write."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.text import Text

from bench.scorers.base import Metric

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
METRICS = [
    Metric("rouge1_f", "R-1"),
    Metric("rouge2_f", "R-2"),
    Metric("rougeLsum_f", "R-Lsum"),
    Metric("rouge1_p", "R-1 P"),  # not an F metric: not charted
    Metric("kf_recall", "KF"),
    Metric("words", "Words", higher_is_better=None, scale=1.0, digits=0),
]
SYSTEMS = ["lead3", "textrank", "llm_zero_shot"]
TASKS = ["t1", "t2", "news/2024: a b"]  # the last one is unsafe in a file name
FACTS = ["who", "what", "when", "where"]


def make_scores() -> pd.DataFrame:
    """Scores for 3 systems + the oracle bound over 3 tasks."""
    rows = []
    for s, system in enumerate([*SYSTEMS, "oracle"]):
        for t, task in enumerate(TASKS):
            for m, metric in enumerate(METRICS):
                value = 0.15 + 0.1 * s + 0.05 * t - 0.05 * m
                rows.append((task, system, "x", metric.name, value * (200 if m == 5 else 1)))
    return pd.DataFrame(rows, columns=["task_id", "system", "scorer", "metric", "value"])


def make_facts() -> pd.DataFrame:
    """Fact decisions; ``human`` has two samples per task, so its cells are fractions."""
    rows = []
    for t, task in enumerate(TASKS):
        for f, fact in enumerate(FACTS[: 3 + (t > 0)]):
            for s, system in enumerate(SYSTEMS):
                rows.append((task, system, "", fact, 1.0, (f + s + t) % 2 == 0, "ev", "pattern"))
            for sample, present in (("r40", True), ("r100", f % 2 == 0)):
                rows.append((task, "human", sample, fact, 1.0, present, "ev", "pattern"))
    columns = ["task_id", "system", "sample", "fact_id", "weight", "present", "evidence", "matcher"]
    return pd.DataFrame(rows, columns=columns)


def assert_png(path: Path) -> None:
    assert path.is_file()
    assert path.read_bytes()[:8] == PNG_MAGIC
    image = matplotlib.image.imread(path)
    assert image.ndim == 3
    assert image.shape[0] > 100
    assert image.shape[1] > 100
    assert image.shape[2] in (3, 4)


ROUGE_F = ["rouge1_f", "rouge2_f", "rougeLsum_f"]
DIRECTED = ["rouge1_f", "rouge2_f", "rougeLsum_f", "rouge1_p", "kf_recall"]
ALL_SYSTEMS = [*SYSTEMS, "oracle"]


def noisy_scores(n_tasks: int = 12, seed: int = 0) -> pd.DataFrame:
    """Scores with per-task noise, so that intervals and p-values vary with the resampling."""
    rng = np.random.default_rng(seed)
    rows = []
    for s, system in enumerate(ALL_SYSTEMS):
        for t in range(n_tasks):
            for metric in METRICS:
                value = float(np.clip(0.3 + 0.04 * s + rng.normal(0, 0.12), 0, 1))
                rows.append((f"t{t}", system, "x", metric.name, value))
    return pd.DataFrame(rows, columns=["task_id", "system", "scorer", "metric", "value"])


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]
