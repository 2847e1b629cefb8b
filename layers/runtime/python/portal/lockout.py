"""Sign-in throttling per address: the arithmetic, with no storage.

After 5 consecutive failures each further attempt waits 2^(n-5) seconds after the last failure
(n failures so far; at most 15 minutes) before it is even checked, and never more than 100
failures count within any hour (a sliding window, which a success does not clear: a legitimate
sign-in between guesses must not hand the guesser five fresh tries an hour forever).

An attempt is counted as a failure *before* the password is checked, and un-counted if it was
right: so concurrent attempts cannot all slip through the same free slot. The un-count is written
in the transaction of the success's own write, conditional on the record still being the one this
attempt counted (auth.py): a failure counted in between keeps this attempt counted too.
"""

from __future__ import annotations

from dataclasses import dataclass

FREE_FAILURES = 5
MAX_WAIT_SECONDS = 15 * 60
WINDOW_SECONDS = 3600
MAX_PER_WINDOW = 100


def backoff(consecutive: int) -> int:
    """Seconds to wait after the last failure, with `consecutive` failures in a row so far."""
    if consecutive < FREE_FAILURES:
        return 0
    exponent = consecutive - FREE_FAILURES
    return MAX_WAIT_SECONDS if exponent >= 10 else min(2**exponent, MAX_WAIT_SECONDS)


@dataclass(frozen=True)
class LoginFailures:
    consecutive: int = 0
    last_failed_at: int = 0
    # Failures of the last hour, oldest first (at most MAX_PER_WINDOW are kept).
    recent: tuple[int, ...] = ()
    version: int = 0

    def within_window(self, now: int) -> tuple[int, ...]:
        return tuple(t for t in self.recent if now - t < WINDOW_SECONDS)

    def wait_before_next(self, now: int) -> int:
        """Seconds until another attempt may be checked; 0 when it may be checked now."""
        waits = [0]
        if self.consecutive >= FREE_FAILURES:
            waits.append(self.last_failed_at + backoff(self.consecutive) - now)
        recent = self.within_window(now)
        if len(recent) >= MAX_PER_WINDOW:
            waits.append(recent[-MAX_PER_WINDOW] + WINDOW_SECONDS - now)
        return max(waits)

    def with_failure(self, now: int) -> LoginFailures:
        recent = (self.within_window(now) + (now,))[-MAX_PER_WINDOW:]
        return LoginFailures(self.consecutive + 1, now, recent, self.version + 1)

    def with_success(self, counted_at: int) -> LoginFailures:
        """The attempt counted at `counted_at` was right: un-count it and end the run of failures."""
        recent = list(self.recent)
        if counted_at in recent:
            recent.remove(counted_at)
        return LoginFailures(0, self.last_failed_at, tuple(recent), self.version + 1)
