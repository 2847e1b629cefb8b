"""What two-step sign-in stores, as plain values (no AWS, no crypto): the factor on the account
and the short-lived challenge between the password and the code.

The factor lives on the account's own item, so whatever moves or rewrites the account (a change
of email, a password reset) keeps it: two-step stays on. `version` orders every change of it; the
store writes a change only over the version read (two confirmations, or a code and a recovery
code at once, cannot both win).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from portal.recovery_codes import RecoveryCodes

# The challenge session: how long it lives and how many codes it accepts (the numbers).
CHALLENGE_SECONDS = 300
CHALLENGE_ATTEMPTS = 5
# Opaque to clients and unlike every token of ours: not a JWT (no dots), not a refresh token
# (`<32 hex>.<43>`): nothing can mistake it for a bearer token, and the authorizer refuses it.
CHALLENGE_PREFIX = "mfa_"
CHALLENGE_SECRET_BYTES = 32


@dataclass(frozen=True)
class TotpFactor:
    sealed_secret: str  # sealing.seal(..., bound_to=sub)
    last_step: int  # the last time step accepted: a code of that step or older is refused
    recovery: RecoveryCodes
    enabled_at: str


@dataclass(frozen=True)
class MfaState:
    totp: TotpFactor | None = None
    # An enrolment started but not confirmed: its sealed secret (nothing changes at sign-in).
    pending: str | None = None
    version: int = 0

    @property
    def on(self) -> bool:
        return self.totp is not None

    def changed(self, *, totp: TotpFactor | None, pending: str | None) -> MfaState:
        return MfaState(totp, pending, self.version + 1)


@dataclass(frozen=True)
class Challenge:
    """A password accepted, a second factor awaited. Stored under the SHA-256 of its token only."""

    digest: str
    sub: str
    username: str
    epoch: int  # the account's session epoch when issued: a reset or "log out everywhere" ends it
    expires_at: int
    attempts: int = 0

    def live(self, now: int) -> bool:
        return now < self.expires_at and self.attempts < CHALLENGE_ATTEMPTS

    @property
    def attempts_left(self) -> int:
        return max(0, CHALLENGE_ATTEMPTS - self.attempts)


def challenge_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_challenge(sub: str, username: str, epoch: int, now: int) -> tuple[str, Challenge]:
    """A fresh challenge token for the client, and the record to store (its hash only)."""
    token = CHALLENGE_PREFIX + secrets.token_urlsafe(CHALLENGE_SECRET_BYTES)
    return token, Challenge(challenge_digest(token), sub, username, epoch, now + CHALLENGE_SECONDS)
