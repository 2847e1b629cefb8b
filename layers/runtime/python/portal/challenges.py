"""The first half of a two-step sign-in: a right password on an account with two-step on gets a
challenge (an opaque session, 5 minutes, 5 codes), not tokens. Nothing here loads pyotp or
`cryptography`: the login function issues challenges without them (two_step.py answers them).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from portal.audit import audit
from portal.errors import ServiceUnavailable
from portal.mfa_records import CHALLENGE_SECONDS, Challenge, new_challenge
from portal.records import Conflict, LoginsChange
from portal.users import User


class ChallengeStore(Protocol):
    def create_challenge(self, challenge: Challenge, logins: LoginsChange | None = None) -> None: ...


@dataclass(frozen=True)
class ChallengeIssued:
    session: str  # the opaque token the client sends back with the code
    expires_in: int = CHALLENGE_SECONDS
    challenge: str = "TOTP"


class Challenges:
    def __init__(self, store: ChallengeStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def issue(self, user: User, uncount: LoginsChange | None) -> ChallengeIssued:
        """After the right password: the challenge, with the password's un-count in its write
        (a failure counted meanwhile keeps this attempt counted: the safe side)."""
        token, challenge = new_challenge(user.sub, user.username, user.session_epoch, int(self._clock()))
        try:
            self._store.create_challenge(challenge, logins=uncount)
        except Conflict as lost:
            if uncount is None or not lost.maybe("logins"):
                raise ServiceUnavailable() from None
            self._store.create_challenge(challenge)
        audit("mfa_challenge_issued", address=user.username, sub=user.sub)
        return ChallengeIssued(token)
