"""Email sending limits per address: at most one code a minute and five an hour.

Keyed on the normalized address whether or not it has an account, so the limit itself says
nothing about who is registered. Every kind of code and sign-up notice draws on the same budget.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_INTERVAL_SECONDS = 60
WINDOW_SECONDS = 3600
MAX_PER_WINDOW = 5


@dataclass(frozen=True)
class SendLog:
    """The sends of the last hour (epoch seconds, oldest first) and a version for optimistic writes."""

    sent_at: tuple[int, ...] = ()
    version: int = 0

    def recent(self, now: int) -> tuple[int, ...]:
        return tuple(t for t in self.sent_at if now - t < WINDOW_SECONDS)

    def wait_before_next(self, now: int) -> int:
        """Seconds until another send is allowed; 0 when it is allowed now."""
        recent = self.recent(now)
        waits = [0]
        if recent:
            waits.append(recent[-1] + MIN_INTERVAL_SECONDS - now)
        if len(recent) >= MAX_PER_WINDOW:
            waits.append(recent[-MAX_PER_WINDOW] + WINDOW_SECONDS - now)
        return max(waits)

    def with_send(self, now: int) -> SendLog:
        return SendLog(self.recent(now) + (now,), self.version + 1)

    def without_send(self, sent: int) -> SendLog:
        """The log after refunding one send that never reached the mail service."""
        remaining = list(self.sent_at)
        if sent in remaining:
            remaining.remove(sent)
        return SendLog(tuple(remaining), self.version + 1)
