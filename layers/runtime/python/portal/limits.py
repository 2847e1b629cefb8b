"""Email sending limits per address: at most one code a minute and five an hour.

Keyed on the normalized address whether or not it has an account, so the limit itself says
nothing about who is registered. Every kind of code and sign-up notice draws on the same budget.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_INTERVAL_SECONDS = 60
WINDOW_SECONDS = 3600
MAX_PER_WINDOW = 5
# What a refused send says: the one-minute spacing and the hourly limit need different patience.
RECENT_SEND = "A code was sent recently. Please wait a minute before asking for a new one."
HOURLY_LIMIT = (
    f"This address has had the most codes allowed in an hour ({MAX_PER_WINDOW}). "
    "Please wait before asking for a new one."
)


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

    def refusal(self, now: int) -> str:
        """Why the next send must wait, in the person's words (call when wait_before_next > 0)."""
        return HOURLY_LIMIT if len(self.recent(now)) >= MAX_PER_WINDOW else RECENT_SEND

    def with_send(self, now: int) -> SendLog:
        return SendLog(self.recent(now) + (now,), self.version + 1)

    def without_send(self, sent: int) -> SendLog:
        """The log after refunding one send that never reached the mail service."""
        remaining = list(self.sent_at)
        if sent in remaining:
            remaining.remove(sent)
        return SendLog(tuple(remaining), self.version + 1)
