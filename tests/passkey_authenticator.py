"""A software WebAuthn authenticator for the tests: real ES256 keys (cryptography), real CBOR
(fido2's own encoder), and the JSON forms a browser's `credential.toJSON()` gives.

It signs whatever it is told to (another origin, another RP ID, a stale counter), which is how the
tests attack the server's checks; nothing here talks to the network.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor

RP_ID = "portal.test"
ORIGIN = "https://portal.test"

# Authenticator data flags (WebAuthn §6.1).
UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftAuthenticator:
    """One device holding one discoverable credential."""

    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    credential_id: bytes = field(default_factory=lambda: os.urandom(16))
    user_handle: bytes | None = None
    sign_count: int = 0
    # A synced passkey (backup eligible and backed up), as platform passkeys usually are.
    synced: bool = True

    @property
    def id(self) -> str:
        return b64url(self.credential_id)

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor.encode({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _flags(self, user_verified: bool) -> int:
        return UP | (UV if user_verified else 0) | ((BE | BS) if self.synced else 0)

    def create(
        self,
        public_key: dict[str, Any],
        *,
        origin: str = ORIGIN,
        rp_id: str | None = None,
        challenge: str | None = None,
        kind: str = "webauthn.create",
    ) -> dict[str, Any]:
        """RegistrationResponseJSON for PublicKeyCredentialCreationOptionsJSON (attestation "none")."""
        self.user_handle = unb64url(public_key["user"]["id"])
        client_data = json.dumps(
            {"type": kind, "challenge": challenge or public_key["challenge"], "origin": origin, "crossOrigin": False}
        ).encode()
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        auth_data = (
            hashlib.sha256((rp_id or public_key["rp"]["id"]).encode()).digest()
            + bytes([self._flags(True) | AT])
            + struct.pack(">I", self.sign_count)
            + attested
        )
        attestation = cbor.encode({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    def get(
        self,
        public_key: dict[str, Any],
        *,
        origin: str = ORIGIN,
        rp_id: str | None = None,
        sign_count: int | None = None,
        user_handle: bytes | None = None,
        tamper: bool = False,
        user_verified: bool = True,
    ) -> dict[str, Any]:
        """AuthenticationResponseJSON for PublicKeyCredentialRequestOptionsJSON; counts one use."""
        if sign_count is None:
            self.sign_count += 1
            sign_count = self.sign_count
        client_data = json.dumps(
            {"type": "webauthn.get", "challenge": public_key["challenge"], "origin": origin, "crossOrigin": False}
        ).encode()
        auth_data = (
            hashlib.sha256((rp_id or public_key["rpId"]).encode()).digest()
            + bytes([self._flags(user_verified)])
            + struct.pack(">I", sign_count)
        )
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        if tamper:
            signature = signature[:-1] + bytes([signature[-1] ^ 0x01])
        handle = user_handle if user_handle is not None else self.user_handle
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                **({"userHandle": b64url(handle)} if handle is not None else {}),
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }
