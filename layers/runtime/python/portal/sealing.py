"""Secrets we must be able to read back (an authenticator app's shared secret), sealed for storage.

AES-256-GCM (authenticated: a flipped bit or a sealed value copied onto another account is refused,
not decrypted to garbage) under the keyring's `totp-secrets` purpose key, so a table export or
backup alone reveals nothing. The account's `sub` is the associated data: a sealed secret moved to
another account does not open. The kid travels with the value, so a rotated keys secret still
opens what the previous key sealed (while that kid stays in `previous`); `Sealed.stale` tells the
caller to seal it again under the current key. Why the keys secret and not KMS:
docs/decisions/0006-two-step-sign-in.md.

The cipher is `cryptography`'s AESGCM (already in the layer for ES256 tokens and passkeys). Its
AEAD module loads inside these functions (or at init by totp.preload): `import jwt` loads the
`cryptography` package but not this module. The stored layout, `nonce | ciphertext | tag`, is
what pycryptodome wrote before the switch (GCM's output is ciphertext then tag either way), so
values sealed then still open (tests/unit/test_mfa_units.py).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from portal.keys import Keyring

PURPOSE = "totp-secrets"
VERSION = "v1"
NONCE_BYTES = 12  # GCM's standard nonce; random per seal (a key seals far fewer than 2^32 values)
TAG_BYTES = 16


class Unsealable(Exception):
    """Tampered with, sealed for another account, or under a key the keyring no longer has."""


@dataclass(frozen=True)
class Opened:
    plaintext: str
    stale: bool  # sealed under a kid other than the current one: seal it again


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(keyring: Keyring, plaintext: str, bound_to: str) -> str:
    """`v1.<kid>.<base64url(nonce | ciphertext | tag)>`, bound to `bound_to` (the account's sub)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    kid, key = keyring.current(PURPOSE)
    nonce = secrets.token_bytes(NONCE_BYTES)
    # AESGCM answers the ciphertext followed by its 16-byte tag.
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), bound_to.encode())
    return f"{VERSION}.{kid}.{_b64(nonce + sealed)}"


def open_sealed(keyring: Keyring, sealed: str, bound_to: str) -> Opened:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        version, kid, payload = sealed.split(".")
        raw = _unb64(payload)
    except ValueError:
        raise Unsealable("malformed") from None
    key = keyring.key(PURPOSE, kid) if version == VERSION else None
    if key is None or len(raw) <= NONCE_BYTES + TAG_BYTES:
        raise Unsealable("unknown key" if key is None else "malformed")
    try:
        plaintext = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], bound_to.encode())
    except InvalidTag:
        raise Unsealable("tag") from None
    return Opened(plaintext.decode(), stale=kid != keyring.current_kid)
