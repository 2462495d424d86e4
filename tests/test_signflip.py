"""The paired sign-flip test: exact p-values checked against values counted by hand, against
scipy's permutation test, and the confidence bounds that invert it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import permutation_test

from bench.analysis import Resampling
from bench.signflip import exact_p_values, smallest_p_value, subset_means
from bench.stats import sign_flip_test


def test_exact_p_value_of_three_differences_equals_the_hand_count() -> None:
    # d = (1, 2, 3): the 8 signed sums are ±1 ±2 ±3 = 6, 4, 2, 0, 0, -2, -4, -6; two of them
    # (6 and -6) are as large in size as the observed 6, so p = 2/8.
    test = sign_flip_test([1.0, 2.0, 3.0], [0.0, 0.0, 0.0])
    assert test.p_value == 0.25
    assert (test.method, test.n, test.resamples) == ("exact-sign-flip", 3, 8)


def test_exact_p_value_of_four_mixed_differences_equals_the_hand_count() -> None:
    # d = (3, -1, 2, 0.5), sum 4.5: flipping subset S gives 4.5 - 2 sum(S), as extreme as 4.5
    # when sum(S) <= 0 ({}, {-1}, {-1, 0.5}) or sum(S) >= 4.5 ({3, 2}, {3, 2, 0.5}, all):
    # 6 of 16.
    assert exact_p_values(np.array([[3.0, -1.0, 2.0, 0.5]]))[0] == 6 / 16


def test_five_tasks_all_better_give_the_smallest_possible_p_value_of_one_sixteenth() -> None:
    # Only the observed signs and their mirror image are as extreme: 2/32 = 0.0625, however
    # large the differences (the paired bootstrap reports p < 0.001 here).
    test = sign_flip_test([0.9, 0.8, 0.95, 0.7, 0.85], [0.1, 0.2, 0.15, 0.3, 0.25])
    assert test.p_value == 0.0625 == smallest_p_value(5)


def test_no_difference_gives_p_one() -> None:
    assert sign_flip_test([0.3, 0.5, 0.7], [0.3, 0.5, 0.7]).p_value == 1.0


@pytest.mark.parametrize("n", [2, 5, 9, 14])
def test_exact_p_value_equals_scipy_exact_permutation_test(n: int) -> None:
    rng = np.random.default_rng(n)
    diff = rng.normal(0.1, 1.0, n)
    ours = sign_flip_test(diff, np.zeros(n)).p_value
    theirs = permutation_test(
        (diff,), np.mean, permutation_type="samples", n_resamples=math.inf
    ).pvalue
    assert ours == pytest.approx(theirs, abs=1e-12)


def test_beyond_twenty_tasks_the_test_draws_the_stated_number_of_sign_assignments() -> None:
    rng = np.random.default_rng(3)
    diff = rng.normal(0.2, 1.0, 30)
    test = sign_flip_test(diff, np.zeros(30), permutations=4000, seed=1)
    assert (test.method, test.resamples) == ("sign-flip", 4000)
    exact = permutation_test(
        (diff,), np.mean, permutation_type="samples", n_resamples=200_000, random_state=0
    ).pvalue
    assert abs(test.p_value - exact) < 0.02


def test_bounds_of_three_differences_are_the_hand_computed_subset_means() -> None:
    # Non-empty subset means of (1, 2, 3): 1, 1.5, 2, 2, 2, 2.5, 3; with the empty flip 8
    # assignments. At tail 1/4 the one-sided p of "mean = δ" reaches 1/4 from δ = 1 (the
    # empty flip and {1}), so the bounds are the extreme subset means 1 and 3.
    draws = subset_means(np.array([1.0, 2.0, 3.0]), 100, 0)
    assert draws.means.tolist() == [1.0, 1.5, 2.0, 2.0, 2.0, 2.5, 3.0]
    assert draws.bounds(0.25) == (1.0, 3.0)
    assert draws.p_greater(1.0) == 2 / 8
    assert draws.p_greater(0.99) == 1 / 8
    assert draws.bounds(0.1) == (-math.inf, math.inf)  # 1/8 > 0.1: 3 tasks cannot bound it


def test_two_sided_interval_is_infinite_when_five_tasks_cannot_bound_it() -> None:
    test = sign_flip_test([1.0, 2.0, 3.0, 4.0, 5.0], [0.0] * 5)
    assert (test.low, test.high) == (-math.inf, math.inf)  # 1/32 > 0.025
    six = sign_flip_test([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [0.0] * 6)
    assert (six.low, six.high) == (1.0, 6.0)  # 1/64 <= 0.025: the extreme subset means


def test_too_few_tasks_warning_names_the_smallest_p_value_and_the_tasks_needed() -> None:
    resampling = Resampling()
    five = sign_flip_test([1.0, 2.0, 3.0, 4.0, 5.0], [0.0] * 5)
    warning = resampling.too_few([five])
    assert warning is not None
    assert "2/2^5 = 0.0625" in warning and "at least 6 tasks" in warning
    six = sign_flip_test([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [0.0] * 6)
    assert resampling.too_few([six]) is None


def test_default_resampling_runs_the_sign_flip_test_and_says_so() -> None:
    resampling = Resampling()
    assert resampling.method == "sign-flip"
    assert resampling.signature().endswith("|test:sign-flip|exact-max-n:20|permutations:10000")
    test = resampling.test(np.array([1.0, 2.0, 3.0]), np.zeros(3))
    assert (
        resampling.describe([test]) == "exact paired sign-flip test, all 2^3 = 8 sign assignments"
    )
    bootstrap = Resampling(method="paired-bootstrap")
    assert bootstrap.test(np.array([1.0, 2.0, 3.0]), np.zeros(3)).method == "paired-bootstrap"
