"""Recovery codes: ten single-use codes that stand in for the authenticator app when it is lost.

Each code is 10 characters from a 32-letter alphabet without look-alikes (50 random bits), shown as
`xxxxx-xxxxx`. Only an HMAC-SHA-256 of each is stored, keyed by the keyring's `recovery-codes`
purpose key: unlike a plain hash, a table export gives nothing to brute-force offline. What the
person types is forgiven case, spaces and dashes. Using a code removes its digest (the caller
writes `Codes.without(...)` conditional on the set it read, so a code works once).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from portal.keys import Keyring

PURPOSE = "recovery-codes"
COUNT = 10
LENGTH = 10
# Crockford's base32 letters (no i, l, o, u): nothing to confuse when copied by hand.
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


@dataclass(frozen=True)
class RecoveryCodes:
    """What is stored: the key id and the digests of the codes not used yet."""

    kid: str
    digests: tuple[str, ...]

    @property
    def left(self) -> int:
        return len(self.digests)

    def without(self, digest: str) -> RecoveryCodes:
        return RecoveryCodes(self.kid, tuple(d for d in self.digests if d != digest))


def normalize(typed: str) -> str:
    return "".join(typed.split()).replace("-", "").lower()


def _digest(key: bytes, code: str) -> str:
    return hmac.new(key, normalize(code).encode(), hashlib.sha256).hexdigest()


def generate(keyring: Keyring) -> tuple[list[str], RecoveryCodes]:
    """Ten new codes to show once, and what to store of them."""
    kid, key = keyring.current(PURPOSE)
    codes = []
    for _ in range(COUNT):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes, RecoveryCodes(kid, tuple(_digest(key, code) for code in codes))


def match(keyring: Keyring, stored: RecoveryCodes, typed: str) -> str | None:
    """The digest of the stored code `typed` is, or None. Compares with every digest (constant time each)."""
    if len(normalize(typed)) != LENGTH:
        return None
    key = keyring.key(PURPOSE, stored.kid)
    if key is None:
        return None
    candidate = _digest(key, typed)
    found = None
    for digest in stored.digests:
        if hmac.compare_digest(digest, candidate):
            found = digest
    return found
