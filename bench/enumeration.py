"""Enumeration by timing, as a figure (never pass/fail): for each public route, an address with an
account against addresses without one, interleaved, on moto in-process.

What `make test` proves instead is deterministic: both branches do the same work
(tests/adversarial/test_equal_work.py). This measures what is left: per route, the two medians,
the Hodges-Lehmann shift (the median of all known-minus-unknown differences) with its
distribution-free 95% confidence interval (Moses), the probability that a known-address request
is the slower of a pair (0.5: no tell), and the Mann-Whitney U test's two-sided p-value.
Samples alternate known and unknown in a random order per pair, each in a fresh hour (send limits
and the sign-in backoff out of the way), so drift of a loaded machine falls on both alike.

A second shift leaves out the time spent inside the emulated DynamoDB (moto's side of each call,
which AWS would spend on its own machines, in pure Python here): what is left is our code and
botocore's client, the part that runs in the function. A shift that disappears there is moto's
handling of a bigger answer (the known address's Query returns its account item), not our work.
The third shift is that part's CPU time (the thread's, without moto's DynamoDB): what our code and
the client compute, which a loaded machine does not blur as it does wall-clock time. (For resend
and forgot it compares a send's CPU with the wait that stands in for it, which uses none.)

The section keeps to a time budget (`make bench` must stay under 10 minutes): 120 s, setup
included, or `BENCH_ENUMERATION_SECONDS`. Each route gets an equal share of what is left and takes
as many pairs as fit in it, up to `samples` and never fewer than `MIN_PAIRS` (so a very loaded
machine overruns it); the table says how many each route got.
"""

from __future__ import annotations

import gc
import math
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

ROUTES = ("register", "resend", "verify", "forgot", "reset", "login")
CONFIRMED, UNCONFIRMED = "aaaaa@example.org", "bbbbb@example.org"
PASSWORD = "Attacker-Password-7!"
WRONG_PASSWORD = "Wrong-Password-Guess-1!"
# The whole section's share of `make bench`, and the fewest pairs a route is judged on.
BUDGET_SECONDS = float(os.environ.get("BENCH_ENUMERATION_SECONDS", "120"))
MIN_PAIRS = 20


def mann_whitney(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """(U of xs, two-sided p) by the normal approximation with the tie correction."""
    n1, n2 = len(xs), len(ys)
    pooled = sorted([(v, 0) for v in xs] + [(v, 1) for v in ys])
    ranks, ties, i = [0.0] * len(pooled), 0.0, 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        ties += (j - i + 1) ** 3 - (j - i + 1)
        i = j + 1
    u = sum(r for r, (_, group) in zip(ranks, pooled, strict=True) if group == 0) - n1 * (n1 + 1) / 2
    n = n1 + n2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    z = (abs(u - n1 * n2 / 2) - 0.5) / sigma if sigma else 0.0
    return u, 2 * (1 - statistics.NormalDist().cdf(max(z, 0.0)))


def hodges_lehmann(xs: list[float], ys: list[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(shift, low, high): the median of all pairwise differences x - y and its Moses interval."""
    differences = sorted(x - y for x in xs for y in ys)
    n1, n2, total = len(xs), len(ys), len(differences)
    z = statistics.NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    k = max(1, math.floor(n1 * n2 / 2 - z * math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)))
    return statistics.median(differences), differences[k - 1], differences[total - k]


class EmulatedDynamoDB:
    """How long the requests spent inside moto's DynamoDB (its side of the calls) so far."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu_seconds = 0.0

    @contextmanager
    def watched(self) -> Iterator[EmulatedDynamoDB]:
        from moto.core.botocore_stubber import BotocoreStubber

        original = BotocoreStubber.process_request

        def timed(stubber: BotocoreStubber, request: Any) -> Any:
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(stubber, request)
            finally:
                if "dynamodb" in request.url:
                    self.seconds += time.perf_counter() - started
                    self.cpu_seconds += time.thread_time() - cpu

        with mock.patch.object(BotocoreStubber, "process_request", timed):
            yield self


def compare(known: list[float], unknown: list[float]) -> dict[str, Any]:
    u, p = mann_whitney(known, unknown)
    shift, low, high = hodges_lehmann(known, unknown)
    return {
        "n": len(known),
        "median_known_ms": statistics.median(known) * 1e3,
        "median_unknown_ms": statistics.median(unknown) * 1e3,
        "shift_ms": shift * 1e3,
        "shift_ci95_ms": [low * 1e3, high * 1e3],
        "p_known_slower": u / (len(known) * len(unknown)),
        "mann_whitney_p": p,
    }


def _request(api: Any, route: str, email: str) -> Any:
    return {
        "register": lambda: api.register(email, PASSWORD),
        "resend": lambda: api.resend(email),
        "verify": lambda: api.verify(email, "000000"),
        "forgot": lambda: api.forgot(email),
        "reset": lambda: api.reset(email, "000000", PASSWORD),
        "login": lambda: api.login(email, WRONG_PASSWORD),
    }[route]


def measure(
    api: Any, clock: Any, dynamodb: EmulatedDynamoDB, route: str, samples: int, order: random.Random, seconds: float
) -> dict[str, Any]:
    """Up to `samples` interleaved pairs, fewer when `seconds` run out first (never fewer than MIN_PAIRS)."""
    until = time.perf_counter() + seconds
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    ours: dict[str, list[float]] = {"known": [], "unknown": []}  # without moto's DynamoDB time
    cpu: dict[str, list[float]] = {"known": [], "unknown": []}  # the same, CPU time
    known = UNCONFIRMED if route in ("resend", "verify") else CONFIRMED
    for i in range(samples):
        if i >= MIN_PAIRS and time.perf_counter() > until:
            break
        clock.shift(3600)
        # Unknown addresses have the known ones' length, and are new to every route.
        pair = [("known", known), ("unknown", f"z{ROUTES.index(route)}{i:03d}@example.org")]
        order.shuffle(pair)
        if route in ("verify", "reset"):  # a code (or a decoy) waits at both addresses, before either is timed
            for _, email in pair:
                (api.resend if route == "verify" else api.forgot)(email)
        for label, email in pair:
            request = _request(api, route, email)
            gc.collect()  # what the previous request left to collect is not charged to this one
            emulated, emulated_cpu = dynamodb.seconds, dynamodb.cpu_seconds
            started, started_cpu = time.perf_counter(), time.thread_time()
            result = request()
            timings[label].append(time.perf_counter() - started)
            ours[label].append(timings[label][-1] - (dynamodb.seconds - emulated))
            cpu[label].append(time.thread_time() - started_cpu - (dynamodb.cpu_seconds - emulated_cpu))
            assert result.status < 500, (route, label, result.status, result.body)
    row = compare(timings["known"], timings["unknown"])
    for name, samples_of in (("without_emulated_dynamodb", ours), ("cpu_without_emulated_dynamodb", cpu)):
        other = compare(samples_of["known"], samples_of["unknown"])
        row[name] = {key: other[key] for key in ("shift_ms", "shift_ci95_ms", "mann_whitney_p")}
    return row


def enumeration(
    samples: int, show: Callable[..., None] = print, budget_seconds: float = BUDGET_SECONDS
) -> dict[str, Any]:
    """The figure per route; `show` prints the table (bench/__main__ hands in its terminal's print)."""
    show(
        f"{'route':9} {'n':>4} {'known ms':>9} {'unknown ms':>10} {'shift ms [95% CI]':>24} {'P(known slower)':>15} {'p':>7}"
        f"   {'without moto DynamoDB: shift ms [95% CI]':>40} {'p':>7}   {'its CPU: shift ms [95% CI]':>27} {'p':>7}"
    )
    import time_machine

    from bench.harness import START, moto_api

    results = {}
    order = random.Random(14)
    started = time.perf_counter()
    # One emulation for every route: starting one takes seconds of the budget.
    with (
        moto_api() as api,
        time_machine.travel(START, tick=False) as clock,
        EmulatedDynamoDB().watched() as dynamodb,
    ):
        api.resend("warm-up@example.org")  # keys cached, as in a warm function
        api.confirmed_account(CONFIRMED)
        api.register(UNCONFIRMED)
        # What exists now is never garbage: each collection before a timed request then takes
        # about a millisecond instead of a second (moto's heap), so the budget goes to samples.
        gc.collect()
        gc.freeze()
        try:
            for k, route in enumerate(ROUTES):
                share = (budget_seconds - (time.perf_counter() - started)) / (len(ROUTES) - k)
                results[route] = measure(api, clock, dynamodb, route, samples, order, share)
                _show_row(show, route, results[route])
        finally:
            gc.unfreeze()
    return results


def _show_row(show: Callable[..., None], route: str, row: dict[str, Any]) -> None:
    low, high = row["shift_ci95_ms"]
    ours, cpu = row["without_emulated_dynamodb"], row["cpu_without_emulated_dynamodb"]
    show(
        f"{route:9} {row['n']:>4} {row['median_known_ms']:>9.1f} {row['median_unknown_ms']:>10.1f} "
        f"{row['shift_ms']:>+8.2f} [{low:+6.2f}, {high:+6.2f}] {row['p_known_slower']:>15.2f} {row['mann_whitney_p']:>7.3f}"
        f"   {_shift(ours):>40} {ours['mann_whitney_p']:>7.3f}   {_shift(cpu):>27} {cpu['mann_whitney_p']:>7.3f}",
    )


def _shift(row: dict[str, Any]) -> str:
    low, high = row["shift_ci95_ms"]
    return f"{row['shift_ms']:+8.2f} [{low:+6.2f}, {high:+6.2f}]"
