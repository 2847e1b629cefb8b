"""Time-based one-time passwords (RFC 6238) as every authenticator app reads them: SHA-1, 6 digits,
30-second steps. pyotp does the RFC arithmetic; this module adds the rules around it.

- A code is accepted for its own step and one step either side (clock skew of phones), never two.
- A code is accepted only for a step later than the last one accepted for the account (the caller
  stores `Match.step`): a code seen once is dead for the rest of its window, and so is any older one.

pyotp and segno load inside the functions that use them, and `preload` loads them at init in the
functions that enrol or check a second factor (into the SnapStart snapshot, like PyJWT in
tokens.preload); the login function and the authorizer never load them (tests/unit/test_mfa_units.py).
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass

STEP_SECONDS = 30
DIGITS = 6
# Steps either side of now that still match (RFC 6238 section 5.2: at most one is recommended).
SKEW_STEPS = 1
# 160 bits, the key length RFC 4226 recommends for SHA-1; 32 base32 characters.
SECRET_BYTES = 20
CODE_PATTERN = re.compile(r"^[0-9]{6}$")


@dataclass(frozen=True)
class Match:
    step: int  # the time step the code belongs to: store it, later codes must be newer


def preload(qr_code: bool = False) -> None:
    """For the two-step functions: pyotp and the sealing cipher (and segno with `qr_code`) at init
    rather than on the first request (`make bench`, section two_step, measures them)."""
    import pyotp  # noqa: F401
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: F401

    if qr_code:
        import segno  # noqa: F401


def new_secret() -> str:
    """A fresh shared secret in base32 (what the QR code and the manual entry carry)."""
    import base64

    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode()


def step_of(now: float) -> int:
    return int(now) // STEP_SECONDS


def code_at(secret: str, step: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """The code of one time step (what an authenticator app shows during that step)."""
    import hashlib

    import pyotp

    return pyotp.TOTP(secret, digits=digits, digest=getattr(hashlib, digest), interval=STEP_SECONDS).generate_otp(step)


def verify(secret: str, code: str, now: float, last_step: int | None) -> Match | None:
    """The step `code` belongs to, within one step of `now` and after `last_step`; None otherwise.

    Every candidate step is computed and compared in constant time, so the answer takes as long
    whichever step (if any) matched."""
    if not CODE_PATTERN.match(code):
        return None
    current = step_of(now)
    found: int | None = None
    for step in range(max(0, current - SKEW_STEPS), current + SKEW_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), code) and found is None:
            found = step
    if found is None or (last_step is not None and found <= last_step):
        return None
    return Match(found)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """`otpauth://totp/<issuer>:<account>?secret=...&issuer=...` (Key Uri Format)."""
    import pyotp

    return pyotp.TOTP(secret, interval=STEP_SECONDS, digits=DIGITS).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The URI as a QR code, an SVG document (segno, pure Python): error correction M, 4-module margin."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(uri, error="m", micro=False).save(out, kind="svg", scale=4, xmldecl=False, title="QR code", nl=False)
    return out.getvalue().decode()
