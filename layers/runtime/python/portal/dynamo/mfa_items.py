"""How two-step state sits on the account's DynamoDB item (plain values; the store serializes).

`mfa` (a map: sealed secret, last step, recovery digests and their kid, since when), `mfaPending`
(the sealed secret of an enrolment not confirmed yet) and `mfaVersion` (every change + 1; the
condition of every change). The challenge item: `CHALLENGE#<sha256 of the token>` / `CHALLENGE`.
"""

from __future__ import annotations

from typing import Any

from portal.mfa_records import Challenge, MfaState, TotpFactor
from portal.recovery_codes import RecoveryCodes

CHALLENGE_SK = "CHALLENGE"
CHALLENGE_PREFIX = "CHALLENGE#"


def challenge_pk(digest: str) -> str:
    return CHALLENGE_PREFIX + digest


def mfa_attributes(state: MfaState) -> dict[str, Any]:
    """The account item's attributes for `state` (None: absent)."""
    totp = state.totp
    return {
        "mfa": None
        if totp is None
        else {
            "secret": totp.sealed_secret,
            "lastStep": totp.last_step,
            "recoveryKid": totp.recovery.kid,
            "recovery": list(totp.recovery.digests),
            "enabledAt": totp.enabled_at,
        },
        "mfaPending": state.pending,
        "mfaVersion": state.version or None,
    }


def mfa_state(values: dict[str, Any]) -> MfaState:
    raw = values.get("mfa")
    totp = (
        None
        if not raw
        else TotpFactor(
            sealed_secret=raw["secret"],
            last_step=raw.get("lastStep", -1),
            recovery=RecoveryCodes(raw.get("recoveryKid", ""), tuple(raw.get("recovery", []))),
            enabled_at=raw.get("enabledAt", ""),
        )
    )
    return MfaState(totp, values.get("mfaPending"), values.get("mfaVersion") or 0)


def challenge_values(challenge: Challenge) -> dict[str, Any]:
    return {
        "sub": challenge.sub,
        "username": challenge.username,
        "epoch": challenge.epoch,
        "expiresAt": challenge.expires_at,
        "attempts": challenge.attempts,
    }


def challenge_of(digest: str, values: dict[str, Any]) -> Challenge:
    return Challenge(
        digest, values["sub"], values["username"], values["epoch"], values["expiresAt"], values.get("attempts", 0)
    )
