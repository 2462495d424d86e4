"""Bootstrap intervals, paired tests and correlations: cross-checked against scipy and published
values."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats  # type: ignore[import-untyped]

import bench.stats
from bench.stats import (
    CORRELATIONS,
    FEWER_THAN_TWO,
    Interval,
    PairedTest,
    approximate_randomization,
    bootstrap_interval,
    bootstrap_intervals,
    correlate,
    correlation,
    paired_bootstrap,
    signature,
    significance_matrix,
)

# Darwin's Zea mays data as tabulated by Fisher, The Design of Experiments (1935), ch. III:
# heights in inches (to 1/8) of 15 pairs of cross- and self-fertilised plants grown in 4 pots
# (also R package HistData, dataset ZeaMays).
CROSS = [23.5, 12, 21, 22, 19.125, 21.5, 22.125, 20.375, 18.25, 21.625, 23.25, 21, 22.125, 23, 12]
SELF = [17.375, 20.375, 20, 20, 18.375, 18.625, 18.625, 15.25, 16.5, 18, 16.25, 18, 12.75, 15.5,
        18]  # fmt: skip
# Fisher, §21: of the 2**15 = 32,768 sign assignments of the differences, 835 give a larger sum
# than observed and 28 an equal one: 863, i.e. 2.634% one-sided; two-sided 1,726 / 32,768.
FISHER_TWO_SIDED = 1726 / 32768


def mean_difference(x: np.ndarray, y: np.ndarray, axis: int) -> Any:
    return np.mean(x - y, axis=axis)


def scipy_exact_permutation_p(a: np.ndarray, b: np.ndarray) -> float:
    result = scipy_stats.permutation_test(
        (a, b), mean_difference, permutation_type="samples", n_resamples=np.inf,
        vectorized=True, alternative="two-sided",
    )  # fmt: skip
    return float(result.pvalue)


def scipy_percentile_bootstrap(
    data: tuple[np.ndarray, ...],
    statistic: Callable[..., Any],
    resamples: int,
    seed: int,
    paired: bool,
) -> Any:
    return scipy_stats.bootstrap(
        data, statistic, n_resamples=resamples, method="percentile", paired=paired,
        vectorized=True, confidence_level=0.95, rng=np.random.default_rng(seed),
    )  # fmt: skip


# Published reference values


def test_darwin_data_reproduce_fishers_counts_and_t() -> None:
    d = np.array(CROSS) - np.array(SELF)
    assert (d * 8).tolist() == [49, -67, 8, 16, 6, 23, 28, 41, 14, 29, 56, 24, 75, 60, -48]
    signs = 1 - 2 * ((np.arange(2**15)[:, None] >> np.arange(15)) & 1)
    sums = signs @ (d * 8)
    assert (sums > 314).sum() == 835 and (sums == 314).sum() == 28
    assert scipy_stats.ttest_rel(CROSS, SELF).statistic == pytest.approx(2.148, abs=5e-4)


def test_exact_randomization_gives_fishers_p_value_for_darwins_zea_mays() -> None:
    test = approximate_randomization(CROSS, SELF, trials=2**15)
    assert test.method == "exact-randomization"
    assert test.resamples == 32768
    assert test.p_value == FISHER_TWO_SIDED
    assert scipy_exact_permutation_p(np.array(CROSS), np.array(SELF)) == FISHER_TWO_SIDED
    assert test.delta == pytest.approx(314 / 8 / 15, abs=1e-12)


def test_randomization_with_fewer_trials_than_assignments_approximates_fisher() -> None:
    test = approximate_randomization(CROSS, SELF)  # 10,000 random trials < 2**15
    assert test.method == "approximate-randomization"
    assert test.resamples == 10000
    # Monte Carlo sd: sqrt(0.0527 * 0.9473 / 10000) = 0.0022; allow 4.5 sd.
    assert test.p_value == pytest.approx(FISHER_TWO_SIDED, abs=0.01)


def test_bootstrap_interval_of_a_large_normal_sample_approximates_normal_theory() -> None:
    values = np.random.default_rng(11).normal(10.0, 2.0, size=4000)
    se = values.std(ddof=1) / math.sqrt(values.size)
    interval = bootstrap_interval(values, resamples=10000, seed=3)
    # Monte Carlo sd of a 2.5% quantile from 10,000 resamples is about 0.027 SE; the plug-in
    # (ddof=0) spread is 0.01% narrower. Allow 0.15 SE.
    assert interval.low == pytest.approx(values.mean() - 1.959964 * se, abs=0.15 * se)
    assert interval.high == pytest.approx(values.mean() + 1.959964 * se, abs=0.15 * se)


# Cross-checks against scipy


@pytest.mark.parametrize("n", [2, 3, 5, 8, 10])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_randomization_equals_scipy_permutation_test(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.random(n), rng.random(n)
    test = approximate_randomization(a, b, trials=2**10)
    assert test.method == "exact-randomization"
    assert test.p_value == scipy_exact_permutation_p(a, b)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_exact_randomization_equals_scipy_on_tied_integer_scores(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 4, size=10).astype(float), rng.integers(0, 4, size=10).astype(float)
    test = approximate_randomization(a, b, trials=2**10)
    assert test.p_value == scipy_exact_permutation_p(a, b)


def test_bootstrap_interval_equals_scipy_percentile_bootstrap_with_the_same_draws() -> None:
    values = np.random.default_rng(4).exponential(size=37)
    ours = bootstrap_interval(values, resamples=3000, seed=9)
    theirs = scipy_percentile_bootstrap((values,), np.mean, 3000, 9, paired=False)
    assert ours.low == pytest.approx(theirs.confidence_interval.low, abs=1e-12)
    assert ours.high == pytest.approx(theirs.confidence_interval.high, abs=1e-12)


def test_paired_bootstrap_matches_scipy_paired_bootstrap_interval_and_p_value_formula() -> None:
    rng = np.random.default_rng(5)
    b = rng.random(50)
    a = b + 0.02 + 0.1 * rng.standard_normal(50)
    ours = paired_bootstrap(a, b, resamples=2000, seed=6)
    theirs = scipy_percentile_bootstrap((a, b), mean_difference, 2000, 6, paired=True)
    assert ours.low == pytest.approx(theirs.confidence_interval.low, abs=1e-12)
    assert ours.high == pytest.approx(theirs.confidence_interval.high, abs=1e-12)
    draws = theirs.bootstrap_distribution
    hits = np.sum(np.abs(draws - draws.mean()) >= abs(np.mean(a - b)))
    assert ours.p_value == pytest.approx((hits + 1) / 2001, abs=1e-12)


def test_bootstrap_intervals_rows_each_match_scipy_with_the_same_seed() -> None:
    matrix = np.random.default_rng(8).random((3, 25))
    for row, ours in zip(matrix, bootstrap_intervals(matrix, resamples=1500, seed=2), strict=True):
        theirs = scipy_percentile_bootstrap((row,), np.mean, 1500, 2, paired=False)
        assert ours.low == pytest.approx(theirs.confidence_interval.low, abs=1e-12)
        assert ours.high == pytest.approx(theirs.confidence_interval.high, abs=1e-12)


def test_bootstrap_interval_agrees_with_scipy_within_monte_carlo_error() -> None:
    values = np.random.default_rng(12).exponential(size=60)
    se = values.std(ddof=1) / math.sqrt(values.size)
    ours = bootstrap_interval(values, resamples=20000, seed=1)
    theirs = scipy_percentile_bootstrap((values,), np.mean, 20000, 2, paired=False)
    # Different draws: each 2.5% quantile from 20,000 resamples has Monte Carlo sd about
    # sqrt(0.025 * 0.975 / 20000) / phi(1.96) = 0.019 SE, their difference 0.027 SE; allow 0.15.
    assert ours.low == pytest.approx(theirs.confidence_interval.low, abs=0.15 * se)
    assert ours.high == pytest.approx(theirs.confidence_interval.high, abs=0.15 * se)


# Behaviour


def test_same_seed_gives_identical_results() -> None:
    rng = np.random.default_rng(0)
    matrix = rng.random((3, 40))
    assert bootstrap_interval(matrix[0], seed=4) == bootstrap_interval(matrix[0], seed=4)
    assert bootstrap_intervals(matrix, seed=4) == bootstrap_intervals(matrix, seed=4)
    assert paired_bootstrap(matrix[0], matrix[1]) == paired_bootstrap(matrix[0], matrix[1])
    assert approximate_randomization(*matrix[:2]) == approximate_randomization(*matrix[:2])
    for method in ("paired-bootstrap", "approximate-randomization"):
        first = significance_matrix(matrix, method=method, seed=4)
        assert np.array_equal(first, significance_matrix(matrix, method=method, seed=4),
                              equal_nan=True)  # fmt: skip


def test_different_seeds_give_different_resamples() -> None:
    values = np.random.default_rng(0).random(40)
    one, two = bootstrap_interval(values, seed=1), bootstrap_interval(values, seed=2)
    assert (one.low, one.high) != (two.low, two.high)
    other = np.random.default_rng(1).random(40)
    assert (
        approximate_randomization(values, other, seed=1).p_value
        != approximate_randomization(values, other, seed=2).p_value
    )


def test_results_do_not_depend_on_how_draws_are_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    matrix = np.random.default_rng(3).random((3, 30))
    before = (
        bootstrap_intervals(matrix, resamples=500),
        approximate_randomization(matrix[0], matrix[1], trials=700),
        approximate_randomization(matrix[0, :9], matrix[1, :9], trials=600),
    )
    monkeypatch.setattr(bench.stats, "_BLOCK_CELLS", 70)
    after = (
        bootstrap_intervals(matrix, resamples=500),
        approximate_randomization(matrix[0], matrix[1], trials=700),
        approximate_randomization(matrix[0, :9], matrix[1, :9], trials=600),
    )
    for old, new in zip(before[0] + list(before[1:]), after[0] + list(after[1:]), strict=True):
        assert new.low == pytest.approx(old.low, abs=1e-12)
        assert new.high == pytest.approx(old.high, abs=1e-12)
    assert [t.p_value for t in after[1:]] == [t.p_value for t in before[1:]]


def test_fewer_than_two_tasks_give_no_interval_and_say_why() -> None:
    interval = bootstrap_interval([0.4])
    assert interval.mean == 0.4 and interval.n == 1
    assert math.isnan(interval.low) and math.isnan(interval.high)
    assert interval.reason == FEWER_THAN_TWO == "fewer than 2 tasks"
    assert [i.reason for i in bootstrap_intervals([[0.1], [0.2]])] == [FEWER_THAN_TWO] * 2
    for test in (paired_bootstrap([0.5], [0.2]), approximate_randomization([0.5], [0.2])):
        assert test.delta == pytest.approx(0.3)
        assert math.isnan(test.low) and math.isnan(test.high) and math.isnan(test.p_value)
        assert test.reason == FEWER_THAN_TWO
    assert np.isnan(significance_matrix([[0.1], [0.2]])).all()


def test_two_tasks_are_enough_for_an_interval() -> None:
    interval = bootstrap_interval([0.2, 0.6])
    assert interval.reason is None
    assert interval.low == 0.2 and interval.high == 0.6


def test_clearly_better_system_gets_small_p_and_interval_excluding_zero() -> None:
    rng = np.random.default_rng(1)
    b = rng.random(60)
    a = b + 0.1 + 0.02 * rng.standard_normal(60)
    boot = paired_bootstrap(a, b)
    assert boot.p_value == 1 / 1001
    assert boot.low > 0 and boot.low < boot.delta < boot.high
    ar = approximate_randomization(a, b)
    assert ar.p_value == 1 / 10001 and ar.low > 0


def test_identical_systems_get_p_one_and_a_zero_width_interval() -> None:
    a = np.random.default_rng(2).random(30)
    for test in (
        paired_bootstrap(a, a),
        approximate_randomization(a, a),
        approximate_randomization(a[:8], a[:8]),
    ):
        assert test.delta == 0 and test.p_value == 1.0
        assert test.low == 0 and test.high == 0 and test.reason is None
    assert approximate_randomization(a[:8], a[:8]).method == "exact-randomization"


def test_constant_difference_gives_exact_zero_width_interval_at_that_difference() -> None:
    b = np.random.default_rng(3).integers(0, 64, size=20) / 64  # so that a - b is exactly 1/8
    test = paired_bootstrap(b + 0.125, b)
    assert test.low == test.high == test.delta == 0.125
    assert test.p_value == 1 / 1001
    interval = bootstrap_interval([0.1] * 7)
    assert interval.low == interval.mean == interval.high == 0.1


def test_exact_enumeration_is_used_only_when_two_to_the_n_fits_in_trials() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.random(14), rng.random(14)
    assert approximate_randomization(a[:13], b[:13]).method == "exact-randomization"
    assert approximate_randomization(a[:13], b[:13]).resamples == 8192
    assert approximate_randomization(a, b).method == "approximate-randomization"
    assert approximate_randomization(a, b, trials=2**14).method == "exact-randomization"


def test_significance_matrix_is_symmetric_with_nan_diagonal_and_matches_pairwise_tests() -> None:
    rng = np.random.default_rng(5)
    base = rng.random(40)
    matrix = np.stack([base, base + 0.05 + 0.05 * rng.standard_normal(40), base, rng.random(40)])
    for method, pairwise in (
        ("paired-bootstrap", paired_bootstrap),
        ("approximate-randomization", approximate_randomization),
    ):
        p = significance_matrix(matrix, method=method, seed=7)
        assert np.isnan(np.diag(p)).all()
        assert np.array_equal(p, p.T, equal_nan=True)
        assert p[0, 2] == 1.0
        for i, j in ((0, 1), (1, 3), (0, 3)):
            assert p[i, j] == pairwise(matrix[i], matrix[j], seed=7).p_value


def test_significance_matrix_default_draws_follow_the_method() -> None:
    rng = np.random.default_rng(6)
    matrix = np.stack([rng.random(30), rng.random(30) + 0.3])
    assert significance_matrix(matrix)[0, 1] == 1 / 10001  # sign-flip: 30 tasks, 10,000 draws
    assert significance_matrix(matrix, method="paired-bootstrap")[0, 1] == 1 / 1001
    assert significance_matrix(matrix, method="approximate-randomization")[0, 1] == 1 / 10001


def test_bootstrap_intervals_resample_the_same_tasks_for_every_system() -> None:
    x = np.random.default_rng(7).random(50)
    first, shifted, doubled = bootstrap_intervals(np.stack([x, x + 0.25, 2 * x]), seed=1)
    assert shifted.low - first.low == pytest.approx(0.25, abs=1e-12)
    assert shifted.high - first.high == pytest.approx(0.25, abs=1e-12)
    assert (doubled.low, doubled.high) == (2 * first.low, 2 * first.high)
    alone = bootstrap_interval(x, seed=1)
    assert alone.low == pytest.approx(first.low, abs=1e-15)
    assert alone.high == pytest.approx(first.high, abs=1e-15)


def test_interval_records_how_it_was_computed() -> None:
    interval = bootstrap_interval([0.1, 0.5, 0.3], resamples=200, level=0.9, seed=5)
    assert (interval.n, interval.resamples, interval.level, interval.seed) == (3, 200, 0.9, 5)
    assert isinstance(interval, Interval)
    test = paired_bootstrap([0.1, 0.5, 0.3], [0.2, 0.2, 0.2], resamples=300, seed=8)
    assert isinstance(test, PairedTest)
    assert (test.method, test.n, test.resamples, test.seed) == ("paired-bootstrap", 3, 300, 8)


def test_higher_level_gives_wider_interval() -> None:
    values = np.random.default_rng(8).random(30)
    narrow = bootstrap_interval(values, level=0.8)
    wide = bootstrap_interval(values, level=0.99)
    assert wide.low < narrow.low < narrow.high < wide.high


def test_signature_names_method_level_seed_and_unit() -> None:
    assert signature(1000, 0.95, 0) == "ci:percentile|resamples:1000|level:0.95|seed:0|unit:task"
    assert signature(500, 0.9, 3, "approximate-randomization") == (
        "ci:percentile|resamples:500|level:0.9|seed:3|unit:task|test:approximate-randomization"
    )


def test_correlation_matches_scipy_and_uses_tau_b() -> None:
    x = np.array([1, 2, 2, 3, 4, 4, 5], dtype=float)
    y = np.array([1, 3, 2, 3, 5, 4, 4], dtype=float)
    pearson = scipy_stats.pearsonr(x, y).statistic
    assert correlation(x, y, "pearson") == pytest.approx(pearson, abs=1e-12)
    spearman = scipy_stats.spearmanr(x, y).statistic
    assert correlation(x, y, "spearman") == pytest.approx(spearman, abs=1e-12)
    tau_b = scipy_stats.kendalltau(x, y, variant="b").statistic
    assert correlation(x, y, "kendall") == pytest.approx(tau_b, abs=1e-12)
    assert tau_b != pytest.approx(scipy_stats.kendalltau(x, y, variant="c").statistic)


def test_correlation_is_batched_over_leading_axes() -> None:
    rng = np.random.default_rng(2)
    x, y = rng.random((3, 4, 6)), rng.random((3, 4, 6))
    for kind in CORRELATIONS:
        found = correlation(x, y, kind)
        assert found.shape == (3, 4)
        assert found[2, 1] == pytest.approx(float(correlation(x[2, 1], y[2, 1], kind)))


def test_correlation_of_monotone_scores_ranks_perfectly() -> None:
    x = np.arange(1.0, 11.0)
    assert correlation(x, x**3, "spearman") == pytest.approx(1.0)
    assert correlation(x, x**3, "kendall") == pytest.approx(1.0)
    assert correlation(x, x**3, "pearson") < 0.99


def test_correlation_of_constant_scores_is_nan() -> None:
    constant, varied = np.array([0.3, 0.3, 0.3]), np.array([0.1, 0.2, 0.4])
    assert all(math.isnan(correlation(constant, varied, kind)) for kind in CORRELATIONS)


def test_level_correlations_match_scipy_and_intervals_hold_them() -> None:
    rng = np.random.default_rng(1)
    human = rng.random((8, 5))
    metric = human + rng.normal(0, 0.2, size=(8, 5))
    found = {(c.level, c.kind): c for c in correlate(metric, human, resamples=200)}
    means = metric.mean(axis=1), human.mean(axis=1)
    system = {
        "pearson": scipy_stats.pearsonr(*means).statistic,
        "spearman": scipy_stats.spearmanr(*means).statistic,
        "kendall": scipy_stats.kendalltau(*means, variant="b").statistic,
    }
    for kind in CORRELATIONS:
        c = found[("system", kind)]
        assert c.value == pytest.approx(system[kind])
        assert c.low <= c.value <= c.high
    per_doc = [scipy_stats.kendalltau(metric[:, d], human[:, d]).statistic for d in range(5)]
    assert found[("summary", "kendall")].value == pytest.approx(np.mean(per_doc))
    again = correlate(metric, human, resamples=200)
    assert again == list(found.values())


def test_level_correlations_skip_missing_summaries() -> None:
    human = np.array([[0.1, 0.2], [0.5, np.nan], [0.9, 0.8]])
    metric = np.array([[0.2, 0.1], [0.4, 0.7], [0.8, 0.9]])
    found = {(c.level, c.kind): c.value for c in correlate(metric, human, resamples=20)}
    assert found[("system", "kendall")] == pytest.approx(1.0)


# Errors


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: bootstrap_interval([0.1, math.nan]), "values contains NaN .*task 1"),
        (lambda: bootstrap_interval([0.1, math.inf]), "infinite"),
        (lambda: bootstrap_interval([]), "values is empty"),
        (lambda: bootstrap_intervals([[0.1, 0.2], [0.3, math.nan]]), "NaN .*row 1, task 1"),
        (lambda: bootstrap_intervals([0.1, 0.2]), "2-D"),
        (lambda: bootstrap_intervals(np.empty((2, 0))), "no tasks"),
        (lambda: paired_bootstrap([0.1, 0.2], [0.1]), "same tasks: got 2 and 1"),
        (lambda: paired_bootstrap([0.1, math.nan], [0.1, 0.2]), "a contains NaN"),
        (lambda: approximate_randomization([0.1], [math.nan]), "b contains NaN"),
        (lambda: approximate_randomization([], []), "a is empty"),
        (lambda: significance_matrix([[0.1, 0.2]], method="t-test"), "unknown test"),
        (lambda: bootstrap_interval([0.1, 0.2], level=95), "level must be between 0 and 1"),
        (lambda: paired_bootstrap([0.1], [0.2], resamples=0), "resamples must be at least 1"),
        (lambda: approximate_randomization([0.1], [0.2], trials=0), "trials must be"),
        (lambda: bootstrap_interval([0.1, 0.2], seed=-1), "seed must be"),
    ],
)
def test_bad_input_raises_a_clear_value_error(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# Properties

scores = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_subnormal=False)


@settings(max_examples=150, deadline=None)
@given(st.lists(scores, min_size=1, max_size=40), st.integers(0, 2**32))
def test_interval_lies_within_the_range_of_the_sample(values: list[float], seed: int) -> None:
    interval = bootstrap_interval(values, resamples=200, seed=seed)
    if len(values) < 2:
        assert math.isnan(interval.low) and interval.reason == FEWER_THAN_TWO
        return
    assert min(values) <= interval.low <= interval.high <= max(values)
    assert min(values) <= interval.mean <= max(values)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1e3, allow_subnormal=False), min_size=1, max_size=30))
def test_interval_of_symmetric_data_contains_its_centre(half: list[float]) -> None:
    values = np.concatenate([half, np.negative(half)])
    interval = bootstrap_interval(values, resamples=500)
    assert interval.low <= 0 <= interval.high


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(scores, scores), min_size=1, max_size=30), st.integers(0, 2**32)
)  # fmt: skip
def test_p_values_lie_between_zero_and_one(pairs: list[tuple[float, float]], seed: int) -> None:
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    for test in (
        paired_bootstrap(a, b, resamples=200, seed=seed),
        approximate_randomization(a, b, trials=300, seed=seed),
    ):
        if len(pairs) < 2:
            assert math.isnan(test.p_value)
        else:
            assert 0 < test.p_value <= 1
            assert test.low <= test.high
