"""The statistics behind `make bench`'s enumeration figure, on samples whose answers are known."""

from __future__ import annotations

import pytest

from bench.enumeration import compare, hodges_lehmann, mann_whitney


def test_mann_whitney_u_counts_the_pairs_where_the_first_sample_is_larger():
    assert mann_whitney([1, 2, 3], [4, 5, 6])[0] == 0
    assert mann_whitney([4, 5, 6], [1, 2, 3])[0] == 9
    assert mann_whitney([1, 2, 3], [1, 2, 3]) == (4.5, 1.0)  # ties count half; no difference at all


def test_mann_whitney_tells_clearly_separated_samples_apart_and_not_mixed_ones():
    low, high = [float(i) for i in range(30)], [float(i) + 100 for i in range(30)]
    assert mann_whitney(low, high)[1] < 1e-6
    assert mann_whitney(low[::2], low[1::2])[1] > 0.5


def test_hodges_lehmann_is_the_median_pairwise_difference_with_an_interval_around_it():
    xs = [float(i) + 5 for i in range(40)]
    ys = [float(i) for i in range(40)]
    shift, low, high = hodges_lehmann(xs, ys)
    assert shift == 5
    assert low < 5 < high


def test_the_figure_reports_milliseconds_and_never_a_verdict():
    row = compare([0.010] * 5 + [0.011] * 5, [0.010] * 10)
    assert set(row) == {
        "n",
        "median_known_ms",
        "median_unknown_ms",
        "shift_ms",
        "shift_ci95_ms",
        "p_known_slower",
        "mann_whitney_p",
    }
    assert row["median_unknown_ms"] == pytest.approx(10.0) and row["p_known_slower"] == pytest.approx(0.75)
