"""The analysis of stored per-task values: metric selection, resampling settings, intervals,
tie groups and baseline marks."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.analysis import Resampling, analyse, metric_catalog, paired, per_task, select_metrics
from bench.scorers.base import Metric
from bench.stats import approximate_randomization
from bench.store import Store, StoreError

R1 = Metric("r1", "R-1", True)
LEN = Metric("len", "Len", None, 1.0)


def frame(values: dict[str, list[float]], metric: str = "r1") -> pd.DataFrame:
    rows = [
        (f"t{i}", system, "s", metric, v) for system, vs in values.items() for i, v in enumerate(vs)
    ]
    return pd.DataFrame(rows, columns=["task_id", "system", "scorer", "metric", "value"])


def test_tie_group_holds_the_best_and_systems_not_significantly_worse() -> None:
    scores = frame(
        {
            "best": [0.50, 0.61, 0.55, 0.58, 0.52, 0.60, 0.57, 0.54],
            "close": [0.51, 0.60, 0.54, 0.57, 0.53, 0.59, 0.58, 0.52],
            "bad": [0.20, 0.25, 0.22, 0.30, 0.21, 0.24, 0.26, 0.23],
            "oracle": [0.9] * 8,
        }
    )
    marks = analyse(scores, [R1], {"oracle"}, Resampling(), baseline_system="bad").marks["r1"]
    assert marks.tie_group == {"best", "close"}
    assert marks.different_from_baseline == {"best", "close", "oracle"}


def test_intervals_use_the_same_resampled_tasks_for_every_system() -> None:
    base = [0.1, 0.4, 0.2, 0.8, 0.5, 0.3]
    scores = frame({"a": base, "b": [v + 0.1 for v in base]})
    marks = analyse(scores, [R1], set(), Resampling(seed=3)).marks["r1"]
    a, b = marks.intervals["a"], marks.intervals["b"]
    assert b.low - a.low == pytest.approx(0.1) and b.high - a.high == pytest.approx(0.1)


def test_one_task_gives_no_interval_and_says_why() -> None:
    marks = analyse(frame({"a": [0.3], "b": [0.4]}), [R1], set(), Resampling()).marks["r1"]
    assert math.isnan(marks.intervals["a"].low)
    assert marks.intervals["a"].reason == "fewer than 2 tasks"
    assert marks.tie_group == {"b"}


def test_descriptive_metrics_get_no_marks() -> None:
    marks = analyse(frame({"a": [3, 4, 5]}, "len"), [LEN], set(), Resampling()).marks["len"]
    assert marks.tie_group == set() and marks.different_from_baseline == set()


def test_invalid_resampling_settings_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown test"):
        Resampling(method="t-test")
    with pytest.raises(ValueError, match="between 0 and 1"):
        Resampling(level=95)


def test_the_signature_of_approximate_randomization_names_its_trials() -> None:
    assert Resampling(method="paired-bootstrap").signature().endswith("|test:paired-bootstrap")
    resampling = Resampling(resamples=200, method="approximate-randomization")
    assert resampling.signature().endswith("|test:approximate-randomization|trials:2000")
    a = np.array([0.1, 0.5, 0.3, 0.9, 0.4, 0.6, 0.2, 0.8, 0.7, 0.35, 0.55, 0.65])
    assert resampling.test(a, a - 0.05) == approximate_randomization(
        a, a - 0.05, trials=2000, seed=0, level=0.95
    )


def test_the_catalog_lists_every_declared_metric_and_selection_defaults_to_shown_ones(
    bundled_run: Path,
) -> None:
    catalog = metric_catalog(Store(bundled_run))
    names = [m.name for m in catalog]
    assert "rouge1_f" in names and "rouge1_p" in names
    shown = select_metrics(catalog, None)
    assert [m.name for m in shown] == [m.name for m in catalog if m.shown]
    assert "rouge1_p" not in [m.name for m in shown]
    assert [m.name for m in select_metrics(catalog, ["rouge1_p", "rouge1_f"])] == [
        "rouge1_p",
        "rouge1_f",
    ]
    with pytest.raises(StoreError, match=r"unknown metric\(s\) \['nope'\]; this run has: rouge1_f"):
        select_metrics(catalog, ["nope"])


def test_per_task_values_average_repeated_rows_and_pair_on_common_tasks() -> None:
    scores = frame({"a": [0.1, 0.2, 0.3], "b": [0.4, 0.5]})
    scores = pd.concat([scores, frame({"a": [0.3]})])  # a second row for a's t0
    matrix = per_task(scores, "r1")
    assert matrix.loc["a", "t0"] == pytest.approx(0.2)
    assert math.isnan(matrix.loc["b", "t2"])
    a, b = paired(matrix, "a", "b")
    np.testing.assert_allclose(a, [0.2, 0.2])
    np.testing.assert_allclose(b, [0.4, 0.5])
