"""The statistics behind `make bench`'s enumeration figure, on samples whose answers are known."""

from __future__ import annotations

import random

import pytest

from bench.enumeration import CONFIRMED, MIN_PAIRS, EmulatedDynamoDB, compare, hodges_lehmann, mann_whitney, measure


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


class FakeApi:
    """Answers every route at once; a request for `slow_in_dynamodb` is charged to the emulated
    DynamoDB (as moto's side of its calls would be)."""

    def __init__(self, dynamodb, slow_in_dynamodb: str = "") -> None:
        self.dynamodb, self.slow, self.calls = dynamodb, slow_in_dynamodb, []

    def __getattr__(self, route):
        def call(email, *args):
            self.calls.append((route, email))
            if email == self.slow:
                self.dynamodb.seconds += 0.5
                self.dynamodb.cpu_seconds += 0.5
            return type("Result", (), {"status": 202, "body": {}})()

        return call


class FakeClock:
    def shift(self, seconds):
        pass


@pytest.mark.parametrize(("seconds", "pairs"), [(0.0, MIN_PAIRS), (float("inf"), MIN_PAIRS + 7)])
def test_a_route_takes_its_pairs_until_its_time_is_up_but_never_fewer_than_the_floor(seconds, pairs):
    dynamodb = EmulatedDynamoDB()
    api = FakeApi(dynamodb)
    row = measure(api, FakeClock(), dynamodb, "reset", MIN_PAIRS + 7, random.Random(1), seconds)
    assert row["n"] == pairs
    timed = [email for route, email in api.calls if route == "reset"]
    assert len(timed) == 2 * pairs and timed.count(CONFIRMED) == pairs  # interleaved known and unknown
    assert len({len(email) for email in timed}) == 1  # the unknown addresses as long as the known one


def test_the_time_inside_the_emulated_dynamodb_is_left_out_of_the_second_and_third_shifts():
    dynamodb = EmulatedDynamoDB()
    row = measure(FakeApi(dynamodb, CONFIRMED), FakeClock(), dynamodb, "login", MIN_PAIRS, random.Random(1), 0.0)
    assert row["shift_ms"] < 1  # the fake spends no real time
    for part in ("without_emulated_dynamodb", "cpu_without_emulated_dynamodb"):
        assert row[part]["shift_ms"] == pytest.approx(-500, abs=5)  # the known's 0.5 s taken out
