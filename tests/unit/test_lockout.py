"""The sign-in throttling arithmetic: 5 free failures, then 2^(n-5) s (cap 15 min), 100 an hour."""

from __future__ import annotations

from portal.lockout import MAX_PER_WINDOW, LoginFailures, backoff

T = 1_750_000_000


def failures(count: int, start: int = T, every: int = 0) -> LoginFailures:
    state = LoginFailures()
    for i in range(count):
        state = state.with_failure(start + i * every)
    return state


def test_backoff_doubles_after_five_and_stops_at_fifteen_minutes():
    assert [backoff(n) for n in range(5)] == [0] * 5
    assert [backoff(n) for n in range(5, 11)] == [1, 2, 4, 8, 16, 32]
    assert backoff(14) == 512 and backoff(15) == 900 and backoff(40) == 900


def test_five_failures_are_free_the_sixth_attempt_waits():
    assert failures(4).wait_before_next(T) == 0
    state = failures(5)
    assert state.wait_before_next(T) == 1 and state.wait_before_next(T + 1) == 0
    state = failures(8)  # all at T: the next waits 2^3 s from the last failure
    assert state.wait_before_next(T + 3) == 5


def test_a_success_ends_the_run_but_not_the_hourly_count():
    state = failures(7).with_success(counted_at=T)
    assert state.consecutive == 0 and state.wait_before_next(T) == 0
    assert len(state.recent) == 6  # the right attempt was un-counted, the six wrong ones stay


def test_never_more_than_a_hundred_failures_an_hour():
    # A success after every four failures keeps the backoff away; the hourly cap still holds.
    state = LoginFailures()
    now = T
    for _ in range(MAX_PER_WINDOW):
        assert state.wait_before_next(now) == 0
        state = state.with_failure(now)
        if state.consecutive == 4:
            state = LoginFailures(0, state.last_failed_at, state.recent, state.version + 1)
        now += 10
    assert state.wait_before_next(now) == T + 3600 - now  # until the oldest failure leaves the hour
    assert state.wait_before_next(T + 3600) == 0
    assert len(state.with_failure(now).recent) == MAX_PER_WINDOW


def test_old_failures_leave_the_window():
    state = failures(3, start=T)
    assert state.with_failure(T + 3600).recent == (T + 3600,)
