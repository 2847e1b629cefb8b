"""The account record, Cognito-style: `sub`, username (the normalized address), status."""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field

from portal.mfa_records import MfaState


class Status(enum.StrEnum):
    UNCONFIRMED = "UNCONFIRMED"
    CONFIRMED = "CONFIRMED"
    RESET_REQUIRED = "RESET_REQUIRED"


@dataclass(frozen=True)
class User:
    sub: str
    username: str  # normalized address: the key every lookup uses
    email: str  # the address as its owner typed it
    status: Status
    password_hash: str
    language: str
    created_at: str
    updated_at: str
    enabled: bool = True
    email_verified: bool = False
    newsletter: dict[str, object] = field(default_factory=dict)
    # Raised by "log out everywhere", reset and change: sessions stamped lower may not refresh.
    session_epoch: int = 0
    # An email change waiting for its code: the new address as its owner typed it.
    pending_email: str | None = None
    # Two-step sign-in (mfa_records.py): kept on the account, so a reset or a new address keeps it.
    mfa: MfaState = MfaState()


def iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
