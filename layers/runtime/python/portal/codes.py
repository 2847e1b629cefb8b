"""One-time codes: 6 digits from `secrets`, kept only as a keyed hash, 30 minutes, 5 tries.

A code is bound to its purpose and its address by the hash itself: a verification code cannot
reset a password, and a code sent to one address means nothing for another. Expiry is decided
here, from `expiresAt`; the DynamoDB TTL attribute only collects the garbage (late, and moto
never does).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass

LIFETIME_SECONDS = 1800
MAX_ATTEMPTS = 5
DIGITS = 6


class Purpose(enum.StrEnum):
    VERIFY_EMAIL = "VERIFY_EMAIL"
    RESET_PASSWORD = "RESET_PASSWORD"
    # Sent to the new address of an email change; stored under that address, one per account
    # (sort key CODE#CHANGE_EMAIL#<sub>), its digest bound to the account's sub as well.
    CHANGE_EMAIL = "CHANGE_EMAIL"


def new_code() -> str:
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def digest(key: bytes, purpose: Purpose, username: str, code: str) -> str:
    return hmac.new(key, f"{purpose}\x1f{username}\x1f{code}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CodeRecord:
    """A code as stored: never the code itself."""

    purpose: Purpose
    digest: str
    key_id: str
    created_at: int
    expires_at: int
    attempts: int = 0
    spent: bool = False


class Outcome(enum.Enum):
    MATCH = "match"
    MISMATCH = "mismatch"
    EXPIRED = "expired"  # includes "no code at all": the client's answer is the same
    LOCKED = "locked"
    SPENT_MATCH = "spent_match"  # the right code, already used: lets a retried request be answered alike


def issue(key_id: str, key: bytes, purpose: Purpose, username: str, now: int) -> tuple[str, CodeRecord]:
    code = new_code()
    record = CodeRecord(purpose, digest(key, purpose, username, code), key_id, now, now + LIFETIME_SECONDS)
    return code, record


def check(record: CodeRecord | None, key: bytes | None, username: str, submitted: str, now: int) -> Outcome:
    """Judge a submitted code. Order matters: an expired or locked code never says whether it matched."""
    if record is None or key is None or now >= record.expires_at:
        return Outcome.EXPIRED
    if record.attempts >= MAX_ATTEMPTS:
        return Outcome.LOCKED
    matches = hmac.compare_digest(record.digest, digest(key, record.purpose, username, submitted))
    if not matches:
        return Outcome.MISMATCH
    return Outcome.SPENT_MATCH if record.spent else Outcome.MATCH
